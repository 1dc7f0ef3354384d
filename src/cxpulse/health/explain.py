"""Per-account explanations: the signals that push a score up or down, in plain words.

Contributions are score points: for the expert model they add up exactly to score - 50;
for learned models they are the log-odds share of each signal times the local slope of the
score, an approximation that keeps sign and order.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxpulse.locale import gettext

TOP_DRIVERS = 6
MIN_POINTS = 0.05  # contributions smaller than this are noise, not a reason


def signal_label(name: str, lang: str = "es") -> str:
    """A signal's name in plain words (the catalogue key if there is no translation)."""
    key = f"health.signal.{name}"
    text = gettext(key, lang)
    return name.replace("_", " ").capitalize() if text == key else text


def explanation_records(
    contributions: pd.DataFrame, values: pd.DataFrame, top: int = TOP_DRIVERS
) -> list[str]:
    """One compact JSON document per row: top drivers by |points|, their values, missing signals."""
    names = np.array(contributions.columns)
    points = contributions.to_numpy(dtype="float64")
    vals = values.reindex(columns=contributions.columns).to_numpy(dtype="float64")
    k = min(top, points.shape[1])
    order = np.argsort(-np.abs(points), axis=1)[:, :k]
    missing = np.isnan(vals)
    out = []
    for i in range(points.shape[0]):
        drivers = [
            [str(names[j]), round(float(points[i, j]), 2), _num(vals[i, j])]
            for j in order[i]
            if abs(points[i, j]) >= MIN_POINTS
        ]
        out.append(
            json.dumps(
                {"drivers": drivers, "missing": names[missing[i]].tolist()}, separators=(",", ":")
            )
        )
    return out


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


@dataclass(frozen=True)
class Driver:
    """One signal's push on the score."""

    signal: str
    label: str
    value: float | None
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
    missing: list[str] = field(default_factory=list)
    playbook: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole explanation as plain text, one sentence per line."""
        return "\n".join(self.lines)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
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
    lines = [
        gettext(
            "health.explain.headline",
            lang,
            account=account_id,
            score=f"{score:.0f}",
            band=gettext(f"health.band.{band}", lang),
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
        missing=missing,
        playbook=playbook,
        lines=lines,
    )
