"""Closed-loop rules: a trigger (a low answer, a health drop, a comment theme) and an action
(open a case with a priority and an SLA, assign it, notify by e-mail and/or webhook).

Rules live in the ``[loop]`` section of ``cxpulse.toml``; :func:`parse_loop_config` turns the
raw dict into validated models. Without rules the detractor default applies.

>>> cfg = parse_loop_config({})
>>> [r.name for r in cfg.rules]
['detractors']
>>> facts = ResponseFacts(response_id="r1", account_id="a1", kind="nps", score=3)
>>> [r.name for r in cfg.rules_for_response(facts)]
['detractors']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cxpulse.errors import ConfigError, InvalidValueError

TriggerKind = Literal["detractor", "csat_low", "ces_low", "health_red", "theme"]
Priority = Literal["low", "normal", "high", "urgent"]
Channel = Literal["email", "webhook"]

# Default score ceilings per trigger: NPS detractor 0-6, CSAT 1-2, CES 1-3.
DEFAULT_MAX_SCORE: dict[str, int] = {"detractor": 6, "csat_low": 2, "ces_low": 3}
TRIGGER_SURVEY_KIND: dict[str, str] = {"detractor": "nps", "csat_low": "csat", "ces_low": "ces"}


@dataclass(frozen=True)
class ResponseFacts:
    """What a rule needs to know about one stored survey answer."""

    response_id: str
    account_id: str | None
    kind: str
    score: int
    contact_id: str | None = None
    comment: str | None = None
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BandChange:
    """An account's health band moved (``cxpulse.health.band_changes`` yields these)."""

    account_id: str
    from_band: str | None
    to_band: str
    at: Any = None
    score_before: float | None = None
    score_after: float | None = None


def _fold(text: str) -> str:
    """Lower-case and strip accents so 'Facturación' matches 'facturacion'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Trigger(BaseModel):
    """When a rule fires."""

    model_config = ConfigDict(extra="forbid")
    kind: TriggerKind
    max_score: int | None = Field(
        default=None,
        description="answers with a score <= this fire (default: NPS 6, CSAT 2, CES 3)",
    )
    to_band: str = Field(default="red", description="health_red: the band dropped into")
    theme: str | None = Field(default=None, description="theme: the comment theme name")
    keywords: list[str] = Field(
        default_factory=list,
        description="theme: words in the comment that also count as the theme (any language)",
    )
    survey_kinds: list[Literal["nps", "csat", "ces"]] = Field(
        default_factory=list, description="theme: restrict to these survey kinds (empty: any)"
    )

    @model_validator(mode="after")
    def _check(self) -> Trigger:
        if self.kind == "theme" and not (self.theme or self.keywords):
            raise InvalidValueError(key="loop.error.theme_trigger")
        return self

    def ceiling(self) -> int | None:
        """The highest score that fires this trigger (None: any score)."""
        if self.max_score is not None:
            return self.max_score
        return DEFAULT_MAX_SCORE.get(self.kind)

    def matches_response(self, facts: ResponseFacts) -> bool:
        """Whether this trigger fires for one answer."""
        if self.kind == "health_red":
            return False
        if self.kind == "theme":
            if self.survey_kinds and facts.kind not in self.survey_kinds:
                return False
            if self.max_score is not None and facts.score > self.max_score:
                return False
            return self._theme_matches(facts)
        if facts.kind != TRIGGER_SURVEY_KIND[self.kind]:
            return False
        ceiling = self.ceiling()
        return ceiling is not None and facts.score <= ceiling

    def _theme_matches(self, facts: ResponseFacts) -> bool:
        if self.theme and _fold(self.theme) in {_fold(t) for t in facts.themes}:
            return True
        if not facts.comment or not self.keywords:
            return False
        text = _fold(facts.comment)
        return any(_fold(word) in text for word in self.keywords)

    def matches_band_change(self, change: BandChange) -> bool:
        """Whether this trigger fires for a health band change (a drop *into* ``to_band``)."""
        return (
            self.kind == "health_red"
            and change.to_band == self.to_band
            and change.from_band != self.to_band
        )


def _email_only() -> list[Channel]:
    return ["email"]


class Action(BaseModel):
    """What a rule does when it fires."""

    model_config = ConfigDict(extra="forbid")
    priority: Priority = "high"
    sla_hours: float = Field(default=48, gt=0, description="hours to first customer contact")
    category: str | None = Field(default=None, description="initial root-cause category")
    owner: str | None = Field(
        default=None, description="fixed assignee; default: the account owner, else default_owner"
    )
    notify: list[Channel] = Field(default_factory=_email_only)
    email_to: list[str] = Field(default_factory=list, description="extra e-mail recipients")
    webhook_url: str | None = Field(default=None, description="overrides [loop] webhook_url")
    followup_survey: str | None = Field(
        default=None,
        description="survey id to invite the same contact to after the case is resolved",
    )


class Rule(BaseModel):
    """One closed-loop rule: trigger -> action."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80)
    enabled: bool = True
    trigger: Trigger
    action: Action = Field(default_factory=Action)


def _default_rules() -> list[Rule]:
    return [Rule(name="detractors", trigger=Trigger(kind="detractor"), action=Action())]


class LoopConfig(BaseModel):
    """The ``[loop]`` section of ``cxpulse.toml``."""

    model_config = ConfigDict(extra="forbid")
    default_owner: str | None = Field(
        default=None, description="assignee when the account has no owner"
    )
    email_to: list[str] = Field(default_factory=list, description="always notified by e-mail")
    webhook_url: str | None = None
    max_attempts: int = Field(default=8, ge=1, le=50, description="deliveries before 'dead'")
    deliver_in_app: bool = Field(
        default=True, description="the web app delivers the outbox itself (a background thread)"
    )
    deliver_interval_s: float = Field(
        default=10, gt=0, le=3600, description="seconds between outbox delivery rounds"
    )
    retry_base_s: float = Field(
        default=30, gt=0, le=86400, description="wait after a first failed delivery (doubles)"
    )
    language: Literal["es", "en"] | None = Field(
        default=None, description="language of notifications (default: [locale] language)"
    )
    rules: list[Rule] = Field(default_factory=_default_rules)

    @model_validator(mode="after")
    def _unique_names(self) -> LoopConfig:
        names = [r.name for r in self.rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InvalidValueError(key="loop.error.rule_names", values={"names": ", ".join(dupes)})
        return self

    def rules_for_response(self, facts: ResponseFacts) -> list[Rule]:
        """Enabled rules that fire for an answer, in file order."""
        return [r for r in self.rules if r.enabled and r.trigger.matches_response(facts)]

    def rules_for_band_change(self, change: BandChange) -> list[Rule]:
        """Enabled rules that fire for a health band change, in file order."""
        return [r for r in self.rules if r.enabled and r.trigger.matches_band_change(change)]

    def rule(self, name: str) -> Rule | None:
        """The rule called ``name``, if any."""
        return next((r for r in self.rules if r.name == name), None)


def parse_loop_config(raw: Mapping[str, Any] | None) -> LoopConfig:
    """Validate the raw ``[loop]`` dict; the error names the offending key.

    >>> cfg = parse_loop_config({"rules": [{"name": "x", "trigger": {"kind": "csat_low"}}]})
    >>> cfg.rules[0].trigger.ceiling()
    2
    """
    try:
        return LoopConfig.model_validate(dict(raw or {}))
    except ValidationError as exc:
        from cxpulse.config_report import config_problems

        problems = config_problems(exc, LoopConfig, ("loop",))
        raise ConfigError(key="loop.error.config", problems=problems) from exc


def recipients(cfg: LoopConfig, rule: Rule, owner: str | None) -> list[str]:
    """E-mail recipients of a rule's notification: the owner (when an address), then lists."""
    found: list[str] = []
    candidates: Sequence[str | None] = [owner, *rule.action.email_to, *cfg.email_to]
    for address in candidates:
        if address and "@" in address and address not in found:
            found.append(address)
    return found


DEFAULT_LOOP_TOML = """\
# ---- Closed loop: rules turn low answers and health drops into follow-up cases ----------
[loop]
# Assignee when the account has no owner in the accounts table.
# default_owner = "cs-team@example.com"
# Always notified by e-mail (the account owner is notified too when it is an address).
# email_to = ["cs-lead@example.com"]
# Webhook for every case opened (JSON POST, header X-Cxpulse-Signature: sha256=<hmac>
# keyed with CXPULSE_SECRET_KEY).
# webhook_url = "https://hooks.example.com/cxpulse"
# Delivery attempts (exponential backoff) before a notification is marked dead.
max_attempts = 8
# The web app delivers notifications every deliver_interval_s seconds; set deliver_in_app
# to false when a separate 'cxpulse cases deliver' job does it.
deliver_in_app = true
deliver_interval_s = 10
# Wait after a first failed delivery, in seconds; it doubles after each failure (max 6 h).
retry_base_s = 30

# One [[loop.rules]] per rule. Triggers: detractor (NPS <= 6), csat_low (CSAT <= 2),
# ces_low (CES <= 3), health_red (health band drops into red), theme (comment theme).
[[loop.rules]]
name = "detractors"
trigger = { kind = "detractor" }            # max_score = 6 by default
action = { priority = "high", sla_hours = 48, notify = ["email"] }
# To invite the same contact to a follow-up survey after the case is resolved, add
# followup_survey = "<survey id>" to the action.

# [[loop.rules]]
# name = "low-csat"
# trigger = { kind = "csat_low", max_score = 2 }
# action = { priority = "normal", sla_hours = 72, notify = ["email", "webhook"] }

# [[loop.rules]]
# name = "health-red"
# trigger = { kind = "health_red" }
# action = { priority = "urgent", sla_hours = 24, category = "health" }

# [[loop.rules]]
# name = "billing-complaints"
# trigger = { kind = "theme", theme = "billing", keywords = ["factura", "cobro", "invoice"] }
# action = { priority = "normal", sla_hours = 72, category = "billing" }
"""
