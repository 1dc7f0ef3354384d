"""What the closed loop needs from a project: its rules, language, base URL and account owners.

>>> ctx = LoopContext.default()
>>> ctx.config.rules[0].name, ctx.owner_of("A1")
('detractors', None)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cxpulse.config import ProjectConfig, Settings
from cxpulse.loop.rules import LoopConfig, parse_loop_config

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace


def _no_owner(_account_id: str) -> str | None:
    return None


def workspace_owner_lookup(ws: Workspace) -> Callable[[str], str | None]:
    """Account owner from the workspace ``accounts`` table (``owner`` column).

    One indexed lookup per case opened; errors of the workspace mean "no owner known" so a
    broken analytics connection never stops a case from being opened.
    """

    def owner_of(account_id: str) -> str | None:
        try:
            accounts = ws.table("accounts")
            rows = (
                accounts.filter(accounts.account_id == account_id)
                .select("owner")
                .limit(1)
                .to_pyarrow()
                .to_pylist()
            )
        except Exception:  # the workspace is optional for opening a case
            return None
        value = rows[0]["owner"] if rows else None
        return (str(value).strip() or None) if value is not None else None

    return owner_of


@dataclass
class LoopContext:
    """Rules plus the project facts used when a rule fires."""

    config: LoopConfig
    language: str = "es"
    base_url: str = "http://127.0.0.1:8000"
    owner_of: Callable[[str], str | None] = field(default=_no_owner)

    @classmethod
    def default(cls) -> LoopContext:
        """Built-in rules (detractors), Spanish, owners unknown."""
        return cls(config=parse_loop_config({}), base_url=Settings().base_url)

    @classmethod
    def from_project(
        cls, project: ProjectConfig, workspace: Workspace | None = None
    ) -> LoopContext:
        """The context of a project: ``[loop]`` rules, ``[locale]`` language, owners from the
        workspace accounts table when a workspace is given."""
        config = parse_loop_config(project.loop)
        return cls(
            config=config,
            language=config.language or project.locale.language,
            base_url=Settings().base_url.rstrip("/"),
            owner_of=workspace_owner_lookup(workspace) if workspace is not None else _no_owner,
        )

    def owner_for(self, account_id: str | None, fixed: str | None) -> str | None:
        """Assignee: the rule's fixed owner, else the account owner, else the default."""
        if fixed:
            return fixed
        if account_id:
            owner = self.owner_of(account_id)
            if owner:
                return owner
        return self.config.default_owner

    def case_url(self, case_id: int) -> str:
        """Link to the case page in the web app."""
        return f"{self.base_url.rstrip('/')}/cases/{case_id}"
