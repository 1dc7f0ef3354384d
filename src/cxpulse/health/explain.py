"""Per-account explanations: the signals that push a score up or down, in plain words.

Contributions are score points that add up to the score minus a stated reference: 50 (a
neutral account) for the expert model; for learned models the score of the typical account
(each signal at its median or most common value), the points being exact baseline Shapley
values of the calibrated score against it (see
:meth:`cxpulse.health.models.LearnedModel.contributions`). Each reason also states the
score re-computed with that one signal at the reference value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from cxpulse.locale import format_number, gettext, term

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


def top_order(
    points: np.ndarray,
    sizes: Any = None,
    top: int = TOP_DRIVERS,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """Per row, the columns of the ``top`` biggest pushes: by |points| (to the cent), equal
    pushes by the signal's size (its weight), then by the signal's name.

    >>> top_order(np.array([[1.0, -2.0, 1.0]]), sizes=[1, 1, 2], top=3).tolist()
    [[1, 2, 0]]
    """
    width = points.shape[1]
    k = min(top, width)
    size = np.zeros(width) if sizes is None else np.abs(np.asarray(sizes, dtype="float64"))
    rounded = np.round(np.abs(points), 2)
    by_name = np.argsort(np.argsort(np.asarray(names if names is not None else range(width))))
    rank_size = np.lexsort((by_name, -size))
    rank = np.argsort(rank_size, kind="stable")
    ties = np.broadcast_to(rank, points.shape)
    return np.lexsort((ties, -rounded), axis=1)[:, :k]


def _json_texts(values: Sequence[Any]) -> pa.Array:
    return pa.array([json.dumps(v) for v in values])


def explanation_records(
    contributions: pd.DataFrame,
    values: pd.DataFrame,
    top: int = TOP_DRIVERS,
    *,
    reference: float | None = None,
    sizes: Any = None,
    levels: dict[str, np.ndarray] | None = None,
    reference_values: dict[str, Any] | None = None,
    rescore: Callable[[str, np.ndarray], np.ndarray] | None = None,
    unseen: dict[str, np.ndarray] | None = None,
) -> list[str]:
    """One compact JSON document per row: top drivers by |points|, their values, missing signals.

    ``{"drivers": [[signal, points, value, reference value, score at reference], ...],
    "missing": [signal, ...], "reference": score}``. ``levels`` gives a categorical signal's
    level per row (its value); ``rescore(signal, rows)`` re-scores those rows with the signal
    set to the reference account's value: the one-signal counterfactual stated beside the
    points. ``unseen`` marks, per categorical signal, the rows whose level the model never saw
    in training (scored as ``other``): those rows get ``"unseen": {signal: level}``. The top
    drivers are picked with numpy and the text is built by an in-process
    DuckDB query over whole columns, so a million accounts take seconds, not a per-account
    Python loop.
    """
    n = contributions.shape[0]
    if n == 0:
        return []
    names = [str(c) for c in contributions.columns]
    levels = dict(levels or {})
    points = contributions.to_numpy(dtype="float64")
    shown = values.reindex(columns=contributions.columns)
    # a categorical signal's value is its level: text in ``values`` (or given in ``levels``)
    for name in names:
        if name not in levels and not _numeric(shown[name]):
            levels[name] = shown[name].to_numpy(dtype=object)
    vals = shown.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    order = top_order(points, sizes, top, names)
    k = order.shape[1]
    p = np.round(np.take_along_axis(points, order, axis=1), 2)
    v = np.round(np.take_along_axis(vals, order, axis=1), 4)
    keep = np.abs(np.take_along_axis(points, order, axis=1)) >= MIN_POINTS
    quoted = _json_texts(names)
    refs = reference_values or {}
    ref_text = _json_texts([_plain(refs.get(name)) for name in names])
    missing = np.isnan(vals)
    for j, name in enumerate(names):
        if name in levels:
            missing[:, j] = pd.isna(levels[name]) & np.isnan(vals[:, j])
    columns: dict[str, pa.Array] = {
        "missing": pa.array(_missing_patterns(missing, names)),
        "unseen": pa.array(_unseen_texts(n, unseen or {}, levels), type=pa.string()),
    }
    level_codes = {
        j: pd.Categorical(pd.Series(levels[name], dtype="object"))
        for j, name in enumerate(names)
        if name in levels
    }
    for j in range(k):
        idx = pa.array(order[:, j].astype(np.int32), mask=~keep[:, j])
        columns[f"n{j}"] = pa.DictionaryArray.from_arrays(idx, quoted)
        columns[f"r{j}"] = pa.DictionaryArray.from_arrays(idx, ref_text)
        columns[f"p{j}"] = pa.array(p[:, j])
        columns[f"v{j}"] = pa.array(v[:, j], from_pandas=True)
        text = np.full(n, None, dtype=object)
        for col, cat in level_codes.items():
            hit = np.flatnonzero(order[:, j] == col)
            if len(hit):
                codes = np.asarray(cat.codes)[hit]
                labels = np.asarray([json.dumps(str(c)) for c in cat.categories] + ["null"])
                text[hit] = labels[codes]
        columns[f"t{j}"] = pa.array(text, type=pa.string())
        what_if = np.full(n, np.nan)
        if rescore is not None:
            for col in np.unique(order[:, j]):
                hit = np.flatnonzero((order[:, j] == col) & keep[:, j])
                if len(hit):
                    what_if[hit] = rescore(names[int(col)], hit)
        columns[f"w{j}"] = pa.array(np.round(what_if, 2), from_pandas=True)
    items = ", ".join(
        f"'[' || n{j} || ',' || p{j}::VARCHAR || ',' || coalesce(t{j}, v{j}::VARCHAR, 'null')"
        f" || ',' || r{j} || ',' || coalesce(w{j}::VARCHAR, 'null') || ']'"
        for j in range(k)
    )
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        con.register("top_drivers", pa.table(columns))
        tail = "" if reference is None else f',"reference":{round(float(reference), 2)}'
        rows = con.execute(
            "SELECT '{\"drivers\":[' || concat_ws(',', " + items + ") || '],\"missing\":' "
            "|| missing || coalesce(',\"unseen\":' || unseen, '') || '" + tail + "}' "
            "FROM top_drivers"
        ).fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in rows]


def _unseen_texts(
    n: int, unseen: dict[str, np.ndarray], levels: dict[str, np.ndarray]
) -> np.ndarray:
    """Per row, the JSON object {signal: level} of levels never seen in training, or None
    (``levels``: each categorical signal's level per row, as explanation_records holds them)."""
    found: list[dict[str, str] | None] = [None] * n
    for name, mask in unseen.items():
        values = levels.get(name)
        if values is None:
            continue
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            found[i] = {**(found[i] or {}), name: str(values[i])}
    return np.asarray([None if f is None else json.dumps(f) for f in found], dtype=object)


def _plain(value: Any) -> Any:
    """A reference value as JSON: a number, a level's name, or null."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return round(float(value), 4)
    return str(value)


def _numeric(column: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(column) or column.isna().all())


@dataclass(frozen=True)
class Driver:
    """One signal's push on the score."""

    signal: str
    label: str
    value: float | str | None  # a categorical signal's value is its level
    points: float
    reference_value: float | str | None = None  # the reference account's value of the signal
    score_at_reference: float | None = None  # the score re-computed with that value


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
    unseen: dict[str, str] = field(default_factory=dict)  # signal -> level new to the model
    playbook: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole explanation as plain text, one sentence per line."""
        return "\n".join(self.lines)


def signal_value_text(value: float | str | None, lang: str = "es") -> str:
    """A signal's value as a reason states it, in the language's notation: whole numbers and
    values of 100 or more without decimals, others with two; a level as its name.

    >>> [signal_value_text(v, "es") for v in (1234.5, 39.0, 0.256)], signal_value_text(0.5, "en")
    (['1.234', '39', '0,26'], '0.50')
    """
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if abs(value) >= 100 or float(value).is_integer():
        return format_number(value, lang, 0)
    return format_number(value, lang, 2)


def unseen_notes(unseen: dict[str, str], model: str, lang: str = "es") -> list[str]:
    """One sentence per categorical signal whose level the model never saw in training: what
    was done with it (scored as "other"; left out by the expert model) and how to fix it."""
    key = "health.explain.unseen_expert" if model == "expert" else "health.explain.unseen"
    return [
        gettext(key, lang, signal=signal_label(name, lang), level=level)
        for name, level in unseen.items()
    ]


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
    unseen = {str(k): str(v) for k, v in (doc.get("unseen") or {}).items()}
    drivers = [
        Driver(
            str(item[0]),
            signal_label(str(item[0]), lang),
            item[2],
            float(item[1]),
            item[3] if len(item) > 3 else None,
            None if len(item) < 5 or item[4] is None else float(item[4]),
        )
        for item in doc.get("drivers", [])
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
    for d in ups + downs:
        line = gettext(
            "health.explain.up" if d.points > 0 else "health.explain.down",
            lang,
            signal=d.label,
            value=signal_value_text(d.value, lang),
            points=f"{d.points:.1f}",
        )
        if d.score_at_reference is not None:
            line += " " + gettext(
                "health.explain.what_if_expert" if model == "expert" else "health.explain.what_if",
                lang,
                value=signal_value_text(d.reference_value, lang),
                score=f"{d.score_at_reference:.0f}",
            )
        lines.append(line)
    if not drivers:
        lines.append(gettext("health.explain.none", lang))
    if missing:
        names = ", ".join(signal_label(m, lang) for m in missing)
        lines.append(gettext("health.explain.missing", lang, signals=names))
    lines += unseen_notes(unseen, model, lang)
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
        unseen=unseen,
        playbook=playbook,
        lines=lines,
    )
