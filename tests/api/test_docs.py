"""Every setting is documented: a new option without documentation fails here."""

from __future__ import annotations

from pathlib import Path

from cxpulse.config import LocaleConfig, MetricsConfig, ProjectConfig, Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_config_key_is_documented():
    text = (DOCS / "configuration.md").read_text()
    for name in ProjectConfig.model_fields:
        if name == "project_dir":
            continue
        assert f"`{name}`" in text or f"[{name}]" in text or f"[{name}." in text, name
    for section, model in (("metrics", MetricsConfig), ("locale", LocaleConfig)):
        for name in model.model_fields:
            assert f"`[{section}] {name}`" in text, f"[{section}] {name}"


def test_every_environment_variable_is_documented():
    text = (DOCS / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"`CXPULSE_{name.upper()}`" in text, name
