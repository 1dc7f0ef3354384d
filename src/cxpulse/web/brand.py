"""The project's brand on customer-facing pages (survey pages, replies): name, logo, colour,
and how surveys address people (tú or usted).

Set in cxpulse.toml::

    [surveys]
    brand_name = "Acme Software"
    brand_logo = "brand/logo.png"   # a file in the project folder (png, jpg, svg, webp)
    brand_color = "#0f766e"
    formality = "tu"                # or "usted"

>>> from cxpulse.config import ProjectConfig
>>> b = brand_of(ProjectConfig(name="Acme", surveys={"brand_color": "#0F766E"}))
>>> b.name, b.color, b.formality
('Acme', '#0f766e', 'tu')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cxpulse.config import ProjectConfig
from cxpulse.errors import ConfigError

DEFAULT_COLOR = "#4f46e5"
FORMALITIES = ("tu", "usted")
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Brand:
    name: str
    color: str
    logo: Path | None
    formality: str

    @property
    def logo_type(self) -> str | None:
        return LOGO_TYPES.get(self.logo.suffix.lower()) if self.logo else None


def brand_of(config: ProjectConfig) -> Brand:
    """The brand settings of a project, checked (a wrong value names the setting to fix)."""
    surveys = config.surveys or {}
    name = str(surveys.get("brand_name") or config.name or "cxpulse")
    color = str(surveys.get("brand_color") or DEFAULT_COLOR)
    if not _COLOR.match(color):
        raise ConfigError(key="cx.error.brand_color", values={"color": repr(color)})
    formality = str(surveys.get("formality") or "tu")
    if formality not in FORMALITIES:
        raise ConfigError(key="cx.error.formality", values={"value": repr(formality)})
    logo: Path | None = None
    if surveys.get("brand_logo"):
        base = config.project_dir or Path(".")
        logo = (base / str(surveys["brand_logo"])).resolve()
        if logo.suffix.lower() not in LOGO_TYPES:
            raise ConfigError(
                key="cx.error.brand_logo", values={"logo": repr(surveys["brand_logo"])}
            )
    return Brand(name=name, color=color.lower(), logo=logo, formality=formality)
