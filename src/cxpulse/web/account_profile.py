"""One account on one page: facts, health score with history and explanation, answers and
comments, tickets, cases and the playbook of its band.

Reads go through the public API: workspace tables as ibis expressions (filtered to the
account, newest first, limited), :mod:`cxpulse.health` for scores and explanations, and
:mod:`cxpulse.loop` for cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxpulse.errors import CxpulseError
from cxpulse.workspace import Workspace

RECENT = 50
FACT_COLUMNS = (
    "segment",
    "industry",
    "country",
    "owner",
    "plan",
    "start_date",
    "end_date",
    "mrr",
    "licenses",
)


class AccountNotFoundError(CxpulseError):
    """No account with that id in the workspace."""


@dataclass
class AccountProfile:
    """Everything the account page shows."""

    account_id: str
    name: str | None
    facts: dict[str, Any]
    score: float | None = None
    band: str | None = None
    model: str | None = None  # the active model, whose score every page shows
    as_of: Any = None
    previous_score: float | None = None
    reference: float | None = None  # the drivers' points add up to score - reference
    history: list[dict[str, Any]] = field(default_factory=list)
    drivers: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)  # levels new to the model, in words
    explanation: list[str] = field(default_factory=list)
    playbook: str | None = None
    responses: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                clean[k] = None
            elif isinstance(v, pd.Timestamp):
                clean[k] = v.to_pydatetime()
            else:
                clean[k] = v
        out.append(clean)
    return out


def _recent(ws: Workspace, table: str, account_id: str, time_column: str) -> list[dict[str, Any]]:
    t = ws.table(table)
    expr = t.filter(t.account_id == account_id).order_by(t[time_column].desc()).limit(RECENT)
    return _records(expr.execute())


def account_profile(ws: Workspace, account_id: str, lang: str = "es") -> AccountProfile:
    """The profile of one account; raises :class:`AccountNotFoundError` for an unknown id."""
    accounts = ws.table("accounts")
    found = _records(accounts.filter(accounts.account_id == account_id).limit(1).execute())
    if not found:
        raise AccountNotFoundError(key="web.error.no_account", values={"account": repr(account_id)})
    row = found[0]
    profile = AccountProfile(
        account_id=account_id,
        name=row.get("name"),
        facts={k: row.get(k) for k in FACT_COLUMNS if row.get(k) is not None},
        responses=_recent(ws, "responses", account_id, "responded_at"),
        tickets=_recent(ws, "tickets", account_id, "opened_at"),
    )
    _add_health(ws, profile, lang)
    return profile


def _add_health(ws: Workspace, profile: AccountProfile, lang: str) -> None:
    from cxpulse.health import account_score, active_model_name, score_history
    from cxpulse.health.bands import playbook_text
    from cxpulse.health.explain import unseen_notes
    from cxpulse.health.features import health_config_of

    profile.model = active_model_name(ws)
    try:
        explanation = account_score(ws, profile.account_id, lang=lang)
    except CxpulseError:  # nothing scored yet
        return
    if explanation is None:
        return
    profile.score = explanation.score
    profile.band = explanation.band
    profile.model = explanation.model
    profile.reference = explanation.reference
    profile.as_of = explanation.as_of
    profile.previous_score = explanation.previous_score
    profile.drivers = [
        {
            "signal": d.signal,
            "label": d.label,
            "value": d.value,
            "points": d.points,
            "reference_value": d.reference_value,
            "score_at_reference": d.score_at_reference,
        }
        for d in explanation.drivers
    ]
    profile.missing = list(explanation.missing)
    profile.unseen = unseen_notes(explanation.unseen, explanation.model, lang)
    profile.explanation = list(explanation.lines)
    profile.playbook = explanation.playbook or playbook_text(
        explanation.band, lang, health_config_of(ws)
    )
    history = score_history(ws, profile.account_id, explanation.model)
    profile.history = [
        {
            "date": pd.Timestamp(r.as_of).date().isoformat(),
            "score": float(r.score),
            "band": str(r.band),
        }
        for r in history.itertuples(index=False)
    ]


def add_cases(profile: AccountProfile, session: Any) -> None:
    """Attach the account's closed-loop cases (newest first) from the operational store."""
    try:
        from cxpulse.loop import CaseFilter, is_case_breached, list_cases
    except ImportError:  # the closed loop is not installed
        return
    cases = list_cases(session, CaseFilter(account_id=profile.account_id), limit=RECENT)
    profile.cases = [
        {
            "id": c.id,
            "title": c.title,
            "status": c.status,
            "priority": c.priority,
            "owner": c.owner,
            "created_at": c.created_at,
            "due_at": c.due_at,
            "breached": bool(is_case_breached(c)),
        }
        for c in sorted(cases, key=lambda c: c.created_at, reverse=True)
    ]


def find_accounts(ws: Workspace, query: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """Accounts whose id or name contains ``query`` (case-insensitive), by name."""
    t = ws.table("accounts")
    expr = t.select("account_id", "name", "segment", "owner", "country", "mrr")
    # control characters (NUL above all) cannot appear in a name and break SQL string literals
    text = "".join(ch for ch in query if ch.isprintable()).strip().lower()
    if text:
        expr = expr.filter(
            expr.account_id.lower().contains(text) | expr.name.lower().contains(text)
        )
    return _records(expr.order_by(["name", "account_id"]).limit(limit).execute())
