"""What the health page shows, read through :mod:`cxpulse.health` (latest scores, band changes).

The latest snapshot is one row per account (already a per-account result of the engine);
the page bins and counts those rows and joins a few account columns for the at-risk list.
"""

from __future__ import annotations

import io
import itertools
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cxpulse.export_cells import safe_frame, write_text_cells
from cxpulse.workspace import Workspace

BANDS = ("red", "yellow", "green")
ACCOUNT_COLUMNS = ("account_id", "name", "segment", "owner", "country", "mrr")
SORTABLE = ("score", "name", "segment", "owner", "mrr", "account_id")
RISK_CHOICES = ("red", "risk", "all")  # red only, red + yellow, everyone


@dataclass
class HealthSummary:
    """The latest health snapshot of every account and what changed since the one before."""

    model: str | None
    as_of: date | None
    previous_as_of: date | None
    scores: pd.DataFrame  # account_id, score, band, name, segment, owner, country, mrr, moved_from
    band_counts: dict[str, int] = field(default_factory=dict)
    movement: list[dict[str, Any]] = field(default_factory=list)  # from, to, count
    models: list[str] = field(default_factory=list)
    red_below: float = 40.0
    green_from: float = 70.0
    band_method: str = "score"
    meanings: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> band -> text

    @property
    def has_scores(self) -> bool:
        return not self.scores.empty

    @property
    def total(self) -> int:
        return len(self.scores)

    def histogram(self, width: int = 10) -> list[dict[str, Any]]:
        """Accounts per score bin, coloured by the band of the bin's accounts.

        Bins are ``width`` points wide, and also split at the band cut-offs (``red_below``,
        ``green_from``), so no bin straddles a threshold: a learned model's cut-offs such as
        83.7 give the bins 80-83.7 (red) and 83.7-90 (yellow). A bin whose accounts carry
        more than one stored band (a snapshot banded otherwise) gives one entry per band.
        """
        cuts = [c for c in (self.red_below, self.green_from) if 0 < c < 100]
        edges = np.unique(np.concatenate([np.arange(0, 100 + width, width), cuts]))
        score = self.scores["score"].clip(0, 100).to_numpy(dtype="float64")
        bands = self.scores["band"].astype(str).to_numpy()
        # the bin of each score: [a, b) except the last, [a, 100]
        which = np.clip(np.searchsorted(edges, score, side="right") - 1, 0, len(edges) - 2)
        out = []
        for i, (start, end) in enumerate(itertools.pairwise(edges)):
            mine = bands[which == i]
            mid = (start + end) / 2
            expected = (
                "red" if mid < self.red_below else "green" if mid >= self.green_from else "yellow"
            )
            present = [b for b in BANDS if (mine == b).any()] or [expected]
            for band in present:
                out.append(
                    {
                        "start": _edge(start),
                        "end": _edge(end),
                        "count": int((mine == band).sum()),
                        "band": band,
                    }
                )
        return out


def _edge(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _empty(model: str | None, models: list[str] | None = None) -> HealthSummary:
    cols = [*ACCOUNT_COLUMNS, "score", "band", "moved_from"]
    return HealthSummary(model, None, None, pd.DataFrame(columns=cols), models=models or [])


def stored_models(ws: Workspace) -> list[str]:
    """Names of the models with stored score snapshots."""
    from cxpulse.health import SCORES_TABLE

    if SCORES_TABLE not in ws.con.list_tables():
        return []
    t = ws.table(SCORES_TABLE)
    return sorted(str(m) for m in t.select("model").distinct().execute()["model"])


def health_summary(ws: Workspace, model: str | None = None) -> HealthSummary:
    """The current scores of ``model`` (default: the active model, the one every page shows).

    Scores come from :func:`cxpulse.health.current_scores`, the same function the account
    page, the API and the CLI read, so the numbers agree everywhere.
    """
    from cxpulse.health import band_changes, current_scores

    models = stored_models(ws)
    current = current_scores(ws, model=model if model in models else None)
    chosen = current.model
    if current.empty or current.as_of is None:
        return _empty(chosen, models)
    as_of = current.as_of
    rows = current.scores

    accounts = ws.table("accounts")
    info = accounts.select(*ACCOUNT_COLUMNS).execute()
    info["account_id"] = info["account_id"].astype(str)
    keep = [c for c in ("account_id", "score", "band", "explanation") if c in rows.columns]
    merged = rows[keep].merge(info, on="account_id", how="left")

    changes = [c for c in band_changes(ws, since=as_of, model=chosen) if c.at == as_of]
    moved = {c.account_id: c.from_band for c in changes}
    merged["moved_from"] = merged["account_id"].map(moved)
    movement: dict[tuple[str, str], int] = {}
    for c in changes:
        movement[(c.from_band, c.to_band)] = movement.get((c.from_band, c.to_band), 0) + 1
    previous = _previous_as_of(ws, chosen, as_of)
    return HealthSummary(
        model=chosen,
        as_of=as_of,
        previous_as_of=previous,
        scores=merged,
        band_counts={b: int((merged["band"] == b).sum()) for b in BANDS},
        movement=[
            {"from": f, "to": t, "count": n, "drop": BANDS.index(t) < BANDS.index(f)}
            for (f, t), n in sorted(movement.items(), key=lambda kv: -kv[1])
        ],
        models=models,
        red_below=current.cutoffs.red_below,
        green_from=current.cutoffs.green_from,
        band_method=current.cutoffs.method,
        meanings={lang: current.meanings(lang) for lang in ("es", "en")},
    )


def _previous_as_of(ws: Workspace, model: str, as_of: date) -> date | None:
    from cxpulse.health import SCORES_TABLE

    t = ws.table(SCORES_TABLE)
    before = t.filter((t.model == model) & (t.as_of < as_of)).as_of.max().execute()
    if before is None or pd.isna(before):
        return None
    return pd.Timestamp(before).date()


def at_risk(
    summary: HealthSummary, *, risk: str = "red", sort: str = "score", descending: bool = False
) -> pd.DataFrame:
    """The accounts to look after first: red (or red + yellow, or all), sorted."""
    frame = summary.scores
    if risk == "red":
        frame = frame[frame["band"] == "red"]
    elif risk == "risk":
        frame = frame[frame["band"].isin(["red", "yellow"])]
    key = sort if sort in SORTABLE else "score"
    return frame.sort_values(
        [key, "account_id"], ascending=[not descending, True], na_position="last"
    ).reset_index(drop=True)


EXPORT_COLUMNS = (
    "account_id",
    "name",
    "segment",
    "owner",
    "country",
    "mrr",
    "score",
    "band",
    "moved_from",
)


def export_frame(frame: pd.DataFrame, as_of: date | None, model: str | None) -> pd.DataFrame:
    out = frame[list(EXPORT_COLUMNS)].copy()
    out.insert(0, "as_of", as_of)
    out.insert(1, "model", model)
    return out


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with missing values as ``None`` (templates and JSON)."""
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {
                k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                for k, v in row.items()
            }
        )
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark so spreadsheet programs read accents right; text
    that a spreadsheet would run as a formula is escaped (:mod:`cxpulse.export_cells`)."""
    # CRLF line ends (RFC 4180): a field holding a lone CR is then quoted, not split
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_excel(frame: pd.DataFrame, sheet: str = "at-risk") -> bytes:
    """An .xlsx workbook with one sheet; formula-like text is stored as text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet)
        sheet_obj = writer.sheets[sheet]
        write_text_cells(sheet_obj)
        for column in sheet_obj.columns:
            width = max(len(str(c.value or "")) for c in column[:200]) + 2
            sheet_obj.column_dimensions[column[0].column_letter].width = min(width, 40)
    return buffer.getvalue()
