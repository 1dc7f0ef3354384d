"""Kaplan-Meier survival of account lifetimes (start_date to end_date), by segment.

The engine counts accounts per group, lifetime (whole days or months) and whether it ended;
only that risk table comes back. The curve and its pointwise interval come from SciPy's
``stats.ecdf`` on right-censored data (Greenwood variance, log-log transform, so the interval
stays inside [0, 1]); accounts without an end date are censored at the last date in the data.

>>> from cxpulse.workspace import Workspace
>>> survival_curves(Workspace.connect("duckdb://")).empty
True
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import ibis

from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.frame import clean, split_dimensions

METHOD = "kaplan-meier, greenwood log-log interval (scipy.stats.ecdf)"
UNITS = {"day": 1.0, "month": 30.436875}


def risk_table(ws: Any, by: Sequence[str], unit: str) -> Any:
    """Accounts per group, lifetime (in ``unit``) and ended flag, computed in the engine."""
    if unit not in UNITS:
        raise MetricQueryError(key="metrics.error.survival_unit", values={"unit": unit})
    split_dimensions("accounts", by, ws)
    acc = ws.table("accounts")
    last = acc.aggregate(a=acc.start_date.max(), b=acc.end_date.max()).execute()
    ends = [clean(v) for v in last.iloc[0].tolist() if clean(v) is not None]
    if not ends:
        return None
    censor = ibis.literal(max(ends), type="date")
    stop = acc.end_date.fill_null(censor)
    days = (stop.epoch_seconds() - acc.start_date.epoch_seconds()) / 86400.0
    lifetime = (days / UNITS[unit]).floor().cast("int64")
    t = acc.mutate(_t=lifetime, _ended=acc.end_date.notnull())
    t = t.filter(t._t >= 0)
    return t.group_by([*by, "_t", "_ended"]).aggregate(accounts=t.count()).execute()


def survival_curves(
    ws: Any,
    *,
    by: Sequence[str] | str | None = None,
    unit: str = "month",
    confidence: float | None = None,
) -> Any:
    """One row per group and lifetime with an event: survival, its interval, at risk, ended.

    ``unit``: day or month (lifetimes in whole units since the start).
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    dims = [by] if isinstance(by, str) else list(by or [])
    level = confidence if confidence is not None else ws.config.metrics.confidence
    table = risk_table(ws, dims, unit)
    columns = [*dims, unit + "s", "survival", "ci_low", "ci_high", "at_risk", "ended", "method"]
    if table is None or table.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    groups = table.groupby(dims, dropna=False) if dims else [((), table)]
    for key, part in groups:
        ended = part[part._ended.astype(bool)]
        censored = part[~part._ended.astype(bool)]
        events = np.repeat(ended._t.to_numpy(float), ended.accounts.to_numpy(int))
        right = np.repeat(censored._t.to_numpy(float), censored.accounts.to_numpy(int))
        if events.size == 0:
            continue  # no one ended: the curve stays at 1, nothing to estimate
        result = stats.ecdf(stats.CensoredData(uncensored=events, right=right))
        with warnings.catch_warnings():  # undefined where survival reaches 0: reported as NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            ci = result.sf.confidence_interval(level, method="log-log")
        times = result.sf.quantiles
        all_t = np.concatenate([events, right])
        values = key if isinstance(key, tuple) else (key,)
        for i, time in enumerate(times):
            if not (events == time).any():
                continue  # scipy also lists censoring times; the curve only moves at events
            rows.append(
                {
                    **dict(zip(dims, values, strict=True)),
                    unit + "s": int(time),
                    "survival": float(result.sf.probabilities[i]),
                    "ci_low": float(ci.low.probabilities[i]),
                    "ci_high": float(ci.high.probabilities[i]),
                    "at_risk": int((all_t >= time).sum()),
                    "ended": int((events == time).sum()),
                    "method": METHOD,
                }
            )
    return pd.DataFrame(rows, columns=columns)
