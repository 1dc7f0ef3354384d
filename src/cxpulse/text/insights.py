"""Comment insights read from the stored analysis: themes with counts, sentiment, monthly
trend, examples, and which themes go with detractors, by segment and indicator.

:func:`cxpulse.text.comment_analysis` embeds and clusters the comments once and writes
``comment_themes`` and ``comment_theme_summary`` to the workspace; this module only runs
ibis aggregations over those tables joined to ``responses`` and ``accounts``, so a page
answers in well under a second instead of re-analysing (8 s and more) on every request.

Theme names come from the catalogue key in the reader's language; a theme with no catalogue
match is named by its distinctive words; a second theme with the same catalogue name is
numbered ("Soporte (2)") rather than given a word from another language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis
import pandas as pd

from cxpulse.stats import Estimate, compare_proportions, wilson_interval
from cxpulse.text.analysis import COMMENT_THEMES, DETRACTOR_MAX, THEME_SUMMARY
from cxpulse.text.catalog import theme_name


@dataclass(frozen=True)
class ThemeRow:
    theme_id: int
    name: str
    key: str | None
    words: str
    n: int
    share: float  # of the comments in the selection, 0..1
    pct_negative: float
    pct_positive: float
    mean_sentiment: float
    detractors: Estimate  # share of detractors among the theme's comments
    others: Estimate  # ... among the other comments
    lift_significant: bool
    difference: float
    examples: list[str] = field(default_factory=list)


@dataclass
class Insights:
    computed_at: Any
    n_comments: int
    themes: list[ThemeRow]
    trend: pd.DataFrame  # month, theme_id, name, n, share
    segments: list[str]
    by_segment: pd.DataFrame  # segment, theme_id, name, n, share, detractor_share

    @property
    def empty(self) -> bool:
        return self.n_comments == 0


def is_analysed(ws: Any) -> bool:
    """Whether the comment analysis has been stored in this workspace."""
    tables = set(ws.con.list_tables())
    return COMMENT_THEMES in tables and THEME_SUMMARY in tables


def analysis_stamp(ws: Any) -> str:
    """When the stored analysis was computed (changes with every new analysis)."""
    t = ws.table(THEME_SUMMARY)
    return str(t.computed_at.max().execute())


def theme_names(summary: pd.DataFrame, lang: str) -> dict[int, str]:
    """Theme id -> name in ``lang`` (catalogue name, numbered when repeated; else its words)."""
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for row in summary.sort_values("size", ascending=False).itertuples(index=False):
        key = row.key if isinstance(row.key, str) and row.key else None
        if key is None:
            words = getattr(row, "words", None)
            no_words = isinstance(words, str) and not words.strip()
            names[int(row.theme_id)] = theme_name("other", lang) if no_words else str(row.label)
            continue
        seen[key] = seen.get(key, 0) + 1
        base = theme_name(key, lang)
        names[int(row.theme_id)] = base if seen[key] == 1 else f"{base} ({seen[key]})"
    return names


def theme_insights(
    ws: Any,
    *,
    lang: str,
    segment: str | None = None,
    kind: str | None = None,
    start: date | None = None,
    confidence: float = 0.95,
    small_n: int = 30,
    examples: int = 3,
) -> Insights:
    """Aggregates of the stored comment analysis for one selection (segment, indicator,
    answers since ``start``)."""
    summary = ws.table(THEME_SUMMARY).execute()
    names = theme_names(summary, lang)
    r = ws.table("responses")
    ct = ws.table(COMMENT_THEMES)
    base = r.select("response_id", "account_id", "kind", "score", "responded_at")
    themed = ct.select(
        _rid=ct.response_id,
        theme_id=ct.theme_id,
        sentiment_score=ct.sentiment_score,
        sentiment_label=ct.sentiment_label,
    )
    t = base.join(themed, base.response_id == themed._rid).drop("_rid")
    a = ws.table("accounts")
    accounts = a.select(_aid=a.account_id, segment=a.segment)
    t = t.left_join(accounts, t.account_id == accounts._aid).drop("_aid")
    if kind in DETRACTOR_MAX:
        t = t.filter(t.kind == kind)
    if start is not None:
        t = t.filter(t.responded_at >= ibis.literal(pd.Timestamp(start)))
    segments = sorted(str(s) for s in t.select("segment").distinct().execute()["segment"].dropna())
    if segment:
        t = t.filter(t.segment == segment)
    detractor = ibis.literal(False)
    for k, top in DETRACTOR_MAX.items():
        detractor = detractor | ((t.kind == k) & (t.score <= top))
    t = t.mutate(detractor=detractor.ifelse(1, 0))
    per_theme = (
        t.group_by("theme_id")
        .aggregate(
            n=t.count(),
            detractors=t.detractor.sum(),
            positive=(t.sentiment_label == "positive").ifelse(1, 0).sum(),
            negative=(t.sentiment_label == "negative").ifelse(1, 0).sum(),
            mean_sentiment=t.sentiment_score.mean(),
        )
        .execute()
    )
    total = int(per_theme["n"].sum()) if not per_theme.empty else 0
    total_d = int(per_theme["detractors"].sum()) if not per_theme.empty else 0
    by_id = summary.set_index("theme_id")
    rows: list[ThemeRow] = []
    for row in per_theme.itertuples(index=False):
        n, d = int(row.n), int(row.detractors)
        with_theme = wilson_interval(d, n, confidence)
        without = wilson_interval(total_d - d, total - n, confidence)
        cmp = compare_proportions(d, n, total_d - d, total - n, confidence)
        info = by_id.loc[int(row.theme_id)]
        rows.append(
            ThemeRow(
                theme_id=int(row.theme_id),
                name=names.get(int(row.theme_id), str(info["label"])),
                key=info["key"] if isinstance(info["key"], str) else None,
                words=str(info["words"]),
                n=n,
                share=n / total if total else 0.0,
                pct_negative=100.0 * int(row.negative) / n,
                pct_positive=100.0 * int(row.positive) / n,
                mean_sentiment=float(row.mean_sentiment),
                detractors=_small(with_theme, small_n),
                others=_small(without, small_n),
                lift_significant=bool(cmp.significant),
                difference=float(cmp.difference),
                examples=json.loads(str(info["examples"]))[:examples],
            )
        )
    rows.sort(key=lambda x: -x.n)
    monthly = t.mutate(month=t.responded_at.truncate("M"))
    trend = monthly.group_by(["month", "theme_id"]).aggregate(n=monthly.count()).execute()
    if not trend.empty:
        trend["month"] = pd.to_datetime(trend["month"]).dt.date
        per_month = trend.groupby("month")["n"].transform("sum")
        trend["share"] = trend["n"] / per_month
        trend["name"] = trend["theme_id"].map(names)
    seg = (
        t.group_by(["segment", "theme_id"])
        .aggregate(n=t.count(), detractors=t.detractor.sum())
        .execute()
    )
    if not seg.empty:
        seg["share"] = seg["n"] / seg.groupby("segment")["n"].transform("sum")
        seg["detractor_share"] = seg["detractors"] / seg["n"]
        seg["name"] = seg["theme_id"].map(names)
    computed = summary["computed_at"].max() if "computed_at" in summary else None
    return Insights(
        computed_at=computed,
        n_comments=total,
        themes=rows,
        trend=trend,
        segments=segments,
        by_segment=seg,
    )


def _small(e: Estimate, small_n: int) -> Estimate:
    from dataclasses import replace

    return replace(e, small_sample=e.n < small_n)
