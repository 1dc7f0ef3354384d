"""Per-account explanations: the signals that push a score up or down, in plain words.

Contributions are score points that add up to the score minus a stated reference: 50 (a
neutral account) for the expert model; for learned models the score of the average account,
with each signal's exact share of the log-odds (TreeSHAP or linear terms) carried through the
calibration (see :meth:`cxpulse.health.models.LearnedModel.contributions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from cxpulse.locale import gettext, term

TOP_DRIVERS = 6
MIN_POINTS = 0.05  # contributions smaller than this are noise, not a reason


def signal_label(name: str, lang: str = "es") -> str:
    """A signal's name in plain words (the catalogue key if there is no translation)."""
    key = f"health.signal.{name}"
    text = gettext(key, lang)
    return name.replace("_", " ").capitalize() if text == key else text


def _missing_patterns(missing: np.ndarray, names: list[str]) -> np.ndarray:
    """The JSON list of missing signals of each row; each distinct pattern is formatted once."""
    if missing.shape[1] <= 62:
        bits = missing.astype(np.int64) @ (
            np.int64(1) << np.arange(missing.shape[1], dtype=np.int64)
        )
        codes, inverse = np.unique(bits, return_inverse=True)
        rows = [[bool(c >> j & 1) for j in range(missing.shape[1])] for c in codes.tolist()]
    else:
        uniq, inverse = np.unique(missing, axis=0, return_inverse=True)
        rows = uniq.astype(bool).tolist()
    texts = [json.dumps([n for n, m in zip(names, row, strict=True) if m]) for row in rows]
    return np.asarray(texts, dtype=object)[np.asarray(inverse).ravel()]


def explanation_records(
    contributions: pd.DataFrame,
    values: pd.DataFrame,
    top: int = TOP_DRIVERS,
    *,
    reference: float | None = None,
    sizes: Any = None,
) -> list[str]:
    """One compact JSON document per row: top drivers by |points|, their values, missing signals.

    ``{"drivers": [[signal, points, value], ...], "missing": [signal, ...]}``. The top drivers
    are picked with numpy and the text is built by an in-process DuckDB query over whole
    columns, so a million accounts take seconds, not a per-account Python loop.
    """
    n, width = contributions.shape
    if n == 0:
        return []
    names = [str(c) for c in contributions.columns]
    points = contributions.to_numpy(dtype="float64")
    shown = values.reindex(columns=contributions.columns)
    # a categorical signal's value is its level (text); numbers are rounded below
    text_cols = [j for j, c in enumerate(shown.columns) if not _numeric(shown[c])]
    levels = shown.iloc[:, text_cols].to_numpy(dtype=object) if text_cols else None
    vals = shown.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    missing = np.isnan(vals)
    if levels is not None:
        missing[:, text_cols] = pd.isna(levels)
    k = min(top, width)
    # biggest push first; equal pushes (to the cent) by the signal's size (its weight), then name
    size = np.zeros(width) if sizes is None else np.abs(np.asarray(sizes, dtype="float64"))
    rounded = np.round(np.abs(points), 2)
    rank_size = np.argsort(np.argsort(-size, kind="stable"), kind="stable")
    ties = np.broadcast_to(rank_size, points.shape)
    order = np.lexsort((ties, -rounded), axis=1)[:, :k]
    p = np.round(np.take_along_axis(points, order, axis=1), 2)
    v = np.round(np.take_along_axis(vals, order, axis=1), 4)
    keep = np.abs(np.take_along_axis(points, order, axis=1)) >= MIN_POINTS
    quoted = pa.array([json.dumps(name) for name in names])
    columns: dict[str, pa.Array] = {"missing": pa.array(_missing_patterns(missing, names))}
    for j in range(k):
        idx = pa.array(order[:, j].astype(np.int32), mask=~keep[:, j])
        columns[f"n{j}"] = pa.DictionaryArray.from_arrays(idx, quoted)
        columns[f"p{j}"] = pa.array(p[:, j])
        columns[f"v{j}"] = pa.array(v[:, j], from_pandas=True)
        columns[f"t{j}"] = pa.array(_level_texts(levels, text_cols, order[:, j]), pa.string())
    items = ", ".join(
        f"'[' || n{j} || ',' || p{j}::VARCHAR || ',' || "
        f"coalesce(t{j}, v{j}::VARCHAR, 'null') || ']'"
        for j in range(k)
    )
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        con.register("top_drivers", pa.table(columns))
        tail = "" if reference is None else f',"reference":{round(float(reference), 2)}'
        rows = con.execute(
            "SELECT '{\"drivers\":[' || concat_ws(',', " + items + ") || '],\"missing\":' "
            "|| missing || '" + tail + "}' FROM top_drivers"
        ).fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in rows]


def _numeric(column: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(column) or column.isna().all())


def _level_texts(levels: np.ndarray | None, text_cols: list[int], picked: np.ndarray) -> list[Any]:
    """The JSON text of the level of each row's picked signal when it is categorical."""
    if levels is None:
        return [None] * len(picked)
    where = {c: i for i, c in enumerate(text_cols)}
    out: list[Any] = []
    for row, col in enumerate(picked.tolist()):
        i = where.get(col)
        level = None if i is None else levels[row, i]
        out.append(None if level is None or pd.isna(level) else json.dumps(str(level)))
    return out


@dataclass(frozen=True)
class Driver:
    """One signal's push on the score."""

    signal: str
    label: str
    value: float | str | None  # a categorical signal's value is its level
    points: float


@dataclass(frozen=True)
class AccountExplanation:
    """Why an account has its score: headline, trend, drivers, missing signals, playbook."""

    account_id: str
    as_of: Any
    score: float
    band: str
    model: str
    previous_score: float | None
    previous_as_of: Any
    drivers: list[Driver] = field(default_factory=list)
    reference: float | None = None  # the points add up to score - reference
    missing: list[str] = field(default_factory=list)
    playbook: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole explanation as plain text, one sentence per line."""
        return "\n".join(self.lines)


def _fmt(value: float | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def describe(
    *,
    account_id: str,
    as_of: Any,
    score: float,
    band: str,
    model: str,
    explanation_json: str,
    previous: tuple[Any, float] | None,
    playbook: str,
    lang: str = "es",
) -> AccountExplanation:
    """Turn a stored snapshot row into an :class:`AccountExplanation` in ``lang``."""
    doc = json.loads(explanation_json or "{}")
    drivers = [
        Driver(name, signal_label(name, lang), value, float(points))
        for name, points, value in doc.get("drivers", [])
    ]
    missing = [str(m) for m in doc.get("missing", [])]
    reference = doc.get("reference")
    lines = [
        gettext(
            "health.explain.headline",
            lang,
            account=account_id,
            score=f"{score:.0f}",
            band=term("band", band, lang),
            model=model,
            as_of=as_of,
        )
    ]
    if previous is None:
        lines.append(gettext("health.explain.trend.new", lang))
    else:
        since, before = previous
        delta = score - before
        key = "up" if delta >= 0.5 else "down" if delta <= -0.5 else "flat"
        lines.append(
            gettext(f"health.explain.trend.{key}", lang, delta=f"{abs(delta):.0f}", since=since)
        )
    if reference is not None:
        key = "health.explain.reference_expert" if model == "expert" else "health.explain.reference"
        lines.append(gettext(key, lang, reference=f"{float(reference):.0f}"))
    ups = sorted((d for d in drivers if d.points > 0), key=lambda d: -d.points)
    downs = sorted((d for d in drivers if d.points < 0), key=lambda d: d.points)
    for d in ups:
        lines.append(
            gettext(
                "health.explain.up",
                lang,
                signal=d.label,
                value=_fmt(d.value),
                points=f"{d.points:.1f}",
            )
        )
    for d in downs:
        lines.append(
            gettext(
                "health.explain.down",
                lang,
                signal=d.label,
                value=_fmt(d.value),
                points=f"{d.points:.1f}",
            )
        )
    if not drivers:
        lines.append(gettext("health.explain.none", lang))
    if missing:
        names = ", ".join(signal_label(m, lang) for m in missing)
        lines.append(gettext("health.explain.missing", lang, signals=names))
    lines.append(gettext("health.explain.playbook", lang, text=playbook))
    return AccountExplanation(
        account_id=account_id,
        as_of=as_of,
        score=score,
        band=band,
        model=model,
        previous_score=None if previous is None else previous[1],
        previous_as_of=None if previous is None else previous[0],
        drivers=ups + downs,
        reference=None if reference is None else float(reference),
        missing=missing,
        playbook=playbook,
        lines=lines,
    )
