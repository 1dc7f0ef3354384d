"""Metric definitions: frozen data, one per indicator, kept in a registry.

A definition says which canonical table a metric reads, which rows count, which column is
measured, which statistic turns the aggregates into a value with an interval, and how to
label it. The engine (:mod:`cxpulse.metrics.engine`) turns it into one ibis expression.

>>> get_definition("nps").table
'responses'
>>> [d.name for d in list_definitions()][:3]
['nps', 'csat', 'csat_bottom_box']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cxpulse.config import MetricsConfig
from cxpulse.metrics.errors import UnknownMetricError

Statistic = Literal[
    "nps",  # promoters / passives / detractors, multinomial interval
    "proportion",  # successes among n, Wilson interval
    "mean",  # t interval from n, sum, sum of squares
    "quantile",  # median and p90, distribution-free interval from order statistics
    "churn",  # logo churn among accounts active at period start, Wilson
    "cohort",  # retention by start-month cohort and months since start, Wilson
    "revenue_retention",  # GRR / NRR, ratio of sums, delta-method interval
    "repeat_purchase",  # share of buying customers with two or more purchases
    "returning",  # share of a period's buyers whose first purchase was before the period
    "purchase_cohort",  # share of a first-purchase cohort buying in month k after it
    "activity_cohort",  # share of a first-activity cohort (usage events) active in month k
    "cohort_repeat",  # share of a first-purchase cohort with a second purchase
    "customer_total",  # sum over customers (net revenue), t interval on the per-customer mean
    "customer_ratio",  # ratio of per-customer sums (order value), delta-method interval
    "customer_mean",  # mean over buying customers (orders per customer), t interval
    "open_count",  # open tickets at period end, Poisson interval
    "rate",  # events per active account-month, Poisson rate interval
]
Op = Literal[
    "==",
    "!=",
    "in",
    ">=",
    "<=",
    "notnull",
    "true",
    "purchase",  # status is one of [metrics] purchase_statuses ('' = missing or blank)
    "cancellation",  # status is cancelled, canceled, refunded or returned
    "purchase_or_cancellation",
    "within",  # SLA: column - value (a start column) <= the priority's target hours (option)
    "due",  # SLA: the ticket can be judged against its target (option) by now
]


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
    description_es: str = ""  # custom metrics carry their own descriptions
    custom: bool = False

    def label(self, lang: str = "es", options: MetricsConfig | None = None) -> str:
        """The display name in Spanish or English, with the thresholds in use.

        >>> from cxpulse.config import MetricsConfig
        >>> get_definition("csat").label("en", MetricsConfig(csat_top_box=5))
        'CSAT (top-box)'
        """
        text = self.label_en if lang == "en" else self.label_es
        return text.format(**threshold_labels(options or MetricsConfig(), lang))

    def describe_text(self, lang: str = "es") -> str:
        """The one-line description in Spanish or English (catalogue for built-ins)."""
        if self.custom:
            return self.description if lang == "en" else self.description_es
        from cxpulse.locale import gettext

        return gettext(f"metrics.desc.{self.name}", lang)


def _boxes(count: int, side: str) -> str:
    return f"{side}-box" if count == 1 else f"{side}-{count}-box"


def threshold_labels(options: MetricsConfig, lang: str = "es") -> dict[str, str]:
    """Label fragments that follow the settings: top-2-box, bottom-2-box, >= 5 ..."""
    return {
        "csat_top": _boxes(6 - options.csat_top_box, "top"),
        "csat_bottom": _boxes(options.csat_bottom_box, "bottom"),
        "ces_easy": f"≥ {options.ces_easy_from}",
    }


_RESOLVED = Condition("status", "in", ("resolved", "closed"))
_ORDERS = (Condition("status", "purchase_or_cancellation"),)

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
        "CSAT ({csat_top})",
        "CSAT ({csat_top})",
        "%",
        filters=(Condition("kind", "==", "csat"),),
        value_column="score",
        success=Condition("score", ">=", option="csat_top_box"),
        description="% of CSAT answers at or above the top-box threshold (4-5 by default).",
    ),
    MetricDefinition(
        "csat_bottom_box",
        "responses",
        "proportion",
        "responded_at",
        "CSAT insatisfechos ({csat_bottom})",
        "CSAT dissatisfied ({csat_bottom})",
        "%",
        filters=(Condition("kind", "==", "csat"),),
        value_column="score",
        success=Condition("score", "<=", option="csat_bottom_box"),
        description="% of CSAT answers at or below the bottom-box threshold (1-2 by default).",
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
        "CES fácil ({ces_easy})",
        "CES easy ({ces_easy})",
        "%",
        filters=(Condition("kind", "==", "ces"),),
        value_column="score",
        success=Condition("score", ">=", option="ces_easy_from"),
        description="% of CES answers 5-7 (configurable threshold).",
    ),
    MetricDefinition(
        "response_rate",
        "invitations",
        "proportion",
        "invited_at",
        "Tasa de respuesta",
        "Response rate",
        "%",
        value_column="answered",
        success=Condition("answered", "true"),
        description="% of survey invitations answered (by survey_id, channel...).",
    ),
    MetricDefinition(
        "yes_no_rate",
        "responses",
        "proportion",
        "responded_at",
        "Satisfacción sí/no (% sí)",
        "Yes/no satisfaction (% yes)",
        "%",
        filters=(Condition("kind", "==", "yes_no"),),
        value_column="score",
        success=Condition("score", ">=", 1),
        description="% of yes/no answers (kind yes_no: 1 = yes, 0 = no) that are yes.",
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
        "account_retention",
        "accounts",
        "cohort",
        "start_date",
        "Retención por cohorte (vida de la cuenta)",
        "Account-lifetime retention by cohort",
        "%",
        description="% of a start-month cohort of accounts without an end_date by the end of "
        "month k after its start (reads accounts.start_date and end_date only).",
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
        "mrr_churn",
        "invoices",
        "revenue_retention",
        "period_start",
        "MRR perdido por bajas",
        "Churned MRR",
        "%",
        filters=(Condition("status", "!=", "void"),),
        value_column="amount",
        variant="churned",
        description="Revenue of accounts that billed nothing this period / last period's revenue.",
    ),
    MetricDefinition(
        "contraction_mrr",
        "invoices",
        "revenue_retention",
        "period_start",
        "MRR perdido por reducción",
        "Contraction MRR",
        "%",
        filters=(Condition("status", "!=", "void"),),
        value_column="amount",
        variant="contraction",
        description="Revenue lost by accounts that billed less (but not nothing) / last period's.",
    ),
    MetricDefinition(
        "expansion_mrr",
        "invoices",
        "revenue_retention",
        "period_start",
        "MRR ganado por expansión",
        "Expansion MRR",
        "%",
        filters=(Condition("status", "!=", "void"),),
        value_column="amount",
        variant="expansion",
        description="Revenue gained by accounts that billed more / last period's revenue.",
    ),
    MetricDefinition(
        "repeat_purchase_rate",
        "orders",
        "repeat_purchase",
        "ordered_at",
        "Tasa de recompra",
        "Repeat purchase rate",
        "%",
        filters=_ORDERS,
        description="% of customers with a purchase in the period who made two or more.",
    ),
    MetricDefinition(
        "returning_customer_rate",
        "orders",
        "returning",
        "ordered_at",
        "Clientes que vuelven",
        "Returning customer rate",
        "%",
        filters=_ORDERS,
        description="% of the period's buyers whose first purchase was before the period.",
    ),
    MetricDefinition(
        "cancellation_rate",
        "orders",
        "proportion",
        "ordered_at",
        "Tasa de cancelación y devolución",
        "Cancellation and return rate",
        "%",
        filters=_ORDERS,
        value_column="status",
        success=Condition("status", "cancellation"),
        description="% of orders (purchases and cancellations) cancelled, refunded or returned.",
    ),
    MetricDefinition(
        "net_revenue",
        "orders",
        "customer_total",
        "ordered_at",
        "Ingresos netos",
        "Net revenue",
        "currency",
        filters=_ORDERS,
        value_column="amount",
        description="Purchase amounts minus cancelled, refunded and returned amounts.",
    ),
    MetricDefinition(
        "average_order_value",
        "orders",
        "customer_ratio",
        "ordered_at",
        "Valor medio del pedido",
        "Average order value",
        "currency",
        filters=_ORDERS,
        value_column="amount",
        description="Purchase revenue / purchases with an amount (cancellations left out).",
    ),
    MetricDefinition(
        "orders_per_customer",
        "orders",
        "customer_mean",
        "ordered_at",
        "Pedidos por cliente",
        "Orders per customer",
        "orders",
        filters=_ORDERS,
        description="Mean number of purchases per customer who bought in the period.",
    ),
    MetricDefinition(
        "purchase_retention",
        "orders",
        "purchase_cohort",
        "ordered_at",
        "Retención de compra por cohorte",
        "Purchase retention by cohort",
        "%",
        description="% of a first-purchase month cohort with a purchase in month k after it.",
    ),
    MetricDefinition(
        "cohort_repeat_rate",
        "orders",
        "cohort_repeat",
        "ordered_at",
        "Recompra por cohorte",
        "Repeat purchase by cohort",
        "%",
        description="% of a first-purchase month cohort who made a second purchase (so far).",
    ),
    MetricDefinition(
        "activity_retention",
        "usage_events",
        "activity_cohort",
        "occurred_at",
        "Retención de actividad por cohorte",
        "Activity retention by cohort",
        "%",
        description="% of a first-activity month cohort (usage events) active in month k after it.",
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
        "reopen_rate",
        "tickets",
        "proportion",
        "opened_at",
        "Tasa de reapertura",
        "Reopen rate",
        "%",
        filters=(_RESOLVED, Condition("reopen_count", "notnull")),
        value_column="reopen_count",
        success=Condition("reopen_count", ">=", 1),
        description="% of resolved tickets that were reopened at least once.",
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
        "sla_first_response",
        "tickets",
        "proportion",
        "opened_at",
        "SLA de primera respuesta",
        "First response within SLA",
        "%",
        filters=(
            Condition("first_response_at", "due", "opened_at", option="first_response_hours"),
        ),
        value_column="first_response_at",
        success=Condition(
            "first_response_at", "within", "opened_at", option="first_response_hours"
        ),
        description="% of tickets answered within their priority's first-response target.",
    ),
    MetricDefinition(
        "sla_resolution",
        "tickets",
        "proportion",
        "opened_at",
        "SLA de resolución",
        "Resolution within SLA",
        "%",
        filters=(Condition("resolved_at", "due", "opened_at", option="resolution_hours"),),
        value_column="resolved_at",
        success=Condition("resolved_at", "within", "opened_at", option="resolution_hours"),
        description="% of tickets resolved within their priority's resolution target.",
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
        "backlog",
        "tickets",
        "open_count",
        "opened_at",
        "Backlog por antigüedad",
        "Backlog by age",
        "tickets",
        variant="age",
        description="Tickets open at the end of the period, by days since opening.",
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
ALIASES = {"retention_cohort": "account_retention"}
"""Former names that keep working (``retention_cohort`` read only account dates)."""


def get_definition(name: str) -> MetricDefinition:
    """The definition of a metric by name; a clear error listing the known names."""
    try:
        return REGISTRY[ALIASES.get(name, name)]
    except KeyError:
        raise UnknownMetricError(
            key="metrics.error.unknown", values={"name": name, "known": ", ".join(REGISTRY)}
        ) from None


def list_definitions() -> list[MetricDefinition]:
    """Every defined metric, in display order."""
    return list(DEFINITIONS)
