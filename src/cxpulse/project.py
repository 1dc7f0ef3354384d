"""Project folders: ``cxpulse.toml`` plus the embedded stores.

>>> import tempfile, tomllib
>>> folder = tempfile.mkdtemp()
>>> path = init_project(folder)
>>> "workspace" in tomllib.loads(path.read_text())
True
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

from cxpulse.config import CONFIG_FILE
from cxpulse.errors import ConfigError

BASE_TEMPLATE = """\
# cxpulse project / proyecto cxpulse
# Settings that differ per deployment come from environment variables, not from this file:
#   CXPULSE_WORKSPACE_URL   analytics workspace (any ibis URL: duckdb://, postgres://, ...)
#   CXPULSE_DATABASE_URL    operational store (default: SQLite file cxpulse.sqlite here)
#   CXPULSE_SECRET_KEY      signs sessions and survey links
#   CXPULSE_SMTP_HOST / _PORT / _USER / _PASSWORD / _FROM   e-mail for invitations and alerts
name = "{name}"

[workspace]
# Where indicators are computed. Default: the DuckDB file workspace.duckdb in this folder.
# Examples: "postgres://user:pass@host:5432/analytics", "pyspark://local".
# url = "duckdb:///path/to/workspace.duckdb"

# One section per canonical table you load: a default file and a column mapping
# (your column name = canonical column name). Canonical tables: accounts, responses,
# tickets, usage_events, invoices, orders, touchpoints, outcomes.
# [tables.responses]
# path = "data/nps_export.csv"
# [tables.responses.columns]
# "Customer ID" = "account_id"
# "Score" = "score"
# "Date" = "responded_at"

[metrics]
confidence = 0.95          # confidence level of every interval / nivel de confianza
small_sample_n = 30        # figures with fewer answers are flagged / muestra pequeña
csat_top_box = 4           # CSAT 4-5 counts as satisfied
ces_easy_from = 5          # CES 5-7 counts as easy
important_priorities = ["high", "urgent"]
# industry = "software"    # NPS benchmark shown beside your score

[locale]
language = "{language}"    # es | en
timezone = "UTC"
currency = "USD"
"""

# Sections other packages contribute: (module, attribute holding a commented TOML text).
SECTION_SOURCES = [
    ("cxpulse.health.config", "DEFAULT_HEALTH_TOML"),
    ("cxpulse.loop.rules", "DEFAULT_LOOP_TOML"),
    ("cxpulse.collect.surveys", "DEFAULT_SURVEYS_TOML"),
    ("cxpulse.jobs.config", "DEFAULT_JOBS_TOML"),
]


def default_config_text(name: str = "cxpulse project", language: str = "es") -> str:
    """The commented ``cxpulse.toml`` that ``cxpulse init`` writes."""
    parts = [BASE_TEMPLATE.format(name=name, language=language)]
    for module_name, attribute in SECTION_SOURCES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        text = getattr(module, attribute, None)
        if text:
            parts.append(text.strip() + "\n")
    return "\n".join(parts)


def init_project(directory: str | Path, *, language: str = "es", force: bool = False) -> Path:
    """Create ``directory`` with a commented ``cxpulse.toml``; returns the file's path."""
    if language not in ("es", "en"):
        raise ConfigError(key="config.error.language", values={"language": language})
    from cxpulse.private_files import private_dir, write_private_text

    folder = private_dir(directory)
    path = folder / CONFIG_FILE
    if path.exists() and not force:
        raise ConfigError(key="config.error.exists", values={"path": path})
    text = default_config_text(folder.resolve().name or "cxpulse project", language)
    tomllib.loads(text)  # the template must always parse
    write_private_text(path, text)
    return path
