"""Project configuration: ``cxpulse.toml`` in a project folder, plus ``CXPULSE_*`` settings.

The file holds what a team decides (table bindings, column mappings, metric options, signal
weights, bands, rules, locale); environment variables hold what differs per deployment
(database URLs, secrets, SMTP).

>>> cfg = ProjectConfig.model_validate({"workspace": {"url": "duckdb:///tmp/x.duckdb"}})
>>> cfg.workspace.url
'duckdb:///tmp/x.duckdb'
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from cxpulse.errors import ConfigError

CONFIG_FILE = "cxpulse.toml"
DEFAULT_WORKSPACE_FILE = "workspace.duckdb"
DEFAULT_STORE_FILE = "cxpulse.sqlite"


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(
        default=None,
        description="Ibis connection URL of the analytics workspace; default: DuckDB file "
        "'workspace.duckdb' in the project folder.",
    )


class TableBinding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str | None = Field(default=None, description="default file to load for this table")
    columns: dict[str, str] = Field(
        default_factory=dict, description="mapping: your column name -> canonical column name"
    )


class MetricsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)
    small_sample_n: int = Field(default=30, ge=1)
    csat_top_box: int = Field(
        default=4, ge=1, le=5, description="CSAT scores >= this are satisfied"
    )
    ces_easy_from: int = Field(default=5, ge=1, le=7, description="CES scores >= this are easy")
    important_priorities: list[str] = Field(default_factory=lambda: ["high", "urgent"])
    industry: str | None = Field(default=None, description="industry for NPS benchmarks")


class LocaleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: str = Field(default="es", pattern="^(es|en)$")
    timezone: str = "UTC"
    currency: str = "USD"


class ProjectConfig(BaseModel):
    """The whole ``cxpulse.toml``. Sections of other packages stay raw dicts here and are
    parsed by their own package (``health``, ``loop``, ``surveys``, ``web``)."""

    model_config = ConfigDict(extra="forbid")
    name: str = "cxpulse project"
    workspace: WorkspaceConfig = Field(default_factory=WorkspaceConfig)
    tables: dict[str, TableBinding] = Field(default_factory=dict)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    locale: LocaleConfig = Field(default_factory=LocaleConfig)
    health: dict[str, Any] = Field(default_factory=dict)
    loop: dict[str, Any] = Field(default_factory=dict)
    surveys: dict[str, Any] = Field(default_factory=dict)
    web: dict[str, Any] = Field(default_factory=dict)
    benchmarks: dict[str, Any] = Field(default_factory=dict)
    jobs: dict[str, Any] = Field(default_factory=dict)

    project_dir: Path | None = Field(default=None, exclude=True)

    def workspace_url(self) -> str:
        """The analytics workspace URL: from the config, else the project's DuckDB file."""
        settings = Settings()
        if settings.workspace_url:
            return settings.workspace_url
        if self.workspace.url:
            return self.workspace.url
        base = self.project_dir or Path.cwd()
        return f"duckdb:///{(base / DEFAULT_WORKSPACE_FILE).resolve()}"

    def store_url(self) -> str:
        """The operational store URL: ``CXPULSE_DATABASE_URL`` or the project's SQLite file."""
        settings = Settings()
        if settings.database_url:
            return settings.database_url
        base = self.project_dir or Path.cwd()
        return f"sqlite:///{(base / DEFAULT_STORE_FILE).resolve()}"


class Settings(BaseSettings):
    """Per-deployment settings from ``CXPULSE_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="CXPULSE_", extra="ignore")
    workspace_url: str | None = None
    database_url: str | None = None
    secret_key: str | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "cxpulse@localhost"
    smtp_starttls: bool = False
    base_url: str = "http://127.0.0.1:8000"


def load_config(project_dir: str | Path) -> ProjectConfig:
    """Read ``cxpulse.toml`` from a project folder (defaults when the file is absent)."""
    folder = Path(project_dir)
    path = folder / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the syntax and retry.") from exc
    try:
        cfg = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"{path}: {details}. See 'cxpulse init' for a commented example."
        ) from exc
    cfg.project_dir = folder.resolve()
    return cfg
