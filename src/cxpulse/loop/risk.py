"""From risk to action: open a case for an account at risk, with its band's playbook, and
say which accounts already have a case open.

>>> import tempfile
>>> from cxpulse import store
>>> url = f"sqlite:///{tempfile.mkdtemp()}/store.sqlite"  # a new, empty store
>>> store.migrate(url)
>>> with store.session(url) as s:
...     case, created = open_risk_case(s, "A1", band="red", score=31.0, actor="ana",
...                                    playbook="Call within 48 hours")
...     again, created_again = open_risk_case(s, "A1", band="red", score=31.0, actor="ana")
...     created, created_again, case.id == again.id, sorted(accounts_with_open_cases(s))
(True, False, True, ['A1'])
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.locale import gettext, term
from cxpulse.loop.cases import assign_case, open_case
from cxpulse.loop.workflow import OPEN_STATUSES
from cxpulse.store.tables import Case

TRIGGER = "at_risk"
SLA_HOURS = {"red": 48.0, "yellow": 120.0, "green": 240.0}
PRIORITY = {"red": "urgent", "yellow": "high", "green": "normal"}
_OPEN = [s.value for s in OPEN_STATUSES]


def accounts_with_open_cases(
    session: Session, account_ids: Collection[str] | None = None
) -> dict[str, int]:
    """Account id -> number of open cases (any origin)."""
    from sqlalchemy import func

    query = select(Case.account_id, func.count()).where(
        Case.status.in_(_OPEN), Case.account_id.is_not(None)
    )
    if account_ids is not None:
        query = query.where(Case.account_id.in_(list(account_ids)))
    return {str(a): int(n) for a, n in session.execute(query.group_by(Case.account_id))}


def open_risk_case(
    session: Session,
    account_id: str,
    *,
    band: str,
    score: float | None,
    actor: str,
    playbook: str | None = None,
    owner: str | None = None,
    lang: str = "es",
    note: str | None = None,
) -> tuple[Case, bool]:
    """Open (or return the open) at-risk case of an account; the playbook is its first note.
    With ``owner``, the case is assigned (also when it already existed)."""
    existing = session.scalar(
        select(Case)
        .where(Case.account_id == account_id, Case.trigger == TRIGGER, Case.status.in_(_OPEN))
        .order_by(Case.id.desc())
        .limit(1)
    )
    if existing is not None:
        if owner and owner != existing.owner:
            assign_case(session, existing.id, owner, actor=actor)
        return existing, False
    values = {
        "account": account_id,
        "band": band,
        "score": "?" if score is None else f"{score:.0f}",
    }
    text = "\n\n".join(part for part in (playbook, note) if part)
    case = open_case(
        session,
        account_id=account_id,
        trigger=TRIGGER,
        title=gettext("loop.title.at_risk", lang, **{**values, "band": term("band", band, lang)}),
        title_key="loop.title.at_risk",
        title_values=values,
        priority=PRIORITY.get(band, "normal"),
        sla_hours=SLA_HOURS.get(band, 120.0),
        owner=owner or None,
        category="retention",
        actor=actor,
        text=text or None,
    )
    return case, True
