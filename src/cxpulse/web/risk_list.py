"""The at-risk list people act on: the health summary's rows plus the top reasons, renewal
date, open cases and manual overrides. One function builds it for the page, the exports and
``/api/v1/health/at-risk``, so the three always agree.

Reasons are the signals pulling the score down most (from the stored explanation). The
renewal date is the account's ``renewal_date`` column when the project has one, else the next
anniversary of ``start_date`` after the snapshot (annual terms), and is marked estimated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from cxpulse.web.health_summary import BANDS, HealthSummary

TOP_REASONS = 3


@dataclass(frozen=True)
class Reason:
    signal: str
    label: str
    value: float | str | None  # a categorical signal's value is its level
    points: float


def top_reasons(explanation_json: Any, lang: str, top: int = TOP_REASONS) -> list[Reason]:
    """The signals that take most points off an account's score, worst first."""
    from cxpulse.health.explain import signal_label

    if not isinstance(explanation_json, str) or not explanation_json:
        return []
    doc = json.loads(explanation_json)
    downs = sorted(
        (d for d in doc.get("drivers", []) if float(d[1]) < 0), key=lambda d: float(d[1])
    )
    return [
        Reason(str(d[0]), signal_label(str(d[0]), lang), d[2], float(d[1])) for d in downs[:top]
    ]


def next_anniversary(start: date, after: date) -> date:
    """The first anniversary of ``start`` strictly after ``after`` (29 Feb -> 28 Feb)."""
    year = max(after.year, start.year + 1)
    for y in (year, year + 1):
        try:
            candidate = start.replace(year=y)
        except ValueError:
            candidate = date(y, 2, 28)
        if candidate > after:
            return candidate
    return date(year + 1, start.month, min(start.day, 28))  # pragma: no cover


def renewal_dates(ws: Any, as_of: date | None) -> dict[str, tuple[date, bool]]:
    """Account id -> (renewal date, estimated?) for live accounts."""
    t = ws.table("accounts")
    cols = [c for c in ("account_id", "start_date", "end_date", "renewal_date") if c in t.columns]
    frame = t.select(*cols).execute()
    day = as_of or date.today()
    out: dict[str, tuple[date, bool]] = {}
    for row in frame.itertuples(index=False):
        if "end_date" in cols and pd.notna(row.end_date):
            continue  # churned: no renewal ahead
        given = getattr(row, "renewal_date", None)
        if given is not None and pd.notna(given):
            out[str(row.account_id)] = (pd.Timestamp(given).date(), False)
        elif pd.notna(row.start_date):
            out[str(row.account_id)] = (
                next_anniversary(pd.Timestamp(row.start_date).date(), day),
                True,
            )
    return out


def mrr_by_band(summary: HealthSummary) -> dict[str, float | None]:
    """Total MRR of the scored accounts in each band (None when no account has an MRR)."""
    scores = summary.scores
    out: dict[str, float | None] = {}
    for band in BANDS:
        values = scores.loc[scores["band"] == band, "mrr"] if "mrr" in scores else pd.Series([])
        values = pd.to_numeric(values, errors="coerce").dropna()
        out[band] = float(values.sum()) if len(values) else None
    return out


def enrich(
    frame: pd.DataFrame,
    *,
    lang: str,
    renewals: dict[str, tuple[date, bool]],
    open_cases: dict[str, int],
    overrides: dict[str, Any],
) -> pd.DataFrame:
    """Add reasons, renewal date, open-case count and override columns to at-risk rows."""
    out = frame.copy()
    explanations = out["explanation"] if "explanation" in out else pd.Series([None] * len(out))
    out["reasons"] = [top_reasons(e, lang) for e in explanations]
    out["renewal_date"] = [renewals.get(a, (None, False))[0] for a in out["account_id"]]
    out["renewal_estimated"] = [renewals.get(a, (None, False))[1] for a in out["account_id"]]
    out["open_cases"] = [int(open_cases.get(a, 0)) for a in out["account_id"]]
    out["override_band"] = [
        overrides[a].band if a in overrides else None for a in out["account_id"]
    ]
    out["override_until"] = [
        overrides[a].expires_at if a in overrides else None for a in out["account_id"]
    ]
    out["override_reason"] = [
        overrides[a].reason if a in overrides else None for a in out["account_id"]
    ]
    return out
