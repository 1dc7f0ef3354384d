"""Metric definitions: frozen data, one per indicator, kept in a registry.

A definition says which canonical table a metric reads, which rows count, which column is
measured, which statistic turns the aggregates into a value with an interval, and how to
label it. The engine (:mod:`cxpulse.metrics.engine`) turns it into one ibis expression.

>>> get_definition("nps").table
'responses'
>>> [d.name for d in list_definitions()][:3]
['nps', 'csat', 'csat_mean']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cxpulse.metrics.errors import UnknownMetricError

Statistic = Literal[
    "nps",  # promoters / passives / detractors, multinomial interval
    "proportion",  # successes among n, Wilson interval
    "mean",  # t interval from n, sum, sum of squares
    "quantile",  # median and p90, distribution-free interval from order statistics
    "churn",  # logo churn among accounts active at period start, Wilson
    "cohort",  # retention by start-month cohort and months since start, Wilson
    "revenue_retention",  # GRR / NRR, ratio of sums, delta-method interval
    "repeat_purchase",  # share of buying accounts with two or more orders, Wilson
    "open_count",  # open tickets at period end, Poisson interval
    "rate",  # events per active account-month, Poisson rate interval
]
Op = Literal["==", "!=", "in", ">=", "<=", "notnull", "true"]


@dataclass(frozen=True)
class Condition:
    """A row condition ``column op value``; ``option`` takes the value from the config.

    ``option`` names a field of ``[metrics]`` in cxpulse.toml (e.g. ``csat_top_box``).
    """

    column: str
    op: Op
    value: str | int | float | tuple[str, ...] | None = None
    option: str | None = None


@dataclass(frozen=True)
class MetricDefinition:
    """One indicator, as data."""

    name: str
    table: str
    statistic: Statistic
    time_column: str
    label_es: str
    label_en: str
    unit: str  # "score", "%", "minutes", "hours", "tickets", "per account-month", "ratio %"
    filters: tuple[Condition, ...] = ()
    value_column: str | None = None
    success: Condition | None = None  # for proportions: which rows are successes
    duration_from: str | None = None  # for durations: value = value_column - duration_from
    variant: str | None = None  # statistic-specific switch (e.g. "gross" / "net")
    description: str = ""
    tags: tuple[str, ...] = field(default=())

    def label(self, lang: str = "es") -> str:
        """The display name in Spanish or English."""
        return self.label_en if lang == "en" else self.label_es


_RESOLVED = Condition("status", "in", ("resolved", "closed"))

DEFINITIONS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        "nps",
        "responses",
        "nps",
        "responded_at",
        "NPS",
        "NPS",
        "score",
        filters=(Condition("kind", "==", "nps"),),
        value_column="score",
        description="% promoters (9-10) minus % detractors (0-6), -100..100.",
    ),
    MetricDefinition(
        "csat",
        "responses",
        "proportion",
        "responded_at",
        "CSAT (top-2-box)",
        "CSAT (top-2-box)",
        "%",
        filters=(Condition("kind", "==", "csat"),),
        value_column="score",
        success=Condition("score", ">=", option="csat_top_box"),
        description="% of CSAT answers at or above the top-box threshold (4-5 by default).",
    ),
    MetricDefinition(
        "csat_mean",
        "responses",
        "mean",
        "responded_at",
        "CSAT promedio",
        "CSAT mean",
        "score",
        filters=(Condition("kind", "==", "csat"),),
        value_column="score",
        description="Mean CSAT score, 1-5.",
    ),
    MetricDefinition(
        "ces",
        "responses",
        "mean",
        "responded_at",
        "CES promedio",
        "CES mean",
        "score",
        filters=(Condition("kind", "==", "ces"),),
        value_column="score",
        description="Mean Customer Effort Score, 1-7 (higher is easier).",
    ),
    MetricDefinition(
        "ces_easy",
        "responses",
        "proportion",
        "responded_at",
        "CES fácil",
        "CES easy",
        "%",
        filters=(Condition("kind", "==", "ces"),),
        value_column="score",
        success=Condition("score", ">=", option="ces_easy_from"),
        description="% of CES answers 5-7 (configurable threshold).",
    ),
    MetricDefinition(
        "churn_rate",
        "accounts",
        "churn",
        "end_date",
        "Tasa de churn (logos)",
        "Logo churn rate",
        "%",
        description="% of accounts active at period start that churned within the period.",
    ),
    MetricDefinition(
        "retention_cohort",
        "accounts",
        "cohort",
        "start_date",
        "Retención por cohorte",
        "Cohort retention",
        "%",
        description="% of a start-month cohort still a customer N months after its start.",
    ),
    MetricDefinition(
        "grr",
        "invoices",
        "revenue_retention",
        "period_start",
        "Retención bruta de ingresos (GRR)",
        "Gross revenue retention (GRR)",
        "%",
        filters=(Condition("status", "!=", "void"),),
        value_column="amount",
        variant="gross",
        description="Sum over accounts of min(revenue now, revenue before) / revenue before.",
    ),
    MetricDefinition(
        "nrr",
        "invoices",
        "revenue_retention",
        "period_start",
        "Retención neta de ingresos (NRR)",
        "Net revenue retention (NRR)",
        "%",
        filters=(Condition("status", "!=", "void"),),
        value_column="amount",
        variant="net",
        description="Revenue now from accounts that billed the period before / their revenue then.",
    ),
    MetricDefinition(
        "repeat_purchase_rate",
        "orders",
        "repeat_purchase",
        "ordered_at",
        "Tasa de recompra",
        "Repeat purchase rate",
        "%",
        description="% of customers who bought in the period that placed two or more orders.",
    ),
    MetricDefinition(
        "aht",
        "tickets",
        "mean",
        "opened_at",
        "Tiempo medio de atención (AHT)",
        "Average handle time (AHT)",
        "minutes",
        filters=(Condition("handle_time_minutes", "notnull"),),
        value_column="handle_time_minutes",
        description="Mean handle time of tickets, in minutes.",
    ),
    MetricDefinition(
        "fcr",
        "tickets",
        "proportion",
        "opened_at",
        "Resolución en primer contacto (FCR)",
        "First contact resolution (FCR)",
        "%",
        filters=(_RESOLVED, Condition("first_contact_resolution", "notnull")),
        value_column="first_contact_resolution",
        success=Condition("first_contact_resolution", "true"),
        description="% of resolved tickets solved at the first contact.",
    ),
    MetricDefinition(
        "time_to_first_response",
        "tickets",
        "quantile",
        "opened_at",
        "Tiempo a primera respuesta",
        "Time to first response",
        "hours",
        filters=(Condition("first_response_at", "notnull"),),
        value_column="first_response_at",
        duration_from="opened_at",
        description="Median (and p90) hours from opening to the first response.",
    ),
    MetricDefinition(
        "time_to_resolution",
        "tickets",
        "quantile",
        "opened_at",
        "Tiempo a resolución",
        "Time to resolution",
        "hours",
        filters=(Condition("resolved_at", "notnull"),),
        value_column="resolved_at",
        duration_from="opened_at",
        description="Median (and p90) hours from opening to resolution.",
    ),
    MetricDefinition(
        "open_important_tickets",
        "tickets",
        "open_count",
        "opened_at",
        "Tickets importantes abiertos",
        "Open important tickets",
        "tickets",
        filters=(Condition("priority", "in", option="important_priorities"),),
        description="Tickets of important priority still open at the end of the period.",
    ),
    MetricDefinition(
        "tickets_per_account",
        "tickets",
        "rate",
        "opened_at",
        "Conversaciones por cuenta y mes",
        "Conversations per account per month",
        "per account-month",
        description="New tickets per active account per month.",
    ),
    MetricDefinition(
        "touchpoint_frequency",
        "touchpoints",
        "rate",
        "occurred_at",
        "Frecuencia de contacto",
        "Touchpoint frequency",
        "per account-month",
        description="Touchpoints (meetings, calls, QBRs...) per active account per month.",
    ),
)

REGISTRY: dict[str, MetricDefinition] = {d.name: d for d in DEFINITIONS}


def get_definition(name: str) -> MetricDefinition:
    """The definition of a metric by name; a clear error listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownMetricError(
            key="metrics.error.unknown", values={"name": name, "known": ", ".join(REGISTRY)}
        ) from None


def list_definitions() -> list[MetricDefinition]:
    """Every defined metric, in display order."""
    return list(DEFINITIONS)
