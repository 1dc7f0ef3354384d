"""Comment analysis over the workspace: themes and sentiment by segment and over time, and
which themes go with detractors.

Only the comment texts (with their response keys and language) leave the engine: they are the
input of the sentiment scorer and the sentence encoder. The per-comment results are written
back to the workspace as ``comment_themes`` (one row per response with a comment) and
``comment_theme_summary`` (one row per theme, with examples), and every count, mean and share
by segment, period, theme and indicator is an ibis aggregation over those tables joined to
``responses`` (and ``accounts`` for account dimensions).

A detractor is an NPS answer of 0-6, a CSAT answer of 1-2 or a CES answer of 1-3. Counts are
responses that carry a comment: a comment given with two answers (NPS and CSAT) counts once for
each indicator.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from cxpulse.errors import NotEnoughDataError
from cxpulse.locale import gettext
from cxpulse.metrics.frame import PERIOD, QuerySpec, in_range, split_dimensions, with_account_dims
from cxpulse.metrics.periods import period_value, truncate
from cxpulse.stats import Comparison, Estimate, compare_proportions, wilson_interval
from cxpulse.text.language import LANGUAGES, Language, detect_language, language_scores
from cxpulse.text.sentiment import sentiment
from cxpulse.text.themes import ThemeModel, find_themes

COMMENT_THEMES: Final = "comment_themes"
THEME_SUMMARY: Final = "comment_theme_summary"
DETRACTOR_MAX: Final[dict[str, int]] = {"nps": 6, "csat": 2, "ces": 3}


@dataclass(frozen=True)
class ThemeDriver:
    """How much more often detractors mention a theme: share of detractors among the comments
    of one indicator (``kind``) with the theme vs. without it (proportions 0..1)."""

    kind: str
    theme_id: int
    label: str
    key: str | None
    with_theme: Estimate
    without_theme: Estimate
    comparison: Comparison  # with_theme - without_theme

    @property
    def difference(self) -> float:
        return self.comparison.difference


@dataclass
class CommentAnalysis:
    """Everything :func:`comment_analysis` found. Frames hold aggregates only.

    - ``themes``: theme_id, label, key, words, n, share, mean_sentiment, pct_positive,
      pct_negative, examples (one row per theme, largest first)
    - ``sentiment``: the ``by`` columns and ``period`` (when a grain is set), n,
      mean_sentiment, pct_positive, pct_negative
    - ``themes_by``: the ``by`` columns and ``period``, theme_id, label, n, share (of the
      group's comments), mean_sentiment
    - ``drivers``: one :class:`ThemeDriver` per indicator and theme, largest difference first
    - ``examples_by``: the ``by`` columns and ``period``, theme_id, label, comment, similarity:
      the comments closest to the theme centroid in each group (empty without ``by``/grain)
    """

    model: ThemeModel
    n_comments: int
    by: tuple[str, ...]
    grain: str | None
    themes: pd.DataFrame
    sentiment: pd.DataFrame
    themes_by: pd.DataFrame
    drivers: list[ThemeDriver]
    examples_by: pd.DataFrame

    def drivers_frame(self) -> pd.DataFrame:
        """The drivers as a table (shares and difference in 0..1)."""
        rows = [
            {
                "kind": d.kind,
                "theme_id": d.theme_id,
                "label": d.label,
                "key": d.key,
                "n_with": d.with_theme.n,
                "share_with": d.with_theme.value,
                "share_with_low": d.with_theme.ci_low,
                "share_with_high": d.with_theme.ci_high,
                "n_without": d.without_theme.n,
                "share_without": d.without_theme.value,
                "difference": d.comparison.difference,
                "ci_low": d.comparison.ci_low,
                "ci_high": d.comparison.ci_high,
                "p_value": d.comparison.p_value,
                "significant": d.comparison.significant,
                "small_sample": d.with_theme.small_sample,
            }
            for d in self.drivers
        ]
        return pd.DataFrame(rows)


def _comment_filter(r: ir.Table, spec: QuerySpec) -> ir.BooleanValue:
    has_text = r.comment.notnull() & (r.comment.strip().length() > 0)
    window = in_range(r, "responded_at", spec.start, spec.end)
    return has_text if window is None else has_text & window


def _languages(texts: Sequence[str], given: Sequence[Any], default: Language) -> list[Language]:
    """The stored language code when valid, else the detected one; comments without any clue
    ("OK", "10") take the most common language of the others, then ``default``."""
    out: list[Language | None] = []
    for text, code in zip(texts, given, strict=True):
        code = str(code).strip().lower()[:2] if isinstance(code, str) else ""
        if code in LANGUAGES:
            out.append(code)  # type: ignore[arg-type]
        elif max(language_scores(text).values()) > 0:
            out.append(detect_language(text, default))
        else:
            out.append(None)
    known = Counter(lang for lang in out if lang is not None)
    fallback: Language = known.most_common(1)[0][0] if known else default
    return [lang or fallback for lang in out]


def _per_comment(
    comments: pd.DataFrame, model: ThemeModel, texts: list[str], langs: list[Language]
) -> pd.DataFrame:
    scores = sentiment(texts, language=langs)
    position = {t: i for i, t in enumerate(texts)}
    idx = comments["comment"].map(position).to_numpy()
    themes = [model.themes[i] for i in model.labels_[idx].tolist()]
    return pd.DataFrame(
        {
            "response_id": comments["response_id"].astype(str).to_numpy(),
            "theme_id": [t.id for t in themes],
            "theme_label": [t.label for t in themes],
            "theme_key": [t.key for t in themes],
            "similarity": model.similarity_[idx].astype(float).round(4),
            "sentiment_score": [scores[i].score for i in idx],
            "sentiment_label": [scores[i].label for i in idx],
            "language": [scores[i].language for i in idx],
        }
    )


def _summary(model: ThemeModel) -> pd.DataFrame:
    computed = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return pd.DataFrame(
        {
            "theme_id": [t.id for t in model.themes],
            "label": [t.label for t in model.themes],
            "key": [t.key for t in model.themes],
            "words": [", ".join(t.words) for t in model.themes],
            "size": [t.size for t in model.themes],
            "examples": [json.dumps(list(t.examples), ensure_ascii=False) for t in model.themes],
            "computed_at": [computed] * model.k,
        }
    )


def _joined(ws: Any, spec: QuerySpec) -> ir.Table:
    """``comment_themes`` joined to its responses, with dimensions and period."""
    r = ws.table("responses")
    own, acc = split_dimensions("responses", spec.by, ws)
    keep = ["response_id", "account_id", "kind", "score", "responded_at", "comment", *own]
    keep = list(dict.fromkeys(keep))
    base = r.filter(_comment_filter(r, spec)).select(*keep)
    ct = ws.table(COMMENT_THEMES)
    ct = ct.select(
        _rid=ct.response_id,
        theme_id=ct.theme_id,
        sentiment_score=ct.sentiment_score,
        sentiment_label=ct.sentiment_label,
        similarity=ct.similarity,
    )
    t = base.join(ct, base.response_id == ct._rid).drop("_rid")
    t = with_account_dims(ws, t, acc)
    if spec.grain is not None:
        t = t.mutate(**{PERIOD: truncate(t.responded_at, spec.grain)})
    return t


def _periods(frame: pd.DataFrame, grain: str | None) -> pd.DataFrame:
    """Engine period keys (an index or a truncated timestamp) as the period's first day."""
    if grain is not None and PERIOD in frame.columns:
        frame[PERIOD] = [period_value(v, grain) for v in frame[PERIOD]]
    return frame


def _sentiment_stats(t: ir.Table, keys: list[str]) -> ir.Table:
    metrics = {
        "n": t.count(),
        "mean_sentiment": t.sentiment_score.mean(),
        "positive": (t.sentiment_label == "positive").ifelse(1, 0).sum(),
        "negative": (t.sentiment_label == "negative").ifelse(1, 0).sum(),
    }
    return t.group_by(keys).aggregate(**metrics) if keys else t.aggregate(**metrics)


def _percentages(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    n = frame["n"].astype(float)
    frame["pct_positive"] = 100.0 * frame.pop("positive").astype(float) / n
    frame["pct_negative"] = 100.0 * frame.pop("negative").astype(float) / n
    frame["n"] = frame["n"].astype(int)
    return frame


def _drivers(t: ir.Table, model: ThemeModel, confidence: float, small_n: int) -> list[ThemeDriver]:
    detractor = ibis.literal(False)
    for kind, top in DETRACTOR_MAX.items():
        detractor = detractor | ((t.kind == kind) & (t.score <= top))
    counts = (
        t.group_by(["kind", "theme_id"])
        .aggregate(n=t.count(), detractors=detractor.ifelse(1, 0).sum())
        .execute()
    )
    out: list[ThemeDriver] = []
    for kind, part in counts.groupby("kind"):
        total_n, total_d = int(part["n"].sum()), int(part["detractors"].sum())
        for row in part.itertuples():
            n_with, d_with = int(row.n), int(row.detractors)
            n_without, d_without = total_n - n_with, total_d - d_with
            theme = model.themes[int(row.theme_id)]
            with_theme = wilson_interval(d_with, n_with, confidence)
            without_theme = wilson_interval(d_without, n_without, confidence)
            out.append(
                ThemeDriver(
                    kind=str(kind),
                    theme_id=theme.id,
                    label=theme.label,
                    key=theme.key,
                    with_theme=_flag(with_theme, small_n),
                    without_theme=_flag(without_theme, small_n),
                    comparison=compare_proportions(
                        d_with, n_with, d_without, n_without, confidence
                    ),
                )
            )
    out.sort(key=lambda d: (d.kind, math.isnan(d.difference), -np.nan_to_num(d.difference)))
    return out


def _flag(estimate: Estimate, small_n: int) -> Estimate:
    return replace(estimate, small_sample=estimate.n < small_n)


def _theme_table(t: ir.Table, model: ThemeModel) -> pd.DataFrame:
    """One row per theme: size, share, sentiment and examples, most comments first."""
    overall = _percentages(_sentiment_stats(t, ["theme_id"]).execute())
    overall["share"] = 100.0 * overall["n"] / overall["n"].sum()
    meta = pd.DataFrame(
        {
            "theme_id": [th.id for th in model.themes],
            "label": [th.label for th in model.themes],
            "key": [th.key for th in model.themes],
            "words": [list(th.words) for th in model.themes],
            "examples": [list(th.examples) for th in model.themes],
        }
    )
    columns = ["theme_id", "label", "key", "words", "n", "share", "mean_sentiment"]
    columns += ["pct_positive", "pct_negative", "examples"]
    table = meta.merge(overall, on="theme_id", how="inner")[columns]
    return table.sort_values(["n", "theme_id"], ascending=[False, True], ignore_index=True)


def _themes_by(t: ir.Table, keys: list[str], model: ThemeModel, grain: str | None) -> pd.DataFrame:
    """Comments, share of the group and mean sentiment per group (segment, period) and theme."""
    frame = (
        t.group_by([*keys, "theme_id"])
        .aggregate(n=t.count(), mean_sentiment=t.sentiment_score.mean())
        .execute()
    )
    frame = _periods(frame, grain)
    group = frame.groupby(keys, dropna=False)["n"] if keys else None
    totals = group.transform("sum") if group is not None else frame["n"].sum()
    frame["share"] = 100.0 * frame["n"] / totals
    frame["label"] = [model.themes[int(i)].label for i in frame["theme_id"]]
    return frame.sort_values([*keys, "theme_id"], ignore_index=True)


def _examples_by(
    t: ir.Table, keys: list[str], model: ThemeModel, grain: str | None, per_group: int
) -> pd.DataFrame:
    """The comments closest to their theme's centroid in each group (segment, period) and
    theme: a window rank in the engine, so only ``per_group`` rows per group come back."""
    columns = [*keys, "theme_id", "label", "comment", "similarity"]
    if not keys or per_group <= 0:
        return pd.DataFrame(columns=columns)
    rank = ibis.row_number().over(
        group_by=[t[k] for k in [*keys, "theme_id"]],
        order_by=[t.similarity.desc(), t.response_id],
    )
    # A comment given with two answers appears twice; over-fetch, then keep distinct texts.
    ranked = t.mutate(_rank=rank)
    top = ranked.filter(ranked._rank < 2 * per_group).select(
        *keys, "theme_id", "comment", "similarity", "_rank"
    )
    frame = _periods(top.execute(), grain).sort_values([*keys, "theme_id", "_rank"])
    frame = frame.drop_duplicates([*keys, "theme_id", "comment"])
    frame = frame.groupby([*keys, "theme_id"], dropna=False).head(per_group)
    frame["label"] = [model.themes[int(i)].label for i in frame["theme_id"]]
    return frame[columns].reset_index(drop=True)


def comment_analysis(
    ws: Any,
    by: Sequence[str] | str | None = None,
    grain: str | None = None,
    start: Any = None,
    end: Any = None,
    *,
    k: int | None = None,
    seed: int = 0,
    lang: str | None = None,
    examples: int = 3,
) -> CommentAnalysis:
    """Themes, sentiment and detractor drivers of the comments in ``responses``.

    ``by`` are columns of ``responses`` or ``accounts``; ``grain`` one of day, week, month,
    quarter, year; ``start``/``end`` an inclusive date range on ``responded_at``. Results are
    stored in the workspace tables ``comment_themes`` and ``comment_theme_summary``.

    >>> from cxpulse.workspace import Workspace
    >>> import pandas as pd
    >>> ws = Workspace.connect("duckdb://")
    >>> _ = ws.load("accounts", pd.DataFrame({"account_id": ["a"], "start_date": ["2025-01-01"]}))
    >>> _ = ws.load("responses", pd.DataFrame({
    ...     "response_id": ["r1", "r2", "r3", "r4"], "account_id": "a", "kind": "nps",
    ...     "score": [2, 3, 9, 10], "responded_at": "2026-01-05",
    ...     "comment": ["Muy caro", "El precio subió", "Excelente soporte", "Soporte rápido"]}))
    >>> result = comment_analysis(ws, k=2)
    >>> sorted(result.themes["key"])
    ['price', 'support']
    """
    spec = QuerySpec.build(ws.config.metrics, by, grain, start, end)
    split_dimensions("responses", spec.by, ws)  # fail on an unknown column before any work
    label_lang = lang or ws.config.locale.language
    r = ws.table("responses")
    comments = (
        r.filter(_comment_filter(r, spec)).select("response_id", "comment", "language").execute()
    )
    if comments.empty:
        where = "responses"
        if spec.start or spec.end:
            where += f" ({spec.start or '…'} – {spec.end or '…'})"
        raise NotEnoughDataError(gettext("text.error.no_comments", label_lang, where=where))
    comments["comment"] = comments["comment"].astype(str)
    first = comments.drop_duplicates("comment")
    texts = first["comment"].tolist()
    langs = _languages(texts, first["language"].tolist(), ws.config.locale.language)
    model = find_themes(texts, k=k, seed=seed, lang=label_lang, examples=examples)

    ws.write_table(COMMENT_THEMES, _per_comment(comments, model, texts, langs))
    ws.write_table(THEME_SUMMARY, _summary(model))

    t = _joined(ws, spec)
    keys = [*spec.by, *([PERIOD] if spec.grain is not None else [])]
    sent = _periods(_percentages(_sentiment_stats(t, keys).execute()), spec.grain)
    if keys:
        sent = sent.sort_values(keys, ignore_index=True)

    themes = _theme_table(t, model)
    by_theme = _themes_by(t, keys, model, spec.grain)
    examples_by = _examples_by(t, keys, model, spec.grain, examples)
    options = ws.config.metrics
    drivers = _drivers(t, model, options.confidence, options.small_sample_n)
    return CommentAnalysis(
        model=model,
        n_comments=len(comments),
        by=spec.by,
        grain=spec.grain,
        themes=themes,
        sentiment=sent,
        themes_by=by_theme,
        drivers=drivers,
        examples_by=examples_by,
    )
