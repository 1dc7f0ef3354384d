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

Those hazards depend on the health of months after ``as_of``, which nothing observable at
``as_of`` reveals; :func:`forecast_churn_probability` is the generator's own forecast from the
health known at ``as_of`` (the fair ceiling a health model is compared with), and
:func:`true_churn_probability` the realised-hazard probability (the labels' exact law).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxpulse.datasets.company import CHURN_A, CHURN_B, PHI, SIGMA
from cxpulse.errors import CxpulseError

TRUTH_COLUMNS = ("account_id", "month_start", "churn_hazard")


class TruthError(CxpulseError):
    """The truth table given to a known-truth computation is not usable."""


def _frame(truth_monthly: Any, columns: tuple[str, ...] = TRUTH_COLUMNS) -> pd.DataFrame:
    if isinstance(truth_monthly, str | Path):
        return pq.read_table(truth_monthly, columns=list(columns)).to_pandas()
    if isinstance(truth_monthly, pa.Table):
        return truth_monthly.to_pandas()
    if isinstance(truth_monthly, pd.DataFrame):
        return truth_monthly
    raise TruthError(
        f"truth tables must be a path, a pyarrow.Table or a pandas.DataFrame, got "
        f"{type(truth_monthly).__name__}; pass DemoFiles.truth_monthly (or DemoFiles.truth)"
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
    tm = _checked(_frame(truth_monthly), TRUTH_COLUMNS)
    start = int(np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64))
    end = start + int(horizon_days)
    ms, me = _month_days(tm)
    p = tm["churn_hazard"].to_numpy(dtype=np.float64)
    s, e = _shares(ms, me, start, end)
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


def _logit(health: np.ndarray) -> np.ndarray:
    return np.log(health / (100.0 - health))


def _checked(tm: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    missing = set(columns) - set(tm.columns)
    if missing:
        raise TruthError(
            f"truth_monthly lacks columns {sorted(missing)}; use the truth_monthly.parquet "
            "written by generate_demo"
        )
    return tm


def _month_days(tm: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    month = pd.to_datetime(tm["month_start"]).to_numpy().astype("datetime64[D]")
    ms = month.astype(np.int64)
    me = (month.astype("datetime64[M]") + 1).astype("datetime64[D]").astype(np.int64)
    return ms, me


def _shares(
    ms: np.ndarray, me: np.ndarray, start: np.ndarray | int, end: np.ndarray | int
) -> tuple[np.ndarray, np.ndarray]:
    """Shares of each month's days on or before ``start`` and on or before ``end``."""
    days = me - ms
    return np.clip(start - ms + 1, 0, days) / days, np.clip(end - ms + 1, 0, days) / days


def forecast_churn_probability(
    truth_monthly: Any,
    truth: Any,
    as_of: Any,
    horizon_days: int,
    *,
    paths: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Churn probability in ``(as_of, as_of + horizon_days]`` knowing only the health so far.

    :func:`true_churn_probability` uses the hazards the generator actually drew, which
    depend on health months *after* ``as_of``: no model reading data before ``as_of`` can
    know them. This is the generator's own forecast instead: it knows the hidden health of
    the month of ``as_of`` and the account's base level, and averages the future over
    ``paths`` simulated AR(1) continuations (the same law the generator used). It is the
    fair ceiling for a health model's ranking; ``truth`` is ``DemoFiles.truth`` (for
    ``base_health``). Same rows and columns as :func:`true_churn_probability`.
    """
    if horizon_days <= 0:
        raise TruthError(f"horizon_days must be positive, got {horizon_days}")
    if paths < 1:
        raise TruthError(f"paths must be at least 1, got {paths}")
    tm = _checked(_frame(truth_monthly, (*TRUTH_COLUMNS, "health")), (*TRUTH_COLUMNS, "health"))
    base = _frame(truth, ("account_id", "base_health"))
    base = _checked(base, ("account_id", "base_health")).set_index("account_id").base_health
    start = int(np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64))
    end = start + int(horizon_days)
    ms, me = _month_days(tm)
    now = tm[(ms <= start) & (start < me)]
    ms_now, me_now = _month_days(now)
    p0 = now["churn_hazard"].to_numpy(dtype=np.float64)
    s0, e0 = _shares(ms_now, me_now, start, end)
    keep_now = (1 - p0 * e0) / (1 - p0 * s0)
    h_now = _logit(now["health"].to_numpy(dtype=np.float64))
    b = _logit(base.reindex(now["account_id"]).to_numpy(dtype=np.float64))
    # months after the month of as_of that the window reaches and the generator simulated
    after = np.unique(ms)
    after = after[(after >= me_now.max()) & (after <= end)] if len(now) else after[:0]
    ends = (after.astype("datetime64[D]").astype("datetime64[M]") + 1).astype("datetime64[D]")
    _, e_future = _shares(after, ends.astype(np.int64), start, end)
    rng = np.random.default_rng(seed)
    keep = np.empty(len(now))
    for lo in range(0, len(now), 2000):
        sl = slice(lo, lo + 2000)
        d = np.repeat((h_now - b)[sl, None], paths, axis=1)
        survive = np.ones_like(d)
        for e in e_future:
            d = PHI * d + SIGMA * rng.normal(size=d.shape)
            survive *= 1 - e / (1.0 + np.exp(-(CHURN_A + CHURN_B * (b[sl, None] + d))))
        keep[sl] = survive.mean(axis=1)
    return pd.DataFrame(
        {"account_id": now["account_id"].to_numpy(), "probability": 1 - keep_now * keep}
    ).sort_values("account_id", ignore_index=True)
