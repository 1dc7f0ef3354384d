"""docs/metrics.md is generated from the definitions; an undocumented definition fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cxpulse.locale import catalog
from cxpulse.metrics import list_definitions
from cxpulse.metrics.reference import NOTES, STATISTICS, describe

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "metrics_docs.py"


def _render() -> tuple[Path, str]:
    spec = importlib.util.spec_from_file_location("metrics_docs", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DOCS, module.render()


def test_metrics_reference_is_up_to_date() -> None:
    path, expected = _render()
    assert path.read_text(encoding="utf-8") == expected, "run: python scripts/metrics_docs.py"


def test_every_definition_is_documented() -> None:
    _, text = _render()
    for d in list_definitions():
        assert f"## `{d.name}`" in text, d.name
        assert d.statistic in STATISTICS, f"{d.statistic} has no interval method documented"
        for lang in ("es", "en"):
            assert catalog(lang).get(f"metrics.desc.{d.name}"), (lang, d.name)
            assert describe(d.name, lang).startswith(f"{d.name} — ")
    assert set(NOTES) <= {d.name for d in list_definitions()}


def test_analyses_beyond_the_definitions_are_documented() -> None:
    _, text = _render()
    for command in ("metrics drivers", "metrics survival", "metrics ratings"):
        assert f"cxpulse {command}" in text, command
    assert "rating_top_box" in text and "rating_mean" in text
