"""Bands (red, yellow, green) and the playbook text of each, in Spanish and English.

>>> from cxpulse.health.config import HealthConfig
>>> band_label("red", "es")
'Roja'
>>> playbook_text("green", "en", HealthConfig()).startswith("Healthy")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxpulse.errors import ConfigError
from cxpulse.health.config import BAND_NAMES, Bands, HealthConfig
from cxpulse.locale import gettext, term

BAND_RANK = {name: rank for rank, name in enumerate(BAND_NAMES)}  # red 0 < yellow 1 < green 2


def band_label(band: str, lang: str = "es") -> str:
    """The band's name in the user's language (the one term the web, CLI and exports show)."""
    return term("band", band, lang)


def playbook_text(band: str, lang: str = "es", config: HealthConfig | None = None) -> str:
    """What the team should do for an account in ``band``: the project's text, else the default."""
    if config is not None and band in config.playbooks:
        custom = getattr(config.playbooks[band], lang, None)
        if custom:
            return str(custom)
    return gettext(f"health.playbook.{band}", lang)


def is_drop(from_band: str, to_band: str) -> bool:
    """True when ``to_band`` is worse than ``from_band`` (e.g. yellow -> red)."""
    return BAND_RANK[to_band] < BAND_RANK[from_band]


@dataclass(frozen=True)
class BandChange:
    """An account crossed a band boundary between two consecutive score snapshots."""

    account_id: str
    from_band: str
    to_band: str
    at: object  # datetime.date of the snapshot with the new band
    score_before: float
    score_after: float
    model: str = ""

    @property
    def is_drop(self) -> bool:
        return is_drop(self.from_band, self.to_band)

    @property
    def into_red(self) -> bool:
        """A drop into red: the event the closed loop turns into a follow-up case."""
        return self.to_band == "red" and self.from_band != "red"


@dataclass(frozen=True)
class BandCutoffs:
    """The score cut-offs one model's bands use, and what they were derived from.

    ``base_risk`` is the bad-outcome rate the model was fitted on (None for the expert model,
    whose score is not a calibrated probability).
    """

    method: str
    red_below: float
    green_from: float
    base_risk: float | None = None

    def band_for(self, score: float) -> str:
        if score < self.red_below:
            return "red"
        if score >= self.green_from:
            return "green"
        return "yellow"

    def bands_for(self, scores: Any) -> list[str]:
        return [self.band_for(float(s)) for s in scores]

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "red_below": self.red_below,
            "green_from": self.green_from,
            "base_risk": self.base_risk,
        }


def band_cutoffs(model: Any, bands: Bands) -> BandCutoffs:
    """The cut-offs of ``model`` under the ``[health.bands]`` settings.

    ``risk_ratio`` turns "risk more than k times the base rate" into a score cut-off
    (score = 100 x (1 - risk)); ``risk_share`` reads the quantiles of the scores the model gave
    its training rows; ``score`` uses the fixed cut-offs. ``auto`` is ``score`` for the expert
    model and ``risk_ratio`` for learned ones.
    """
    learned = hasattr(model, "base_rate_")
    method = bands.method
    if method == "auto":
        method = "risk_ratio" if learned else "score"
    if method != "score" and not learned:
        raise ConfigError(
            f"[health.bands] method = {method!r} needs a learned model (a calibrated risk); "
            "the expert model uses method = 'score'",
            key="health.error.band_method",
            values={"method": method},
        )
    if method == "score":
        return BandCutoffs("score", bands.red_below, bands.green_from, None)
    base_risk = 1.0 - float(model.base_rate_)
    if method == "risk_share":
        quantiles = getattr(model, "score_quantiles_", None)
        if quantiles is None:
            raise ConfigError(
                "this model was fitted before risk_share bands existed; refit it with "
                "'cxpulse health fit'",
                key="health.error.refit_for_share",
            )
        q = np.asarray(quantiles, dtype="float64")
        grid = np.linspace(0.0, 1.0, len(q))
        red = float(np.interp(bands.red_share, grid, q))
        green = float(np.interp(bands.yellow_share, grid, q))
        return BandCutoffs("risk_share", red, max(green, red + 1e-9), base_risk)
    red = 100.0 * (1.0 - bands.red_ratio * base_risk)
    green = 100.0 * (1.0 - bands.yellow_ratio * base_risk)
    return BandCutoffs("risk_ratio", max(red, 0.0), max(green, 1e-9), base_risk)


def band_meanings(
    scores: Any,
    bands: Sequence[str],
    cutoffs: BandCutoffs,
    *,
    outcome: str,
    horizon_days: int,
    lang: str = "es",
) -> dict[str, str]:
    """What each band means, in words: its mean risk and how many times the average that is.

    For learned models ("roja: 38 % de riesgo de baja en 90 días, 3,1× el promedio"), from the
    calibrated risk of the accounts in the band; for the expert model, its score range.
    """
    from babel.numbers import format_decimal, format_percent

    locale = {"es": "es_ES", "en": "en_US"}.get(lang, lang)
    score = np.asarray(scores, dtype="float64")
    labels = np.asarray(list(bands), dtype=object)
    out: dict[str, str] = {}
    risk = 1.0 - score / 100.0
    average = float(risk.mean()) if len(risk) else float("nan")
    for band in BAND_NAMES:
        name = band_label(band, lang)
        if cutoffs.base_risk is None or not len(risk):
            out[band] = gettext(
                f"health.band.range.{band}",
                lang,
                band=name,
                red=f"{cutoffs.red_below:.0f}",
                green=f"{cutoffs.green_from:.0f}",
            )
            continue
        mine = risk[labels == band]
        if len(mine) == 0:
            out[band] = gettext("health.band.meaning_empty", lang, band=name)
            continue
        mean = float(mine.mean())
        ratio = mean / average if average > 0 else float("nan")
        out[band] = gettext(
            "health.band.meaning",
            lang,
            band=name,
            risk=format_percent(mean, format="#,##0 %", locale=locale),
            what=gettext(f"health.risk_of.{outcome}", lang),
            horizon=horizon_days,
            ratio=format_decimal(ratio, format="#,##0.0", locale=locale),
        )
    return out
