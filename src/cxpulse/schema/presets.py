"""Presets: read options for the exports other tools produce, shipped as TOML data files.

Each file in ``cxpulse/schema/presets/`` names the tool, the export it expects (as that tool
documents it), the canonical table, the header columns that identify it, and a ``[read]``
table of :class:`~cxpulse.schema.options.ReadOptions`. ``cxpulse load TABLE FILE --preset
NAME`` applies one; a file whose header matches a preset gets it suggested.

>>> "zendesk" in {p.name for p in list_presets()}
True
>>> preset_options("zendesk", "tickets").columns["Organization"]
'account_id'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from cxpulse.errors import ConfigError
from cxpulse.schema.options import ReadOptions


@dataclass(frozen=True)
class Preset:
    name: str
    tool: str
    table: str
    export: str  # the export this preset expects, as the tool documents it
    match: tuple[str, ...]  # header columns that identify the export
    options: ReadOptions
    # the vendor page the export description was checked against, or "not found"
    documentation: str = "not found"
    documentation_notes: str = ""  # what that page confirms, and what it does not

    @property
    def documented(self) -> bool:
        """Whether a vendor page documenting the export was found."""
        return self.documentation.startswith("https://")


@cache
def list_presets() -> tuple[Preset, ...]:
    """Every shipped preset, by name."""
    found = []
    folder = resources.files("cxpulse.schema").joinpath("presets")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text("utf-8"))
        found.append(
            Preset(
                name=entry.name.removesuffix(".toml"),
                tool=str(data["tool"]),
                table=str(data["table"]),
                export=str(data["export"]).strip(),
                match=tuple(data.get("match", ())),
                options=ReadOptions.model_validate(data.get("read", {})),
                documentation=str(data.get("documentation", "not found")).strip(),
                documentation_notes=" ".join(str(data.get("documentation_notes", "")).split()),
            )
        )
    return tuple(found)


def get_preset(name: str) -> Preset:
    for preset in list_presets():
        if preset.name == name:
            return preset
    raise ConfigError(
        key="data.preset.unknown",
        values={"name": name, "known": ", ".join(p.name for p in list_presets())},
    )


def preset_options(name: str, table: str) -> ReadOptions:
    """The read options of preset ``name``, which must be for ``table``."""
    preset = get_preset(name)
    if preset.table != table:
        raise ConfigError(
            key="data.preset.table",
            values={"name": name, "table": table, "expected": preset.table},
        )
    return preset.options


def suggest_preset(table: str, header: list[str]) -> Preset | None:
    """The preset of ``table`` whose identifying columns are all in ``header``, if any."""
    have = {h.strip().lower() for h in header}
    best: Preset | None = None
    for preset in list_presets():
        if preset.table != table or not preset.match:
            continue
        if all(m.lower() in have for m in preset.match) and (
            best is None or len(preset.match) > len(best.match)
        ):
            best = preset
    return best
