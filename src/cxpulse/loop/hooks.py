"""Entry points other packages call: a stored answer, health band drops.

``on_response`` runs after the survey collector stores an answer, in the same transaction:
the case and its notifications (outbox rows) commit together with the answer or not at all.
Opening is idempotent: one case per response per rule, one per band drop per rule.

>>> from cxpulse import store
>>> from cxpulse.store import SurveyResponse, Survey
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     survey = Survey(slug="nps", kind="nps"); s.add(survey); s.flush()
...     answer = SurveyResponse(survey_id=survey.id, account_id="A1", kind="nps", score=2)
...     s.add(answer); s.flush()
...     cases = on_response(s, answer)
...     again = on_response(s, answer)
...     len(cases), cases[0].trigger, again[0].id == cases[0].id
(1, 'detractor', True)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cxpulse.locale import gettext, term
from cxpulse.loop.cases import open_case_once, record_event
from cxpulse.loop.context import LoopContext, context_for
from cxpulse.loop.outbox import enqueue
from cxpulse.loop.rules import BandChange, ResponseFacts, Rule, recipients
from cxpulse.loop.workflow import as_utc
from cxpulse.store.tables import Case, CaseEvent, utcnow

log = logging.getLogger(__name__)
_WARNED: set[str] = set()


def _warn_once(key: str, message: str, *args: object) -> None:
    """A configuration gap is logged once per process, not once per case."""
    if key not in _WARNED:
        _WARNED.add(key)
        log.warning(message, *args)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def response_facts(response: Any) -> ResponseFacts:
    """The facts rules look at, from a ``SurveyResponse`` row or a mapping with its fields."""
    themes = _get(response, "themes") or ()
    return ResponseFacts(
        response_id=str(_get(response, "id", _get(response, "response_id"))),
        account_id=_get(response, "account_id"),
        kind=str(_get(response, "kind")),
        score=int(_get(response, "score")),
        contact_id=_get(response, "contact_id"),
        comment=_get(response, "comment"),
        themes=tuple(str(t) for t in themes),
    )


def reacts_to(session: Session, response: Any) -> bool:
    """Whether any rule of the session's context fires for this answer: when none does,
    :func:`on_response` has nothing to do, and a caller may skip its savepoint."""
    return bool(context_for(session).config.rules_for_response(response_facts(response)))


def on_response(
    session: Session,
    response: Any,
    context: LoopContext | None = None,
    *,
    now: datetime | None = None,
) -> list[Case]:
    """Open the cases the rules ask for after one stored answer; returns them (new or existing).

    ``response`` is a flushed ``SurveyResponse`` (its ``id`` is set) or a mapping with the same
    fields (``themes`` optional). Notifications are queued in the outbox in this transaction.
    """
    ctx = context or context_for(session)
    facts = response_facts(response)
    at = as_utc(now) if now is not None else utcnow()
    stored_id = _get(response, "id")
    opened: list[Case] = []
    for rule in ctx.config.rules_for_response(facts):
        owner = ctx.owner_for(facts.account_id, rule.action.owner)
        title_values = {
            "kind": facts.kind.upper(),
            "score": facts.score,
            "account": facts.account_id or "?",
        }
        title = gettext("loop.title.response", ctx.language, **title_values)
        case, created = open_case_once(
            session,
            account_id=facts.account_id,
            contact_id=facts.contact_id,
            response_id=int(stored_id) if isinstance(stored_id, int) else None,
            trigger=rule.trigger.kind,
            rule=rule.name,
            dedup_key=f"response:{facts.response_id}:{rule.name}",
            title=title,
            priority=rule.action.priority,
            sla_hours=rule.action.sla_hours,
            owner=owner,
            category=rule.action.category,
            at=at,
            text=facts.comment,
            title_key="loop.title.response",
            title_values=title_values,
        )
        if created:
            details = {"kind": facts.kind, "score": facts.score, "comment": facts.comment}
            queue_notifications(session, case, rule, ctx, details, at)
        elif facts.comment:
            add_customer_comment(session, case, facts.comment, at)
        opened.append(case)
    return opened


CUSTOMER = "customer"


def add_customer_comment(session: Session, case: Case, comment: str, at: datetime) -> bool:
    """Record a comment the customer added or changed after the case opened (the answer page
    takes the score first, the comment later). Returns whether an event was added."""
    text = comment.strip()
    said = session.scalars(
        select(CaseEvent.text).where(
            CaseEvent.case_id == case.id,
            or_(CaseEvent.kind == "opened", CaseEvent.actor == CUSTOMER),
        )
    ).all()
    if not text or text in {(t or "").strip() for t in said}:
        return False
    record_event(session, case.id, "commented", actor=CUSTOMER, text=text, at=at)
    return True


def on_band_changes(
    session: Session,
    changes: Iterable[Any],
    context: LoopContext | None = None,
    *,
    now: datetime | None = None,
) -> list[Case]:
    """Open cases for health band drops (objects with account_id, from_band, to_band, at,
    score_before, score_after, as ``cxpulse.health.band_changes`` returns)."""
    ctx = context or context_for(session)
    at_default = as_utc(now) if now is not None else utcnow()
    opened: list[Case] = []
    for item in changes:
        change = BandChange(
            account_id=str(_get(item, "account_id")),
            from_band=_get(item, "from_band"),
            to_band=str(_get(item, "to_band")),
            at=_get(item, "at"),
            score_before=_get(item, "score_before"),
            score_after=_get(item, "score_after"),
        )
        when = _as_datetime(change.at) or at_default
        for rule in ctx.config.rules_for_band_change(change):
            title_values = {
                "account": change.account_id,
                "band": change.to_band,
                "before": _score(change.score_before),
                "after": _score(change.score_after),
            }
            title = gettext(
                "loop.title.health",
                ctx.language,
                **{**title_values, "band": term("band", change.to_band, ctx.language)},
            )
            case, created = open_case_once(
                session,
                account_id=change.account_id,
                trigger=rule.trigger.kind,
                rule=rule.name,
                dedup_key=f"band:{change.account_id}:{when.isoformat()}:{rule.name}",
                title=title,
                priority=rule.action.priority,
                sla_hours=rule.action.sla_hours,
                owner=ctx.owner_for(change.account_id, rule.action.owner),
                category=rule.action.category,
                at=at_default,
                title_key="loop.title.health",
                title_values=title_values,
            )
            if created:
                details = {
                    "from_band": change.from_band,
                    "to_band": change.to_band,
                    "score_before": change.score_before,
                    "score_after": change.score_after,
                }
                queue_notifications(session, case, rule, ctx, details, at_default)
            opened.append(case)
    return opened


def check_health(
    session: Session, workspace: Any, since: Any, context: LoopContext | None = None
) -> list[Case]:
    """Pull band changes from ``cxpulse.health.band_changes(ws, since)`` and open cases.

    Returns [] when the health package does not provide ``band_changes`` in this install.
    """
    try:
        from cxpulse.health import band_changes  # type: ignore[attr-defined]
    except ImportError:
        log.info("cxpulse.health.band_changes is not available; no health cases opened")
        return []
    return on_band_changes(session, band_changes(workspace, since), context)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):  # health snapshots are dated
        return datetime.combine(value, time(0), tzinfo=UTC)
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    if hasattr(value, "to_pydatetime"):
        return as_utc(value.to_pydatetime())
    return None


def _score(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


def queue_notifications(
    session: Session,
    case: Case,
    rule: Rule,
    ctx: LoopContext,
    details: Mapping[str, Any],
    at: datetime,
) -> None:
    """Queue the rule's e-mail and/or webhook for a newly opened case (outbox rows)."""
    lang = ctx.language
    url = ctx.case_url(case.id)
    due = as_utc(case.due_at).strftime("%Y-%m-%d %H:%M UTC") if case.due_at else "-"
    if "email" in rule.action.notify:
        to = recipients(ctx.config, rule, case.owner)
        if to:
            body = gettext(
                "loop.email.body",
                lang,
                title=case.title,
                priority=term("priority", case.priority, lang),
                owner=case.owner or gettext("loop.unassigned", lang),
                due=due,
                comment=details.get("comment") or "-",
                url=url,
            )
            subject = gettext("loop.email.subject", lang, id=case.id, title=case.title)
            enqueue(session, "email", {"to": to, "subject": subject, "body": body}, now=at)
        else:
            _warn_once(
                f"{rule.name}:email",
                "rule %r: no e-mail recipient; set [loop] email_to "
                "or account owners with an address",
                rule.name,
            )
    if "webhook" in rule.action.notify:
        target = rule.action.webhook_url or ctx.config.webhook_url
        if target:
            data = {"event": "case.opened", "case": case_payload(case, url), "details": details}
            enqueue(
                session,
                "webhook",
                {"url": target, "event": "case.opened", "data": data},
                now=at,
            )
        else:
            _warn_once(
                f"{rule.name}:webhook",
                "rule %r wants a webhook but no URL is set ([loop] webhook_url)",
                rule.name,
            )


def case_payload(case: Case, url: str) -> dict[str, Any]:
    """JSON-ready fields of a case for webhooks."""

    def iso(value: datetime | None) -> str | None:
        return as_utc(value).isoformat() if value is not None else None

    return {
        "id": case.id,
        "url": url,
        "account_id": case.account_id,
        "contact_id": case.contact_id,
        "response_id": case.response_id,
        "trigger": case.trigger,
        "rule": case.rule,
        "title": case.title,
        "priority": case.priority,
        "status": case.status,
        "owner": case.owner,
        "category": case.category,
        "created_at": iso(case.created_at),
        "due_at": iso(case.due_at),
    }
