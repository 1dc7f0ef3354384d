"""Key-driver analysis: which attribute ratings drive an overall outcome (satisfaction, NPS).

Relative importance by Johnson's relative weights (Johnson 2000): the drivers are replaced by
their closest orthogonal counterparts, the outcome is regressed on those, and each driver's
share of the explained variance (R^2) is recovered. The weights add up to R^2 and, unlike
regression coefficients, stay meaningful when the ratings are correlated (they always are).
Intervals: percentile bootstrap over respondents. Performance: the mean rating. The quadrant
compares each driver with the average importance and the average performance.

The ratings are model inputs, so the rows of the chosen columns come to Python (never more).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> x = pd.DataFrame(rng.integers(1, 6, (300, 3)), columns=["a", "b", "c"])
>>> x["overall"] = 2 * x.a + x.b + rng.normal(0, 1, 300)
>>> r = key_drivers(x, "overall", ["a", "b", "c"], n_boot=50)
>>> [d.driver for d in r.drivers][:2], round(sum(d.weight for d in r.drivers), 6) == round(r.r2, 6)
(['a', 'b'], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxpulse.metrics.errors import MetricQueryError

METHOD = "johnson relative weights, percentile bootstrap"
QUADRANTS = ("fix_first", "keep_up", "low_priority", "overkill")


@dataclass(frozen=True)
class DriverImportance:
    """One driver: its relative weight (share of R^2) with an interval, and its performance."""

    driver: str
    weight: float  # raw relative weight; the weights add up to R^2
    share: float  # percent of the explained variance, 0..100
    share_low: float
    share_high: float
    performance: float  # mean rating
    performance_low: float
    performance_high: float
    quadrant: str  # fix_first, keep_up, low_priority, overkill
    rank: int


@dataclass(frozen=True)
class DriverAnalysis:
    """The result of :func:`key_drivers`."""

    outcome: str
    drivers: list[DriverImportance]
    r2: float
    n: int
    dropped: int  # rows left out for a missing outcome or rating
    method: str
    confidence: float
    n_boot: int
    small_sample: bool

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per driver, most important first."""
        return [
            {
                **d.__dict__,
                "outcome": self.outcome,
                "r2": self.r2,
                "n": self.n,
                "method": self.method,
                "confidence": self.confidence,
            }
            for d in self.drivers
        ]


def relative_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's raw relative weights of the columns of ``x`` for ``y`` (they sum to R^2).

    From the correlations: ``R_xx = V diag(l) V'``, ``L = V diag(sqrt(l)) V'``,
    ``beta = L^-1 r_xy``, ``eps_j = sum_k L_jk^2 beta_k^2``.
    """
    data = np.column_stack([x, y])
    corr = np.corrcoef(data, rowvar=False)
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    values, vectors = np.linalg.eigh(rxx)
    values = np.clip(values, 1e-12, None)
    lam = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)  # type: ignore[no-any-return]


def _numeric(frame: pd.DataFrame, columns: Sequence[str], key: str) -> pd.DataFrame:
    """``columns`` as floats; a non-numeric value is refused with the catalogue message ``key``."""
    out = {}
    for c in columns:
        values = pd.to_numeric(frame[c], errors="coerce")
        bad = values.isna() & frame[c].notna()
        if bad.any():
            example = frame[c][bad].iloc[0]
            raise MetricQueryError(
                key=key,
                values={"column": c, "example": example},
                numbers={"more": int(bad.sum()) - 1},
            )
        out[c] = values.astype(float)
    return pd.DataFrame(out)


def _shown(value: float) -> float | int:
    """A rating as it was written: 5, not 5.0 (the message writes it in each language)."""
    return int(value) if float(value).is_integer() else float(value)


def key_drivers(
    frame: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    success: Sequence[Any] | None = None,
    missing_values: Sequence[float] = (),
    n_boot: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    small_sample_n: int = 30,
) -> DriverAnalysis:
    """Relative importance of ``drivers`` for ``outcome``, with bootstrap intervals.

    ``success``: values of a categorical outcome that count as 1 (e.g. ``["satisfied"]``);
    without it the outcome must be numeric. ``missing_values``: rating codes meaning "not
    answered" (the airline survey's 0 = not applicable); such cells are missing. Rows missing
    the outcome or any driver are left out and counted in ``dropped``.
    """
    names = list(dict.fromkeys(drivers))
    absent = [c for c in [outcome, *names] if c not in frame.columns]
    if absent:
        raise MetricQueryError(
            key="metrics.error.drivers_absent",
            values={
                "columns": ", ".join(map(repr, absent)),
                "known": ", ".join(map(str, frame.columns)),
            },
        )
    if len(names) < 2:
        raise MetricQueryError(key="metrics.error.drivers_two")
    if outcome in names:
        raise MetricQueryError(
            key="metrics.error.drivers_outcome_is_driver", values={"outcome": outcome}
        )
    x = _numeric(frame, names, "metrics.error.drivers_not_numeric")
    if missing_values:
        x = x.mask(x.isin(list(missing_values)))
    if success is not None:
        raw = frame[outcome]
        wanted = {str(s) for s in success}
        y = raw.astype("string").isin(wanted).astype(float).where(raw.notna())
    else:
        y = _numeric(frame, [outcome], "metrics.error.drivers_outcome_not_numeric")[outcome]
    keep = x.notna().all(axis=1) & y.notna()
    xs, ys = x[keep].to_numpy(), y[keep].to_numpy()
    n = int(keep.sum())
    if n <= len(names) + 1:
        raise MetricQueryError(
            key="metrics.error.drivers_few_rows",
            numbers={"n": n, "drivers": len(names), "need": len(names) + 2},
        )
    constant = [j for j, sd in enumerate(xs.std(axis=0)) if sd == 0]
    if len(constant) == 1:
        j = constant[0]
        raise MetricQueryError(
            key="metrics.error.drivers_constant",
            values={"columns": repr(names[j])},
            numbers={"value": _shown(xs[0, j])},
        )
    if constant:
        raise MetricQueryError(
            key="metrics.error.drivers_constant_many",
            values={"columns": ", ".join(repr(names[j]) for j in constant)},
        )
    if ys.std() == 0:
        if success is None:
            raise MetricQueryError(
                key="metrics.error.drivers_outcome_constant",
                values={"outcome": outcome},
                numbers={"value": _shown(ys[0])},
            )
        seen = sorted({str(v) for v in frame[outcome][keep]})
        raise MetricQueryError(
            key="metrics.error.drivers_all_success"
            if ys[0]
            else "metrics.error.drivers_no_success",
            values={
                "outcome": outcome,
                "success": ", ".join(map(str, success)),
                "values": ", ".join(seen[:10]) + (", ..." if len(seen) > 10 else ""),
            },
        )
    weights = relative_weights(xs, ys)
    r2 = float(weights.sum())
    rng = np.random.default_rng(seed)
    boot = np.empty((n_boot, len(names)))
    perf_boot = np.empty((n_boot, len(names)))
    for b in range(n_boot):
        idx = rng.integers(0, n, n)
        xb, yb = xs[idx], ys[idx]
        if (xb.std(axis=0) == 0).any() or yb.std() == 0:
            boot[b] = np.nan
            perf_boot[b] = np.nan
            continue
        w = relative_weights(xb, yb)
        boot[b] = 100 * w / w.sum()
        perf_boot[b] = xb.mean(axis=0)
    alpha = (1 - confidence) / 2
    share = 100 * weights / r2
    low, high = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
    perf = xs.mean(axis=0)
    p_low, p_high = np.nanquantile(perf_boot, [alpha, 1 - alpha], axis=0)
    mean_share, mean_perf = share.mean(), perf.mean()
    order = np.argsort(-share, kind="stable")
    out = []
    for rank, j in enumerate(order, start=1):
        important, good = share[j] >= mean_share, perf[j] >= mean_perf
        quadrant = (
            ("keep_up" if good else "fix_first")
            if important
            else ("overkill" if good else "low_priority")
        )
        out.append(
            DriverImportance(
                driver=names[j],
                weight=float(weights[j]),
                share=float(share[j]),
                share_low=float(low[j]),
                share_high=float(high[j]),
                performance=float(perf[j]),
                performance_low=float(p_low[j]),
                performance_high=float(p_high[j]),
                quadrant=quadrant,
                rank=rank,
            )
        )
    return DriverAnalysis(
        outcome=outcome,
        drivers=out,
        r2=r2,
        n=n,
        dropped=int(len(frame) - n),
        method=METHOD,
        confidence=confidence,
        n_boot=n_boot,
        small_sample=n < small_sample_n,
    )


def table_drivers(
    ws: Any,
    table: str,
    outcome: str,
    drivers: Sequence[str],
    **options: Any,
) -> DriverAnalysis:
    """:func:`key_drivers` on columns of a workspace table (built-in columns or attributes).

    Only the outcome and driver columns are read.
    """
    t = ws.table(table)
    absent = [c for c in [outcome, *drivers] if c not in t.columns]
    if absent:
        raise MetricQueryError(
            key="metrics.error.drivers_not_in_table",
            values={
                "columns": ", ".join(map(repr, absent)),
                "table": table,
                "known": ", ".join(t.columns),
            },
        )
    frame = t.select(*dict.fromkeys([outcome, *drivers])).execute()
    options.setdefault("confidence", ws.config.metrics.confidence)
    options.setdefault("small_sample_n", ws.config.metrics.small_sample_n)
    return key_drivers(frame, outcome, drivers, **options)
