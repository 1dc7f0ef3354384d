"""Who is who for the pages: account names and segments (workspace) and people's names
(store users), read once per data version and shared by the inbox, health and account pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.store.tables import User


@dataclass(frozen=True)
class AccountFacts:
    account_id: str
    name: str | None
    segment: str | None
    owner: str | None
    mrr: float | None


def _read_accounts(ws: Any) -> dict[str, AccountFacts]:
    t = ws.table("accounts")
    wanted = [c for c in ("account_id", "name", "segment", "owner", "mrr") if c in t.columns]
    table = t.select(*wanted).to_pyarrow()
    columns = {name: table.column(name).to_pylist() for name in wanted}
    out: dict[str, AccountFacts] = {}
    for i, account_id in enumerate(columns["account_id"]):
        out[str(account_id)] = AccountFacts(
            account_id=str(account_id),
            name=columns.get("name", [None] * (i + 1))[i],
            segment=columns.get("segment", [None] * (i + 1))[i],
            owner=columns.get("owner", [None] * (i + 1))[i],
            mrr=columns.get("mrr", [None] * (i + 1))[i],
        )
    return out


def account_directory(ctx: Any) -> dict[str, AccountFacts]:
    """Every account's name, segment, owner and MRR (cached per data version)."""
    from cxpulse.errors import CxpulseError

    def read() -> dict[str, AccountFacts]:
        try:
            return _read_accounts(ctx.workspace)
        except CxpulseError:  # no accounts table yet
            return {}

    return ctx.cached(("account-directory",), read)  # type: ignore[no-any-return]


def segments(directory: dict[str, AccountFacts]) -> list[str]:
    return sorted({f.segment for f in directory.values() if f.segment})


def matching_accounts(directory: dict[str, AccountFacts], text: str) -> list[str]:
    """Account ids whose name contains ``text`` (case-insensitive)."""
    needle = text.strip().lower()
    if not needle:
        return []
    return [a for a, f in directory.items() if f.name and needle in f.name.lower()]


def people(session: Session) -> dict[str, str]:
    """E-mail -> display name of the app's active users (owners shown by name)."""
    rows = session.execute(select(User.email, User.name).where(User.active.is_(True)))
    return {str(email): str(name or email) for email, name in rows}
