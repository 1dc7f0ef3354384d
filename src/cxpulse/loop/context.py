"""What the closed loop needs from a project: its rules, language, base URL and account owners.

>>> ctx = LoopContext.default()
>>> ctx.config.rules[0].name, ctx.owner_of("A1")
('detractors', None)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cxpulse.config import CONFIG_FILE, ProjectConfig, Settings, load_config
from cxpulse.loop.rules import LoopConfig, parse_loop_config

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

log = logging.getLogger(__name__)


OWNER_TTL_S = 300.0
OWNER_CHECK_S = 5.0


def _no_owner(_account_id: str) -> str | None:
    return None


class OwnerDirectory:
    """Account owners from the workspace ``accounts`` table, held in memory.

    One query loads ``account_id -> owner`` for every account; a cheap fingerprint of the
    table (row count, latest start date) is re-checked every :data:`OWNER_CHECK_S` seconds
    and the map reloaded when it changes, or every :data:`OWNER_TTL_S` seconds anyway (an
    owner edited in place keeps the fingerprint).

    Lock discipline: looking an owner up (``directory("A1")``) runs inside the answer's
    store transaction -- for SQLite, under the store's writer lock -- so it never waits for
    the workspace lock: it answers from memory, and a stale map is refreshed by a background
    thread. Only the first use, when nothing is loaded yet, reads the workspace in place, and
    only if the lock is free right now. :meth:`refresh` (blocking) is for callers holding no
    store lock: start-up and the answer writer between batches (:func:`prepare_context`).
    Workspace errors mean "no owner known": a broken analytics connection never stops a case
    from being opened.
    """

    def __init__(
        self,
        ws: Workspace,
        lock: AbstractContextManager[object] | None = None,
        *,
        ttl_s: float = OWNER_TTL_S,
        check_s: float = OWNER_CHECK_S,
    ) -> None:
        self.ws = ws
        self.lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        self.ttl_s = ttl_s
        self.check_s = check_s
        self._owners: dict[str, str] | None = None
        self._version: tuple[Any, ...] | None = None
        self._loaded_at = 0.0
        self._checked_at = 0.0
        self._refreshing = threading.Lock()  # one refresh at a time
        self._background: threading.Thread | None = None

    def __call__(self, account_id: str) -> str | None:
        owners = self._owners
        if owners is None:
            self._refresh_now_if_free()
            owners = self._owners
            if owners is None:
                return None
        elif self._stale():
            self.refresh_soon()
        return owners.get(account_id)

    @property
    def loaded(self) -> bool:
        """Whether the owners were read at least once."""
        return self._owners is not None

    @property
    def due(self) -> bool:
        """Whether the fingerprint should be checked again."""
        return self._stale()

    def _stale(self) -> bool:
        return time.monotonic() - self._checked_at >= self.check_s

    def refresh(self, *, force: bool = False) -> None:
        """Re-check the fingerprint (and reload on change or TTL); blocks on the workspace
        lock, so call it holding no store lock."""
        if not force and self._owners is not None and not self._stale():
            return
        with self._refreshing, self.lock:
            self._reload(force=force)

    def refresh_soon(self) -> None:
        """:meth:`refresh` in a background thread (at most one at a time)."""
        thread = self._background
        if thread is not None and thread.is_alive():
            return
        thread = threading.Thread(target=self._refresh_quietly, name="cxpulse-owners", daemon=True)
        self._background = thread
        thread.start()

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception:  # the next lookup tries again
            log.exception("reloading account owners from the workspace failed")

    def _refresh_now_if_free(self) -> None:
        """First load in place, but only without waiting for either lock."""
        acquire = getattr(self.lock, "acquire", None)
        if not self._refreshing.acquire(blocking=False):
            return
        try:
            if acquire is None:
                if not isinstance(self.lock, nullcontext):
                    self.refresh_soon()
                    return
                self._reload(force=False)
                return
            if not acquire(blocking=False):
                self.refresh_soon()
                return
            try:
                self._reload(force=False)
            finally:
                self.lock.release()  # type: ignore[attr-defined]
        finally:
            self._refreshing.release()

    def _reload(self, *, force: bool) -> None:
        """Caller holds both locks."""
        now = time.monotonic()
        version = _accounts_version(self.ws)
        if (
            force
            or self._owners is None
            or version != self._version
            or now - self._loaded_at >= self.ttl_s
        ):
            self._owners = _read_owners(self.ws)
            self._loaded_at = now
        self._version = version
        self._checked_at = now


def _accounts_version(ws: Workspace) -> tuple[Any, ...] | None:
    """(rows, latest start date) of ``accounts``; ``None`` when unreadable or missing."""
    try:
        if "accounts" not in ws.con.list_tables():
            return None
        accounts = ws.table("accounts")
        metrics = [accounts.count().name("n")]
        if "start_date" in accounts.columns:
            metrics.append(accounts.start_date.max().cast("string").name("latest"))
        row = accounts.aggregate(metrics).to_pyarrow().to_pylist()[0]
    except Exception:  # the workspace is optional for opening a case
        return None
    return tuple(row.values())


def _read_owners(ws: Workspace) -> dict[str, str]:
    """Every account's owner in one query (accounts without one are left out)."""
    try:
        accounts = ws.table("accounts")
        if "owner" not in accounts.columns:
            return {}
        table = accounts.filter(accounts.owner.notnull()).select("account_id", "owner").to_pyarrow()
    except Exception:  # the workspace is optional for opening a case
        return {}
    owners: dict[str, str] = {}
    for account_id, owner in zip(
        table.column("account_id").to_pylist(), table.column("owner").to_pylist(), strict=True
    ):
        text = str(owner).strip()
        if account_id is not None and text:
            owners.setdefault(str(account_id), text)
    return owners


def workspace_owner_lookup(
    ws: Workspace, lock: AbstractContextManager[object] | None = None
) -> OwnerDirectory:
    """Account owner from the workspace ``accounts`` table (``owner`` column), held in memory.

    ``lock`` serialises workspace reads with its other users (the web app's workspace lock);
    see :class:`OwnerDirectory` for when the map is reloaded and why a lookup never waits.
    """
    return OwnerDirectory(ws, lock)


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
        workspace accounts table when a workspace is given.

        With a workspace the owners are loaded here (waiting for ``workspace_lock``), so
        call it holding no store lock -- at start-up, as the web app's lifespan does.
        """
        config = parse_loop_config(project.loop)
        owner_of: Callable[[str], str | None] = _no_owner
        if workspace is not None:
            owners = workspace_owner_lookup(workspace, workspace_lock)
            try:
                owners.refresh()
            except Exception:  # lookups retry; no owner known meanwhile
                log.exception("loading account owners from the workspace failed")
            owner_of = owners
        return cls(
            config=config,
            language=config.language or project.locale.language,
            base_url=Settings().base_url.rstrip("/"),
            owner_of=owner_of,
        )

    def prepare(self) -> None:
        """Make owner lookups answer from memory: load the owners the first time (blocking on
        the workspace lock), later re-check them in the background when due. Call it holding
        no store lock (the answer writer does, between batches)."""
        owners = self.owner_of
        if isinstance(owners, OwnerDirectory):
            if owners.loaded:
                if owners.due:
                    owners.refresh_soon()
            else:
                try:
                    owners.refresh()
                except Exception:  # lookups retry; no owner known meanwhile
                    log.exception("loading account owners from the workspace failed")

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


def prepare_context(store_url: str | Engine) -> None:
    """Ready the registered context of a store for a write transaction (see
    :meth:`LoopContext.prepare`); call it holding no store lock. No-op without one."""
    with _CONTEXTS_LOCK:
        found = _CONTEXTS.get(_url_key(store_url))
    if found is not None:
        found.prepare()


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
