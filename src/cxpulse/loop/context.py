"""What the closed loop needs from a project: its rules, language, base URL and account owners.

>>> ctx = LoopContext.default()
>>> ctx.config.rules[0].name, ctx.owner_of("A1")
('detractors', None)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cxpulse.config import CONFIG_FILE, ProjectConfig, Settings, load_config
from cxpulse.loop.rules import LoopConfig, parse_loop_config

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace


OWNER_CACHE_S = 300.0
OWNER_CACHE_SIZE = 50_000


def _no_owner(_account_id: str) -> str | None:
    return None


def workspace_owner_lookup(
    ws: Workspace, lock: AbstractContextManager[object] | None = None
) -> Callable[[str], str | None]:
    """Account owner from the workspace ``accounts`` table (``owner`` column).

    One lookup per case opened (``lock`` serialises it with other workspace users, as the web
    app needs); workspace errors mean "no owner known", so a broken analytics connection
    never stops a case from being opened.
    """
    guard = lock if lock is not None else nullcontext()
    cache: dict[str, tuple[float, str | None]] = {}

    def owner_of(account_id: str) -> str | None:
        # owners change rarely; a short cache keeps bursts of answers off the workspace
        hit = cache.get(account_id)
        if hit is not None and time.monotonic() - hit[0] < OWNER_CACHE_S:
            return hit[1]
        owner = _read_owner(account_id)
        if len(cache) > OWNER_CACHE_SIZE:
            cache.clear()
        cache[account_id] = (time.monotonic(), owner)
        return owner

    def _read_owner(account_id: str) -> str | None:
        try:
            with guard:
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
        cls,
        project: ProjectConfig,
        workspace: Workspace | None = None,
        *,
        workspace_lock: AbstractContextManager[object] | None = None,
    ) -> LoopContext:
        """The context of a project: ``[loop]`` rules, ``[locale]`` language, owners from the
        workspace accounts table when a workspace is given."""
        config = parse_loop_config(project.loop)
        owner_of = (
            workspace_owner_lookup(workspace, workspace_lock)
            if workspace is not None
            else _no_owner
        )
        return cls(
            config=config,
            language=config.language or project.locale.language,
            base_url=Settings().base_url.rstrip("/"),
            owner_of=owner_of,
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


# Contexts by store URL: the web app (or a worker) registers its project's context once, so
# callers that only hold a session -- the survey collector's hook -- get the project's rules.
_CONTEXTS: dict[str, LoopContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def _url_key(url: str | Engine) -> str:
    if isinstance(url, Engine):
        return url.url.render_as_string(hide_password=True)
    from cxpulse.store import normalize_url

    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def register_context(store_url: str | Engine, context: LoopContext) -> None:
    """Use ``context`` for every session on this store (call at app/worker start-up)."""
    with _CONTEXTS_LOCK:
        _CONTEXTS[_url_key(store_url)] = context


def unregister_context(store_url: str | Engine) -> None:
    """Forget the context of a store (app shutdown, tests)."""
    with _CONTEXTS_LOCK:
        _CONTEXTS.pop(_url_key(store_url), None)


def context_for(session: Session) -> LoopContext:
    """The registered context of the session's store; else the project in the current folder
    (when it has a cxpulse.toml); else the built-in defaults."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _CONTEXTS_LOCK:
        found = _CONTEXTS.get(_url_key(engine))
    if found is not None:
        return found
    return _folder_context(Path.cwd())


_FOLDER_CONTEXTS: dict[tuple[str, float], LoopContext] = {}


def _folder_context(folder: Path) -> LoopContext:
    """The context of the project in ``folder`` (defaults without a cxpulse.toml), cached
    until the file changes."""
    path = folder / CONFIG_FILE
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except OSError:
        key = ("", 0.0)
    with _CONTEXTS_LOCK:
        found = _FOLDER_CONTEXTS.get(key)
    if found is None:
        found = LoopContext.from_project(load_config(folder)) if key[0] else LoopContext.default()
        with _CONTEXTS_LOCK:
            _FOLDER_CONTEXTS.clear()
            _FOLDER_CONTEXTS[key] = found
    return found
