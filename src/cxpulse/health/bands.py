"""Bands (red, yellow, green) and the playbook text of each, in Spanish and English.

>>> from cxpulse.health.config import HealthConfig
>>> band_label("red", "es")
'Roja'
>>> playbook_text("green", "en", HealthConfig()).startswith("Healthy")
True
"""

from __future__ import annotations

from dataclasses import dataclass

from cxpulse.health.config import BAND_NAMES, HealthConfig
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
