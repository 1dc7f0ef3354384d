"""The ``[health]`` section of ``cxpulse.toml``: signal catalogue, bands and playbooks.

``cxpulse.config`` keeps the section as a raw dict; this module validates it.

>>> cfg = parse_health_config({})  # empty section: the default SaaS catalogue
>>> sorted({s.family for s in cfg.signals})
['financial', 'market', 'product', 'relationship', 'service']
>>> cfg.bands.band_for(55.0)
'yellow'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cxpulse.errors import ConfigError, InvalidValueError

Family = Literal["financial", "product", "service", "relationship", "market"]
Direction = Literal["higher_is_better", "lower_is_better"]
Outcome = Literal["churn", "renewal", "expansion"]
BAND_NAMES = ("red", "yellow", "green")


SignalType = Literal["numeric", "categorical"]
LEVEL_OTHER = "other"  # rare levels in training and levels never seen there


def normalise_level(value: object) -> str:
    """A categorical level as cxpulse compares it: trimmed and case-folded.

    >>> normalise_level("  Germany "), normalise_level("ANNUAL")
    ('germany', 'annual')
    """
    return str(value).strip().casefold()


class Signal(BaseModel):
    """One health signal: where its value comes from and how an expert reads it.

    A ``numeric`` signal is read by its ``bad``/``good`` thresholds; a ``categorical`` one
    (any text column or attribute, e.g. ``accounts.plan``) by ``points`` per level: the level's
    signal score above or below the neutral 50 (-50 to 50), e.g. ``{monthly = -10, annual =
    5}``. Levels are compared trimmed and case-folded; a level not listed takes the points of
    ``other`` when given, else counts as missing for the expert model. Learned models one-hot
    encode the levels seen in training at least ``min_count`` times and in at least
    ``min_share`` of the rows; rarer ones (and, at scoring, unseen ones) go to ``other``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="column name of the feature")
    family: Family
    source: str = Field(
        description="a builtin feature (e.g. 'usage_frequency'), 'table.column' of a table with "
        "account_id (e.g. 'accounts.mrr'), or an indicator 'table.column=value' "
        "(e.g. 'accounts.country=DE')"
    )
    type: SignalType = "numeric"
    lookback_days: int = Field(default=90, ge=1, le=3650)
    time_column: str | None = Field(
        default=None,
        description="for 'table.column' sources: the time column that makes the value point-in-"
        "time (default: 'observed_at' when the table has it)",
    )
    direction: Direction = "higher_is_better"
    weight: float = Field(default=1.0, ge=0)
    bad: float | None = Field(default=None, description="value at which the signal scores 0")
    good: float | None = Field(default=None, description="value at which the signal scores 100")
    points: dict[str, float] | None = Field(
        default=None, description="categorical: points per level, relative to a neutral 50"
    )
    min_count: int = Field(default=10, ge=1, description="categorical: rarer levels -> other")
    min_share: float = Field(default=0.005, ge=0, lt=1, description="categorical: idem, share")

    @model_validator(mode="after")
    def _thresholds_follow_direction(self) -> Signal:
        if self.type == "categorical":
            return self._categorical_checks()
        named = {"signal": self.name}
        if self.points is not None:
            raise InvalidValueError(
                key="health.error.points_numeric", values=named, setting="points"
            )
        if self.bad is None or self.good is None:
            raise InvalidValueError(key="health.error.numeric_thresholds", values=named)
        if self.bad == self.good:
            raise InvalidValueError(key="health.error.bad_is_good", values=named, setting="good")
        if (self.direction == "higher_is_better") != (self.good > self.bad):
            raise InvalidValueError(
                key="health.error.direction",
                values={**named, "direction": self.direction, "good": self.good, "bad": self.bad},
                setting="direction",
            )
        return self

    def _categorical_checks(self) -> Signal:
        named = {"signal": self.name}
        if self.bad is not None or self.good is not None:
            raise InvalidValueError(key="health.error.categorical_thresholds", values=named)
        if "=" in self.source or "." not in self.source:
            raise InvalidValueError(
                key="health.error.categorical_source",
                values={**named, "source": self.source},
                setting="source",
            )
        if self.points is None:
            if self.weight > 0:
                raise InvalidValueError(
                    key="health.error.categorical_points",
                    values={**named, "weight": self.weight},
                    setting="points",
                )
            return self
        if not self.points:
            raise InvalidValueError(key="health.error.points_empty", values=named, setting="points")
        seen: dict[str, str] = {}
        for level, value in self.points.items():
            key = normalise_level(level)
            if not key:
                raise InvalidValueError(
                    key="health.error.points_unnamed", values=named, setting="points"
                )
            if key in seen:
                raise InvalidValueError(
                    key="health.error.points_same",
                    values={**named, "first": seen[key], "second": level},
                    setting="points",
                )
            seen[key] = level
            if not -50 <= value <= 50:
                raise InvalidValueError(
                    key="health.error.points_range",
                    values={**named, "level": level, "points": value},
                    setting="points",
                )
        return self

    def __setstate__(self, state: dict[Any, Any]) -> None:
        # signals pickled in model files before a field existed take its default
        values = state.get("__dict__", {})
        for name, info in type(self).model_fields.items():
            if name not in values and not info.is_required():
                values[name] = info.get_default(call_default_factory=True)
        super().__setstate__(state)

    @property
    def level_points(self) -> dict[str, float]:
        """The expert points per normalised level (``other`` included when given)."""
        return {normalise_level(k): float(v) for k, v in (self.points or {}).items()}


BandMethod = Literal["auto", "score", "risk_ratio", "risk_share"]


class Bands(BaseModel):
    """How scores become red, yellow and green.

    - ``score``: fixed cut-offs, red below ``red_below``, green from ``green_from``.
    - ``risk_ratio``: from the calibrated risk of the bad outcome: red when the risk is more
      than ``red_ratio`` times the base rate the model was fitted on, yellow above
      ``yellow_ratio`` times it, green otherwise.
    - ``risk_share``: the riskiest ``red_share`` of accounts (on the training data) red, the
      next ones up to ``yellow_share`` yellow.
    - ``auto`` (default): ``score`` for the expert model, ``risk_ratio`` for learned models, so
      that a model whose scores sit at 95 when few accounts churn still marks the risky ones.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    method: BandMethod = "auto"
    red_below: float = Field(default=40.0, gt=0, lt=100)
    green_from: float = Field(default=70.0, gt=0, le=100)
    red_ratio: float = Field(default=1.5, gt=1.0)
    yellow_ratio: float = Field(default=1.0, gt=0.0)
    red_share: float = Field(default=0.10, gt=0.0, lt=1.0)
    yellow_share: float = Field(default=0.30, gt=0.0, lt=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.green_from <= self.red_below:
            raise InvalidValueError(
                key="health.error.bands_score",
                values={"green": self.green_from, "red": self.red_below},
            )
        if self.yellow_ratio >= self.red_ratio:
            raise InvalidValueError(
                key="health.error.bands_ratio",
                values={"yellow": self.yellow_ratio, "red": self.red_ratio},
            )
        if self.yellow_share <= self.red_share:
            raise InvalidValueError(
                key="health.error.bands_share",
                values={"yellow": self.yellow_share, "red": self.red_share},
            )
        return self

    def band_for(self, score: float) -> str:
        """The band of a 0-100 score with the fixed cut-offs (method ``score``)."""
        if score < self.red_below:
            return "red"
        if score >= self.green_from:
            return "green"
        return "yellow"


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    es: str | None = None
    en: str | None = None


class LogisticSettings(BaseModel):
    """``[health.model.logistic]``: the logistic regression's settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    C: float | None = Field(default=None, gt=0, description="inverse L2 strength")


class LightGBMSettings(BaseModel):
    """``[health.model.lightgbm]``: LightGBM's settings (its own names)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    n_estimators: int | None = Field(default=None, ge=1, le=20000)
    learning_rate: float | None = Field(default=None, gt=0, le=1)
    num_leaves: int | None = Field(default=None, ge=2, le=4096)
    min_child_samples: int | None = Field(default=None, ge=1)
    subsample: float | None = Field(default=None, gt=0, le=1)
    colsample_bytree: float | None = Field(default=None, gt=0, le=1)
    reg_lambda: float | None = Field(default=None, ge=0)


class ModelSettings(BaseModel):
    """``[health.model]``: which model is active (``name``) and how learned models are fitted.

    ``[health] model = "lightgbm"`` is the short form of ``[health.model] name = "lightgbm"``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Literal["expert", "logistic", "lightgbm"] = "expert"
    calibration: Literal["auto", "isotonic", "sigmoid", "none"] | None = None
    holdout: float | None = Field(default=None, gt=0, lt=1)
    random_state: int | None = None
    logistic: LogisticSettings = Field(default_factory=LogisticSettings)
    lightgbm: LightGBMSettings = Field(default_factory=LightGBMSettings)

    def for_estimator(self, kind: str) -> dict[str, Any]:
        """The settings given for ``kind`` (only those set; the rest keep their defaults)."""
        common = {
            k: v
            for k, v in (
                ("calibration", self.calibration),
                ("holdout", self.holdout),
                ("random_state", self.random_state),
            )
            if v is not None
        }
        own = getattr(self, kind, None)
        if own is None:
            return common
        return {**common, **{k: v for k, v in own.model_dump().items() if v is not None}}


class HealthConfig(BaseModel):
    """The whole ``[health]`` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    outcome: Outcome = "churn"
    horizon_days: int = Field(default=90, ge=1, le=3650)
    training_dates: Literal["monthly", "semimonthly"] = "monthly"
    model: Literal["expert", "logistic", "lightgbm"] = "expert"
    model_settings: ModelSettings = Field(default_factory=ModelSettings)
    bands: Bands = Field(default_factory=Bands)
    playbooks: dict[str, Playbook] = Field(default_factory=dict)
    signals: tuple[Signal, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _model_table(cls, data: Any) -> Any:
        # [health.model] (a table) holds the name and the settings; model = "x" is the short form
        if isinstance(data, dict) and isinstance(data.get("model"), dict):
            data = dict(data)
            table = dict(data.pop("model"))
            data["model"] = table.get("name", "expert")
            data["model_settings"] = table
        return data

    @model_validator(mode="after")
    def _unique_names(self) -> HealthConfig:
        names = [s.name for s in self.signals]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InvalidValueError(
                key="health.error.signal_names",
                values={"names": ", ".join(dupes)},
                setting="signals",
            )
        unknown = sorted(set(self.playbooks) - set(BAND_NAMES))
        if unknown:
            raise InvalidValueError(
                key="health.error.playbook_bands",
                values={"unknown": ", ".join(unknown), "bands": ", ".join(BAND_NAMES)},
                setting="playbooks",
            )
        return self


DEFAULT_HEALTH_TOML = """\
# ---------------------------------------------------------------------------------------
# Customer Health Score / Puntaje de salud del cliente
# Signals in five families: financial, product, service, relationship, market (human input).
# Señales en cinco familias: financiera, producto, servicio, relación, mercado (criterio humano).
# Each signal / Cada señal:
#   name          column name of the signal / nombre de la señal
#   family        financial | product | service | relationship | market
#   source        a builtin / una función integrada:
#                   usage_frequency, distinct_features, active_user_trend, license_utilisation,
#                   usage_quantity, usage_per_seat, open_important_tickets, tickets_per_month,
#                   important_ticket_share, first_contact_resolution, recent_csat, recent_ces,
#                   resolution_hours, touchpoints_per_month, days_since_touchpoint, latest_nps,
#                   mean_nps, nps_trend, revenue_trend, overdue_amount, days_to_renewal,
#                   tenure_days, csm_rating, override
#                 or "table.column" (mean per account), or "table.column=value" (indicator)
#                 o "tabla.columna" (media por cuenta), o "tabla.columna=valor" (indicador)
#   lookback_days window of history before the as-of date / ventana de historia previa
#   time_column   for "table.column": column that dates each row (default observed_at);
#                 without one the table is a snapshot of today: fine for scoring, optimistic
#                 in backtests (e.g. accounts.licenses after later expansions)
#                 columna que fecha cada fila; sin ella la tabla es una foto de hoy
#   direction     higher_is_better | lower_is_better
#   weight        expert weight / peso experto (0 = ignored by the expert model)
#   bad, good     value scoring 0 and value scoring 100 / valor que puntúa 0 y valor que puntúa 100
#   type          numeric (default) | categorical: a text column or attribute such as
#                 "accounts.plan"; levels compared trimmed and case-folded
#                 categorical: una columna de texto; niveles sin distinguir mayúsculas
#   points        categorical: points per level for the expert model, relative to a neutral
#                 50 (-50..50); "other" covers the levels not listed (else they are missing)
#                 puntos por nivel para el experto, respecto de 50; "other" para el resto
#                   points = { monthly = -10, annual = 5, other = 0 }
#   min_count, min_share  categorical: levels seen fewer times (10) or in a smaller share of
#                 the training rows (0.005) are grouped into "other" by learned models, as
#                 are levels never seen in training (reported when scoring)
#                 niveles raros (o no vistos al entrenar) se agrupan en "other"
# Features as of a date use only data strictly before it; a missing signal is left out of the
# expert score (never guessed) and imputed + flagged for learned models.
# Las señales al corte usan solo datos anteriores; una señal ausente no se inventa.
# ---------------------------------------------------------------------------------------
[health]
outcome = "churn"        # churn | renewal | expansion
horizon_days = 90        # predict the outcome in the next 90 days / en los próximos 90 días
training_dates = "monthly"  # as-of dates of a history: monthly (the 1st) | semimonthly (1st,
                         # 16th: covers the billing cycle when accounts are scored on any day)
                         # fechas de corte: mensual (día 1) | quincenal (1 y 16)
model = "expert"         # expert | logistic | lightgbm (after `cxpulse health fit`)
# Model settings (model_settings) / ajustes del modelo: write the model as a table instead of
# the line above; unset values keep the shipped defaults (shown by `cxpulse health fit`).
# Escribe el modelo como tabla en vez de la línea de arriba; lo no indicado queda por defecto.
# [health.model]
# name = "lightgbm"
# calibration = "sigmoid"  # auto | sigmoid | isotonic | none
# holdout = 0.25           # share of training rows that fits the calibration
# random_state = 0
# [health.model.logistic]
# C = 1.0
# [health.model.lightgbm]
# n_estimators = 300
# learning_rate = 0.05
# num_leaves = 15
# min_child_samples = 20
# subsample = 0.8
# colsample_bytree = 0.8
# reg_lambda = 0.0

[health.bands]            # bands / bandas
method = "auto"          # auto | score | risk_ratio | risk_share
                         # auto: score cut-offs for the expert model, risk_ratio for learned ones
                         # auto: cortes de puntaje para el experto, risk_ratio para los aprendidos
red_below = 40           # score: rojo < 40
green_from = 70          # score: verde >= 70; amarillo en medio / yellow in between
red_ratio = 1.5          # risk_ratio: red when the risk of churn > 1.5x the base rate / rojo > 1,5x
yellow_ratio = 1.0       # risk_ratio: yellow when above the base rate / amarillo > promedio
red_share = 0.10         # risk_share: the riskiest 10 % red / el 10 % más riesgoso en rojo
yellow_share = 0.30      # risk_share: the next ones up to 30 % yellow / hasta el 30 % amarillo

# playbooks: text per band overrides the built-in one / texto propio por banda (opcional)
# [health.playbooks.red]
# es = "Llamada del CSM en 48 horas y plan de recuperación."
# en = "CSM call within 48 hours and a recovery plan."

# --- financial / financiero --------------------------------------------------------------
[[health.signals]]
name = "revenue_trend"        # invoiced last window vs previous / facturado vs ventana previa
family = "financial"
source = "revenue_trend"
lookback_days = 90
direction = "higher_is_better"
weight = 2
bad = -0.3
good = 0.1

[[health.signals]]
name = "overdue_amount"       # unpaid invoices past due / facturas vencidas sin pagar
family = "financial"
source = "overdue_amount"
lookback_days = 365
direction = "lower_is_better"
weight = 2
bad = 5000
good = 0

[[health.signals]]
name = "days_to_renewal"      # days until the next contract anniversary / días a la renovación
family = "financial"
source = "days_to_renewal"
direction = "higher_is_better"
weight = 0.5
bad = 15
good = 120

# --- product / producto ----------------------------------------------------------------------
[[health.signals]]
name = "usage_frequency"      # usage events per month / eventos de uso por mes
family = "product"
source = "usage_frequency"
lookback_days = 30
direction = "higher_is_better"
weight = 3
bad = 10
good = 150

[[health.signals]]
name = "distinct_features"    # depth: features used / profundidad: funciones usadas
family = "product"
source = "distinct_features"
lookback_days = 30
direction = "higher_is_better"
weight = 2
bad = 1
good = 6

[[health.signals]]
name = "active_user_trend"    # active users last window vs previous / usuarios activos
family = "product"
source = "active_user_trend"
lookback_days = 30
direction = "higher_is_better"
weight = 2
bad = -0.4
good = 0.1

[[health.signals]]
name = "license_utilisation"  # active users / seats / usuarios activos / licencias
family = "product"
source = "license_utilisation"
lookback_days = 30
direction = "higher_is_better"
weight = 2
bad = 0.2
good = 0.8

# --- service / servicio ---------------------------------------------------------------------
[[health.signals]]
name = "open_important_tickets"  # high/urgent tickets open / tickets importantes abiertos
family = "service"
source = "open_important_tickets"
lookback_days = 365
direction = "lower_is_better"
weight = 2
bad = 3
good = 0

[[health.signals]]
name = "tickets_per_month"    # new conversations / conversaciones nuevas por mes
family = "service"
source = "tickets_per_month"
lookback_days = 90
direction = "lower_is_better"
weight = 1
bad = 8
good = 1

[[health.signals]]
name = "recent_csat"          # mean CSAT 1-5 / CSAT medio 1-5
family = "service"
source = "recent_csat"
lookback_days = 90
direction = "higher_is_better"
weight = 2
bad = 2.5
good = 4.5

[[health.signals]]
name = "resolution_hours"     # mean time to resolution / tiempo medio de resolución
family = "service"
source = "resolution_hours"
lookback_days = 90
direction = "lower_is_better"
weight = 1
bad = 96
good = 8

# --- relationship / relación ---------------------------------------------------------------
[[health.signals]]
name = "touchpoints_per_month"  # meetings, calls, QBRs / reuniones, llamadas, QBR
family = "relationship"
source = "touchpoints_per_month"
lookback_days = 90
direction = "higher_is_better"
weight = 1
bad = 0.2
good = 2

[[health.signals]]
name = "days_since_touchpoint"  # silence since last contact / días sin contacto
family = "relationship"
source = "days_since_touchpoint"
lookback_days = 365
direction = "lower_is_better"
weight = 1
bad = 120
good = 14

[[health.signals]]
name = "latest_nps"           # last NPS answer 0-10 / última respuesta NPS
family = "relationship"
source = "latest_nps"
lookback_days = 365
direction = "higher_is_better"
weight = 3
bad = 4
good = 9

[[health.signals]]
name = "nps_trend"            # mean NPS last window minus previous / tendencia NPS
family = "relationship"
source = "nps_trend"
lookback_days = 180
direction = "higher_is_better"
weight = 1
bad = -2
good = 1

# --- market / human input / criterio humano -------------------------------------------------
[[health.signals]]
name = "csm_rating"           # CSM's rating 1-5 on touchpoints / calificación del CSM
family = "market"
source = "csm_rating"
lookback_days = 180
direction = "higher_is_better"
weight = 2
bad = 2
good = 4.5

[[health.signals]]
name = "override"             # manual score 0-100 in table health_overrides / ajuste manual
family = "market"
source = "override"
lookback_days = 90
direction = "higher_is_better"
weight = 0
bad = 0
good = 100
"""

_HORIZON = re.compile(r"^\s*(\d+)\s*([dwmy]?)\s*$")
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


def parse_horizon(text: str | int) -> int:
    """Days in a horizon such as ``"90d"``, ``"12w"``, ``"3m"`` or ``"1y"``.

    >>> parse_horizon("90d"), parse_horizon("3m"), parse_horizon(30)
    (90, 90, 30)
    """
    if isinstance(text, int):
        days = text
    else:
        match = _HORIZON.match(text.lower())
        if match is None:
            raise ConfigError(key="health.error.horizon", values={"text": text})
        days = int(match.group(1)) * _UNIT_DAYS[match.group(2)]
    if days < 1:
        raise ConfigError(key="health.error.horizon_short", values={"text": text})
    return days


def default_health_section() -> dict[str, Any]:
    """The default ``[health]`` section as a dict (parsed from :data:`DEFAULT_HEALTH_TOML`)."""
    section: dict[str, Any] = tomllib.loads(DEFAULT_HEALTH_TOML)["health"]
    return section


def parse_health_config(section: dict[str, Any] | None) -> HealthConfig:
    """Validate a raw ``[health]`` section; missing keys take the defaults.

    A section without ``signals`` uses the default SaaS catalogue.
    """
    data = dict(section or {})
    if "signals" not in data:
        data["signals"] = default_health_section()["signals"]
    try:
        return HealthConfig.model_validate(data)
    except ValidationError as exc:
        from cxpulse.config_report import config_problems

        problems = [
            # [health.model] is read into model_settings: name the key the file has
            replace(p, where=p.where.replace("health.model_settings", "health.model", 1))
            for p in config_problems(exc, HealthConfig, ("health",))
        ]
        raise ConfigError(key="health.error.config", problems=problems) from exc
