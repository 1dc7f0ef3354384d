"""The true churn probability of each account, from the hazards the generator used.

The generator draws churn month by month: an account that is a customer at the start of
month ``m`` churns in it with probability ``p_m`` (``churn_hazard`` in ``truth_monthly``), on
a day drawn uniformly among the month's ``D_m`` days. So, given the account is still a
customer at the start of the month, the chance it is still a customer after day ``k`` of the
month (days ``1..k`` elapsed) is ``1 - p_m * k / D_m``, and for a window ``(as_of, as_of + H]``::

    P(churn in window | customer at as_of) = 1 - prod_m (1 - p_m * e_m) / (1 - p_m * s_m)

where ``s_m`` and ``e_m`` are the shares of month ``m``'s days on or before ``as_of`` and on or
before ``as_of + H``. Months after the last generated month have no hazard (no churn is
generated there either), so windows reaching past the end are truncated the same way the
observable outcomes are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxpulse.errors import CxpulseError


class TruthError(CxpulseError):
    """The truth table given to a known-truth computation is not usable."""


def _frame(truth_monthly: Any) -> pd.DataFrame:
    if isinstance(truth_monthly, str | Path):
        return pq.read_table(
            truth_monthly, columns=["account_id", "month_start", "churn_hazard"]
        ).to_pandas()
    if isinstance(truth_monthly, pa.Table):
        return truth_monthly.to_pandas()
    if isinstance(truth_monthly, pd.DataFrame):
        return truth_monthly
    raise TruthError(
        f"truth_monthly must be a path, a pyarrow.Table or a pandas.DataFrame, got "
        f"{type(truth_monthly).__name__}; pass DemoFiles.truth_monthly"
    )


def true_churn_probability(truth_monthly: Any, as_of: Any, horizon_days: int) -> pd.DataFrame:
    """Probability that each account churns in ``(as_of, as_of + horizon_days]``.

    Computed from the generator's monthly hazards, given the account is a customer at
    ``as_of``. Returns one row per account that was a customer during the month of
    ``as_of`` (columns ``account_id``, ``probability``); callers comparing against observed
    labels should keep only accounts alive at ``as_of`` (``start_date <= as_of < end_date``).

    >>> tm = pd.DataFrame({"account_id": ["a", "a"],
    ...     "month_start": pd.to_datetime(["2025-01-01", "2025-02-01"]).date,
    ...     "churn_hazard": [0.0, 0.5]})
    >>> true_churn_probability(tm, "2025-01-31", 28)["probability"].round(3).tolist()
    [0.5]
    """
    if horizon_days <= 0:
        raise TruthError(f"horizon_days must be positive, got {horizon_days}")
    tm = _frame(truth_monthly)
    missing = {"account_id", "month_start", "churn_hazard"} - set(tm.columns)
    if missing:
        raise TruthError(
            f"truth_monthly lacks columns {sorted(missing)}; use the truth_monthly.parquet "
            "written by generate_demo"
        )
    start = np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64)
    end = start + int(horizon_days)
    month = pd.to_datetime(tm["month_start"]).to_numpy().astype("datetime64[D]")
    ms = month.astype(np.int64)
    me = (month.astype("datetime64[M]") + 1).astype("datetime64[D]").astype(np.int64)
    days = me - ms
    p = tm["churn_hazard"].to_numpy(dtype=np.float64)
    s = np.clip(start - ms + 1, 0, days) / days
    e = np.clip(end - ms + 1, 0, days) / days
    log_keep = np.log1p(-p * e) - np.log1p(-p * s)
    frame = pd.DataFrame(
        {
            "account_id": tm["account_id"].to_numpy(),
            "log_keep": log_keep,
            "current": (ms <= start) & (start < me),
        }
    )
    grouped = frame.groupby("account_id", sort=True).agg(
        log_keep=("log_keep", "sum"), current=("current", "any")
    )
    grouped = grouped[grouped["current"]]
    return pd.DataFrame(
        {
            "account_id": grouped.index.to_numpy(),
            "probability": -np.expm1(grouped["log_keep"].to_numpy()),
        }
    )
