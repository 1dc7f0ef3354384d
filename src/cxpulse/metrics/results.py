"""Metric results: one value per metric, group and period, with n, interval and method.

>>> row = MetricValue("csat", {}, None, 80.0, 10, 49.0, 94.3, "wilson", True, "%")
>>> MetricTable([row]).to_pandas()[["metric", "value", "n"]].to_dict("records")
[{'metric': 'csat', 'value': 80.0, 'n': 10}]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class MetricValue:
    """One indicator value. Percent metrics are on 0..100, NPS on -100..100."""

    metric: str
    group: dict[str, Any]
    period: date | None
    value: float
    n: int
    ci_low: float
    ci_high: float
    method: str
    small_sample: bool
    unit: str
    extra: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.95

    def record(self) -> dict[str, Any]:
        """A JSON-ready dict: NaN becomes None, the period an ISO date, numbers plain."""
        out: dict[str, Any] = {"metric": self.metric, **self.group}
        out["period"] = self.period.isoformat() if self.period else None
        out.update(
            value=_plain(self.value),
            n=int(self.n),
            ci_low=_plain(self.ci_low),
            ci_high=_plain(self.ci_high),
            confidence=float(self.confidence),
            method=self.method,
            small_sample=bool(self.small_sample),
            unit=self.unit,
        )
        out.update({k: _plain(v) for k, v in self.extra.items()})
        return out


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class MetricTable:
    """The rows of a metric query, sorted by metric, group and period."""

    rows: list[MetricValue]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rows)

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per row, every row with the same keys (missing ones None), so a
        key has one type however the metrics are combined (counts stay integers).

        >>> row = MetricValue("csat", {}, None, 80.0, 10, 49.0, 94.3, "wilson", True, "%")
        >>> MetricTable([row]).to_records()[0]["n"]
        10
        """
        records = [r.record() for r in self.rows]
        keys = list(dict.fromkeys(k for rec in records for k in rec))
        return [{k: rec.get(k) for k in keys} for rec in records]

    def to_pandas(self) -> pd.DataFrame:
        """One row per value: metric, the group columns, period, value, n, CI, method...

        Entries of ``extra`` become columns of their own (empty for metrics without them).
        """
        records: list[dict[str, Any]] = []
        for r in self.rows:
            rec: dict[str, Any] = {"metric": r.metric, **r.group, "period": r.period}
            rec.update(
                value=r.value,
                n=r.n,
                ci_low=r.ci_low,
                ci_high=r.ci_high,
                method=r.method,
                small_sample=r.small_sample,
                unit=r.unit,
            )
            rec.update(r.extra)
            records.append(rec)
        base = ["metric", "period", "value", "n", "ci_low", "ci_high", "method"]
        if not records:
            return pd.DataFrame(columns=[*base, "small_sample", "unit"])
        return pd.DataFrame.from_records(records)
