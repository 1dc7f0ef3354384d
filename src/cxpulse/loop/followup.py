"""After resolution: invite the same contact to a follow-up survey (through ``cxpulse.collect``).

The answer to that invitation is what the recovery indicator reads (detractor -> promoter).
The rule that opened the case names the survey (``followup_survey`` in its action); a call
can name another one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cxpulse.loop.cases import get_case, record_event, resolve_case
from cxpulse.loop.context import LoopContext, context_for
from cxpulse.loop.errors import LoopError
from cxpulse.store.tables import Case, Invitation, SurveyResponse, utcnow


def _contact_email(session: Session, case: Case) -> str | None:
    from cxpulse.loop.contacts import find_contact

    known = find_contact(session, case.contact_id)
    if known is not None and known.email:
        return known.email
    if case.response_id is not None:
        response = session.get(SurveyResponse, case.response_id)
        if response is not None and response.invitation_id is not None:
            invitation = session.get(Invitation, response.invitation_id)
            if invitation is not None and invitation.email:
                return invitation.email
    if case.contact_id and "@" in case.contact_id:
        return case.contact_id
    return None


def followup_survey_for(case: Case, context: LoopContext) -> str | None:
    """The follow-up survey the case's rule asks for, if any."""
    rule = context.config.rule(case.rule) if case.rule else None
    return rule.action.followup_survey if rule is not None else None


def send_followup(
    session: Session,
    case_id: int,
    survey_ref: str | int,
    *,
    context: LoopContext | None = None,
    actor: str = "system",
    at: datetime | None = None,
) -> Invitation:
    """Invite the case's contact to ``survey_ref`` (slug or id) and e-mail the link through
    the outbox. One follow-up per case: a second call returns the first invitation."""
    try:
        from cxpulse.collect.invitations import create_invitation
        from cxpulse.collect.mail import email_invitations
        from cxpulse.collect.surveys import get_survey
    except ImportError as exc:  # the collect package is optional for the loop
        raise LoopError(key="loop.error.followup_needs_collect") from exc
    ctx = context or context_for(session)
    case = get_case(session, case_id, for_update=True)
    if case.followup_invitation_id is not None:
        existing = session.get(Invitation, case.followup_invitation_id)
        if existing is not None:
            return existing
    if case.status not in ("resolved", "closed"):
        raise LoopError(
            key="loop.error.followup_not_resolved",
            values={"id": case_id},
            terms={"status": ("status", case.status)},
        )
    if not case.account_id:
        raise LoopError(key="loop.error.followup_no_account", values={"id": case_id})
    survey = get_survey(session, survey_ref)
    issued = create_invitation(
        session,
        survey,
        account_id=case.account_id,
        contact_id=case.contact_id,
        email=_contact_email(session, case),
        base_url=ctx.base_url,
    )
    email_invitations(session, survey, [issued], lang=survey.language)
    case.followup_invitation_id = issued.invitation.id
    record_event(
        session,
        case_id,
        "followup_sent",
        actor=actor,
        text=f"{survey.slug}: {issued.url}",
        at=at or utcnow(),
    )
    return issued.invitation


def resolve_and_follow_up(
    session: Session,
    case_id: int,
    *,
    actor: str,
    context: LoopContext | None = None,
    text: str | None = None,
    category: str | None = None,
    followup: bool = True,
    at: datetime | None = None,
) -> Case:
    """Resolve a case and, when its rule names a follow-up survey, invite the contact."""
    ctx = context or context_for(session)
    case = resolve_case(session, case_id, actor=actor, text=text, category=category, at=at)
    survey = followup_survey_for(case, ctx) if followup else None
    if survey:
        send_followup(session, case_id, survey, context=ctx, actor=actor, at=at)
    return case
