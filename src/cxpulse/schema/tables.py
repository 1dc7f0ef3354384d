"""Canonical tables: declared once, used to validate files and to type the workspace.

Every table a user loads is one of these. A declaration says which columns exist, their
logical type, whether they are required, which values are allowed, and which columns form
the key that makes re-loading idempotent (rows with the same key are replaced).

>>> from cxpulse.schema import TABLES
>>> TABLES["responses"].key
('response_id',)
>>> TABLES["responses"].column("score").type
'int'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "int", "float", "bool", "date", "timestamp"]


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    type: ColumnType
    required: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True)
class RangeRule:
    """A range that depends on another column, e.g. score 0-10 when kind is 'nps'."""

    column: str
    when_column: str
    when_value: str
    minimum: float
    maximum: float


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: columns, key and conditional range rules."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RangeRule, ...] = field(default=())
    description: str = ""

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


SURVEY_KINDS = ("nps", "csat", "ces")
SCORE_RANGES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
RESPONSE_KINDS = (*SURVEY_KINDS, "yes_no")
"""Kinds of answers the workspace holds: the survey kinds the app collects, and yes/no answers
("did we solve your problem?") loaded from files, score 1 = yes, 0 = no."""
TICKET_STATUSES = ("open", "pending", "resolved", "closed")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
INVOICE_STATUSES = ("paid", "open", "void")
OUTCOMES = ("churn", "renewal", "expansion")

ACCOUNTS = TableSpec(
    name="accounts",
    description="One row per customer account (a company in B2B, a person in B2C).",
    key=("account_id",),
    columns=(
        Column("account_id", "string", required=True),
        Column("name", "string"),
        Column("segment", "string", description="e.g. SMB, Mid-Market, Enterprise"),
        Column("industry", "string"),
        Column("country", "string"),
        Column("owner", "string", description="account owner (CSM) name or e-mail"),
        Column("plan", "string"),
        Column("start_date", "date", required=True, description="customer since"),
        Column("end_date", "date", description="date the account churned; empty if active"),
        Column("mrr", "float", minimum=0, description="current monthly recurring revenue"),
        Column("licenses", "int", minimum=0, description="seats contracted"),
    ),
)

RESPONSES = TableSpec(
    name="responses",
    description="One answer to one survey question: NPS 0-10, CSAT 1-5, CES 1-7 or yes/no "
    "(yes_no: 1 = yes, 0 = no).",
    key=("response_id",),
    columns=(
        Column("response_id", "string", required=True),
        Column("account_id", "string", required=True),
        Column("contact_id", "string"),
        Column("survey_id", "string"),
        Column("kind", "string", required=True, allowed=RESPONSE_KINDS),
        Column("score", "int", required=True, minimum=0, maximum=10),
        Column("responded_at", "timestamp", required=True),
        Column("touchpoint", "string", description="e.g. support, onboarding, relationship"),
        Column("channel", "string", description="e.g. email, web, in-app"),
        Column("language", "string", description="ISO 639-1 code of the comment: es, en, pt"),
        Column("comment", "string"),
    ),
    rules=(
        RangeRule("score", "kind", "nps", 0, 10),
        RangeRule("score", "kind", "csat", 1, 5),
        RangeRule("score", "kind", "ces", 1, 7),
        RangeRule("score", "kind", "yes_no", 0, 1),
    ),
)

TICKETS = TableSpec(
    name="tickets",
    description="Support tickets / conversations.",
    key=("ticket_id",),
    columns=(
        Column("ticket_id", "string", required=True),
        Column("account_id", "string", required=True),
        Column("opened_at", "timestamp", required=True),
        Column("first_response_at", "timestamp"),
        Column("resolved_at", "timestamp"),
        Column("status", "string", required=True, allowed=TICKET_STATUSES),
        Column("priority", "string", required=True, allowed=TICKET_PRIORITIES),
        Column("channel", "string"),
        Column("category", "string"),
        Column("handle_time_minutes", "float", minimum=0),
        Column("first_contact_resolution", "bool"),
        Column(
            "reopen_count",
            "int",
            minimum=0,
            description="times the ticket was reopened after being resolved (Zendesk: Reopens)",
        ),
    ),
)

USAGE_EVENTS = TableSpec(
    name="usage_events",
    description="Product usage: one row per event (or per user-feature-day aggregate).",
    key=("event_id",),
    columns=(
        Column("event_id", "string", required=True),
        Column("account_id", "string", required=True),
        Column("user_id", "string"),
        Column("occurred_at", "timestamp", required=True),
        Column("feature", "string"),
        Column("quantity", "float", minimum=0),
    ),
)

INVOICES = TableSpec(
    name="invoices",
    description="Recurring revenue billed per period; drives GRR/NRR and overdue amounts.",
    key=("invoice_id",),
    columns=(
        Column("invoice_id", "string", required=True),
        Column("account_id", "string", required=True),
        Column("issued_at", "date", required=True),
        Column("period_start", "date", required=True),
        Column("period_end", "date"),
        Column("due_date", "date"),
        Column("paid_at", "date"),
        Column("amount", "float", required=True, minimum=0),
        Column("status", "string", allowed=INVOICE_STATUSES),
    ),
)

ORDERS = TableSpec(
    name="orders",
    description="Purchases (B2C or transactional B2B), cancellations and refunds; drives "
    "repeat purchase, revenue, order value and purchase retention.",
    key=("order_id",),
    columns=(
        Column("order_id", "string", required=True),
        Column("account_id", "string", required=True),
        Column("ordered_at", "timestamp", required=True),
        Column(
            "amount",
            "float",
            description="signed: refunds and cancellations may be negative",
        ),
        Column(
            "status",
            "string",
            description="purchases: [metrics] purchase_statuses (completed, paid, delivered, "
            "shipped, fulfilled or empty by default); cancelled, canceled, refunded, returned",
        ),
    ),
)

TOUCHPOINTS = TableSpec(
    name="touchpoints",
    description="Contacts between the company and the customer: meetings, calls, QBRs.",
    key=("touchpoint_id",),
    columns=(
        Column("touchpoint_id", "string", required=True),
        Column("account_id", "string", required=True),
        Column("occurred_at", "timestamp", required=True),
        Column("kind", "string", required=True, description="meeting, call, email, qbr..."),
        Column("owner", "string"),
        Column("rating", "int", minimum=1, maximum=5, description="CSM's rating of the account"),
        Column("note", "string"),
    ),
)

INVITATIONS = TableSpec(
    name="invitations",
    description="Survey invitations: one row per link sent to a contact, answered or not; "
    "drives the response rate by survey and channel. Filled by the app's sync (invitations "
    "created with cxpulse surveys invite or the API) or loaded from another tool's export.",
    key=("invitation_id",),
    columns=(
        Column("invitation_id", "string", required=True),
        Column("account_id", "string", required=True),
        Column("contact_id", "string"),
        Column("survey_id", "string", description="the survey's slug (as in responses)"),
        Column(
            "channel",
            "string",
            description="how the link reached the contact: email, link, sms, whatsapp...",
        ),
        Column(
            "invited_at",
            "timestamp",
            required=True,
            description="when it was sent (or created, when it was not e-mailed)",
        ),
        Column("answered", "bool", required=True, description="an answer came through it"),
        Column("responded_at", "timestamp"),
        Column("response_id", "string", description="the answer in responses (op-<id>)"),
    ),
)

OUTCOMES_TABLE = TableSpec(
    name="outcomes",
    description="What happened to an account: churn, renewal or expansion, on a date.",
    key=("account_id", "outcome", "occurred_at"),
    columns=(
        Column("account_id", "string", required=True),
        Column("outcome", "string", required=True, allowed=OUTCOMES),
        Column("occurred_at", "date", required=True),
        Column("value", "float", description="e.g. revenue of the renewal or expansion"),
    ),
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        ACCOUNTS,
        RESPONSES,
        TICKETS,
        USAGE_EVENTS,
        INVOICES,
        ORDERS,
        TOUCHPOINTS,
        OUTCOMES_TABLE,
        INVITATIONS,
    )
}
