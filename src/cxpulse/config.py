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
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from cxpulse.config_report import config_error, config_problems, toml_problem
from cxpulse.errors import ConfigError, ConfigProblem, InvalidValueError
from cxpulse.schema.options import TableBinding

CONFIG_FILE = "cxpulse.toml"
DEFAULT_WORKSPACE_FILE = "workspace.duckdb"
DEFAULT_STORE_FILE = "cxpulse.sqlite"


DEFAULT_PURCHASE_STATUSES = ("completed", "paid", "delivered", "shipped", "fulfilled", "")
CANCELLATION_STATUSES = ("cancelled", "canceled", "refunded", "returned")


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(
        default=None,
        description="Ibis connection URL of the analytics workspace; default: DuckDB file "
        "'workspace.duckdb' in the project folder.",
    )


CONDITION_OPS = (
    "==",
    "!=",
    "in",
    ">=",
    "<=",
    "notnull",
    "true",
    "purchase",
    "cancellation",
    "purchase_or_cancellation",
)
CUSTOM_STATISTICS = ("proportion", "mean", "nps")
TIME_COLUMNS = {
    "responses": "responded_at",
    "tickets": "opened_at",
    "orders": "ordered_at",
    "invoices": "period_start",
    "touchpoints": "occurred_at",
    "usage_events": "occurred_at",
    "outcomes": "occurred_at",
    "accounts": "start_date",
}


class MetricCondition(BaseModel):
    """``column op value`` in the metric condition vocabulary."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1)
    op: str = Field(description=f"one of {', '.join(CONDITION_OPS)}")
    value: str | int | float | bool | list[str | int | float] | None = None

    @field_validator("op")
    @classmethod
    def _known_op(cls, value: str) -> str:
        if value not in CONDITION_OPS:
            raise InvalidValueError(
                key="config.error.unknown_op", values={"op": value, "ops": ", ".join(CONDITION_OPS)}
            )
        return value

    @model_validator(mode="after")
    def _value_fits_op(self) -> MetricCondition:
        needs_value = self.op in ("==", "!=", "in", ">=", "<=")
        where = {"op": self.op, "column": self.column}
        if needs_value and self.value is None:
            raise InvalidValueError(key="config.error.op_value", values=where, setting="value")
        if self.op == "in" and not isinstance(self.value, list):
            raise InvalidValueError(key="config.error.op_list", values=where, setting="value")
        if self.op in (">=", "<=") and not isinstance(self.value, int | float):
            raise InvalidValueError(key="config.error.op_number", values=where, setting="value")
        return self


class CustomMetricConfig(BaseModel):
    """One ``[[metrics.custom]]`` entry: an indicator declared as data."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$", description="lower_snake_case")
    label_es: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    table: str
    statistic: str = Field(description=f"one of {', '.join(CUSTOM_STATISTICS)}")
    time_column: str | None = None
    filters: list[MetricCondition] = Field(default_factory=list)
    value_column: str | None = None
    success: MetricCondition | None = None
    unit: str | None = None
    description_es: str = ""
    description_en: str = ""

    @model_validator(mode="after")
    def _complete(self) -> CustomMetricConfig:
        if self.table not in TIME_COLUMNS:
            raise InvalidValueError(
                key="config.error.custom_table",
                values={"table": self.table, "tables": ", ".join(TIME_COLUMNS)},
                setting="table",
            )
        statistic = {"statistic": self.statistic}
        if self.statistic not in CUSTOM_STATISTICS:
            raise InvalidValueError(
                key="config.error.custom_statistic",
                values={**statistic, "statistics": ", ".join(CUSTOM_STATISTICS)},
                setting="statistic",
            )
        if self.statistic == "proportion" and self.success is None:
            raise InvalidValueError(key="config.error.custom_success", setting="success")
        if self.statistic in ("mean", "nps") and not self.value_column:
            raise InvalidValueError(
                key="config.error.custom_value_column", values=statistic, setting="value_column"
            )
        if self.statistic != "proportion" and self.success is not None:
            raise InvalidValueError(
                key="config.error.custom_success_only", values=statistic, setting="success"
            )
        return self


class DriversConfig(BaseModel):
    """``[metrics.drivers]``: the key-driver analysis the web app shows."""

    model_config = ConfigDict(extra="forbid")
    table: str = Field(default="responses", description="workspace table to read")
    outcome: str = Field(min_length=1, description="outcome column (overall satisfaction...)")
    success: list[str] = Field(
        default_factory=list, description="outcome values that count as 1 (categorical outcome)"
    )
    columns: list[str] = Field(min_length=2, description="driver columns (ratings)")
    missing_values: list[float] = Field(
        default_factory=list, description="rating codes meaning not answered (e.g. 0)"
    )


class SlaConfig(BaseModel):
    """``[metrics.sla]``: hours allowed per ticket priority."""

    model_config = ConfigDict(extra="forbid")
    first_response_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0},
        description="priority -> hours to the first response",
    )
    resolution_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 8.0, "high": 24.0, "normal": 72.0, "low": 120.0},
        description="priority -> hours to resolution",
    )

    @field_validator("first_response_hours", "resolution_hours")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [f"{k} = {v}" for k, v in value.items() if not v > 0]
        if bad:
            raise InvalidValueError(key="config.error.sla_hours", values={"bad": ", ".join(bad)})
        return value


class MetricsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)
    small_sample_n: int = Field(default=30, ge=1)
    csat_top_box: int = Field(
        default=4, ge=1, le=5, description="CSAT scores >= this are satisfied"
    )
    csat_bottom_box: int = Field(
        default=2, ge=1, le=5, description="CSAT scores <= this are dissatisfied"
    )
    ces_easy_from: int = Field(default=5, ge=1, le=7, description="CES scores >= this are easy")
    important_priorities: list[str] = Field(default_factory=lambda: ["high", "urgent"])
    industry: str | None = Field(default=None, description="industry for NPS benchmarks")
    purchase_statuses: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PURCHASE_STATUSES),
        description="order statuses that are purchases ('' = no status); compared ignoring "
        "case and surrounding spaces. cancelled, canceled, refunded and returned never are.",
    )

    sla: SlaConfig = Field(
        default_factory=SlaConfig, description="[metrics.sla]: ticket targets per priority"
    )
    drivers: DriversConfig | None = Field(
        default=None, description="[metrics.drivers]: the key-driver analysis of the web app"
    )
    custom: list[CustomMetricConfig] = Field(
        default_factory=list,
        description="[[metrics.custom]]: your own indicators (see docs/metrics.md)",
    )

    @field_validator("custom")
    @classmethod
    def _unique_custom_names(cls, value: list[CustomMetricConfig]) -> list[CustomMetricConfig]:
        names = [c.name for c in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InvalidValueError(
                key="config.error.custom_names", values={"names": ", ".join(twice)}
            )
        return value

    @field_validator("purchase_statuses")
    @classmethod
    def _purchases_are_not_cancellations(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip().lower() for v in value]
        wrong = [v for v in cleaned if v in CANCELLATION_STATUSES]
        if wrong:
            raise InvalidValueError(
                key="config.error.purchase_cancellations", values={"statuses": ", ".join(wrong)}
            )
        if not cleaned:
            raise InvalidValueError(key="config.error.purchase_empty")
        return list(dict.fromkeys(cleaned))

    @field_validator("industry")
    @classmethod
    def _known_industry(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from cxpulse.metrics.benchmarks import load_benchmarks, nps_benchmark

        if nps_benchmark(value) is None:
            known = ", ".join(sorted(b.industry_key for b in load_benchmarks()))
            raise InvalidValueError(
                key="config.error.industry", values={"industry": value, "known": known}
            )
        return value


class LocaleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Literal["es", "en"] = "es"
    timezone: str = "UTC"
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$", description="ISO 4217 code")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValueError(key="config.error.timezone", values={"zone": value}) from None
        return value


class SurveysConfig(BaseModel):
    """``[surveys]``: where invitation links point and how often answers reach the workspace."""

    model_config = ConfigDict(extra="forbid")
    base_url: str | None = Field(
        default=None, pattern=r"^https?://[^\s/]+", description="public address of the app"
    )
    sync_interval_s: float = Field(
        default=2.0, ge=0, le=86400, allow_inf_nan=False, description="0 turns the sync off"
    )
    # the brand on public survey pages (cxpulse.web.brand) and how they address people
    brand_name: str | None = Field(default=None, max_length=100)
    brand_logo: str | None = Field(
        default=None, description="a .png/.jpg/.svg/.webp file in the project folder"
    )
    brand_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    formality: Literal["tu", "usted"] = "tu"
    fatigue_days: int = Field(
        default=30, ge=0, le=3650, description="days before a contact is invited again"
    )


class WebConfig(BaseModel):
    """``[web]``: how the web app protects itself (see SECURITY.md)."""

    model_config = ConfigDict(extra="forbid")
    https: bool = Field(default=False, description="the app is reached over HTTPS only")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="addresses whose X-Forwarded-* headers are believed"
    )
    upload_max_mb: int = Field(default=100, ge=1, le=10240)
    max_body_kb: int = Field(default=1024, ge=16, le=1024 * 1024)
    api_docs: bool = Field(default=True, description="serve Swagger UI at /api/docs")
    signin_account_limits: str = "5/15 minutes;20/day"
    signin_client_limits: str = "30/15 minutes;300/day"
    rate_limit_storage: str = "memory://"

    @field_validator("signin_account_limits", "signin_client_limits")
    @classmethod
    def _limits(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise InvalidValueError(key="config.error.limits", values={"value": value}) from None
        return value


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

    def surveys_config(self) -> SurveysConfig:
        """``[surveys]`` parsed (it was validated when the file was loaded)."""
        return SurveysConfig.model_validate(self.surveys)

    def web_config(self) -> WebConfig:
        """``[web]`` parsed (it was validated when the file was loaded)."""
        return WebConfig.model_validate(self.web)

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


# sections parsed here in full; health, loop and benchmarks are checked by their packages
SECTION_MODELS: dict[str, type[BaseModel]] = {"surveys": SurveysConfig, "web": WebConfig}


def load_config(project_dir: str | Path) -> ProjectConfig:
    """Read ``cxpulse.toml`` from a project folder (defaults when the file is absent).

    Every section this module knows is validated in full (unknown keys, types, ranges,
    industry, time zone); a bad file raises :class:`ConfigError` naming each problem: its
    key path, the value written and what is wrong. ``str(error)`` is English;
    ``error.message_in("es")`` gives the same report in Spanish, and ``error.problems`` the
    problems one by one (:class:`~cxpulse.errors.ConfigProblem`).
    """
    folder = Path(project_dir)
    path = folder / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.exists():
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                key="sec.config.encoding", values={"path": str(path), "offset": exc.start}
            ) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise config_error(path, [toml_problem(exc)]) from None
    problems: list[ConfigProblem] = []
    try:
        cfg = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        problems += config_problems(exc, ProjectConfig)
        cfg = None
    for section, model in SECTION_MODELS.items():
        value = data.get(section, {})
        if not isinstance(value, dict):
            continue  # already reported as the wrong type
        try:
            model.model_validate(value)
        except ValidationError as exc:
            problems += config_problems(exc, model, (section,))
    if problems or cfg is None:
        raise config_error(path, problems)
    cfg.project_dir = folder.resolve()
    return cfg
