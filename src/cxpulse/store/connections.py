"""Connections to the operational store: SQLite (WAL) by default, PostgreSQL in production.

>>> eng = engine("sqlite://")
>>> eng.dialect.name
'sqlite'
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from cxpulse.config import ProjectConfig
from cxpulse.errors import CxpulseError

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "cxpulse_read_only"

_ENGINES: dict[str, Engine] = {}


class WriteGate:
    """SQLite's one-writer queue: re-entrant for its holder, releasable from any thread.

    A web dependency can begin a session in one worker thread and end it in another (FastAPI
    runs a generator dependency's exit separately from its entry), which a
    ``threading.RLock`` refuses ("cannot release un-acquired lock").
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._guard = threading.Lock()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float = -1) -> bool:
        me = threading.get_ident()
        with self._guard:
            if self._owner == me:
                self._depth += 1
                return True
        if not self._lock.acquire(timeout=timeout):
            return False
        with self._guard:
            self._owner, self._depth = me, 1
        return True

    def release(self) -> None:
        with self._guard:
            self._depth -= 1
            if self._depth > 0:
                return
            self._owner, self._depth = None, 0
        self._lock.release()


_WRITE_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()
_FACTORIES: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class StoreError(CxpulseError):
    """The operational store cannot be opened, migrated or written."""


def normalize_url(url: str | None = None) -> str:
    """The SQLAlchemy URL for ``url``: PostgreSQL goes through psycopg 3.

    ``None`` means ``CXPULSE_DATABASE_URL`` or the project's SQLite file.

    >>> normalize_url("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    if url is None:
        url = ProjectConfig().store_url()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _configure_sqlite(eng: Engine, memory: bool) -> None:
    @event.listens_for(eng, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transactions out of the driver's hands so BEGIN is ours (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives a killed process (only power loss can undo the last
        # commits), and avoids an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(eng, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction waits on
        # busy_timeout instead of failing with "database is locked" when it tries to upgrade.
        # Read-only sessions (read_session) take no lock: WAL readers never block writers.
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        else:
            _enter_write_gate(conn.engine)
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """A new engine (not cached). Most code wants :func:`engine`."""
    target = normalize_url(url)
    parsed = make_url(target)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        memory = database in ("", ":memory:")
        if memory:
            kwargs.setdefault("poolclass", StaticPool)
            kwargs.setdefault("connect_args", {"check_same_thread": False})
        else:
            from cxpulse.private_files import touch_private

            touch_private(database)  # 0600 before SQLite opens it (its -wal/-shm follow)
            kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
            kwargs.setdefault("pool_size", 8)
            kwargs.setdefault("max_overflow", 8)
        eng = create_engine(target, **kwargs)
        _configure_sqlite(eng, memory)
        if not memory:
            _WRITE_GATES[eng] = WriteGate()
        return eng
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    try:
        return create_engine(target, **kwargs)
    except Exception as exc:  # driver errors vary: say which URL
        raise StoreError(
            key="store.error.open",
            values={"url": parsed.render_as_string(hide_password=True), "detail": str(exc)},
        ) from exc


def engine(url: str | None = None) -> Engine:
    """The shared engine for ``url`` (one per URL and process).

    Default: ``CXPULSE_DATABASE_URL`` or ``cxpulse.sqlite`` in the current folder
    (``ProjectConfig.store_url()``).
    """
    key = normalize_url(url)
    with _LOCK:
        eng = _ENGINES.get(key)
        if eng is None:
            eng = create_store_engine(key)
            _ENGINES[key] = eng
        return eng


def dispose_engines() -> None:
    """Close every cached engine (tests, shutdown, after fork)."""
    with _LOCK:
        for eng in _ENGINES.values():
            eng.dispose()
        _ENGINES.clear()


def session_factory(url: str | Engine | None = None) -> sessionmaker[Session]:
    """The ``sessionmaker`` bound to the store (one per engine); objects stay usable after
    commit."""
    bind = url if isinstance(url, Engine) else engine(url)
    # a sessionmaker builds a Session subclass: making one per request costs more than the
    # request's own SQL
    factory = _FACTORIES.get(bind)
    if factory is None:
        factory = sessionmaker(bind=bind, expire_on_commit=False)
        _FACTORIES[bind] = factory
    return factory


@contextmanager
def read_session(url: str | Engine | None = None) -> Iterator[Session]:
    """A session for reading only: on SQLite it takes no write lock, so long reads never
    hold up writers. Writing through it is a mistake (it may fail with "database is
    locked"); use :func:`session` for that.

    >>> from sqlalchemy import text
    >>> with read_session("sqlite://") as s:
    ...     s.execute(text("SELECT 2")).scalar()
    2
    """
    bind = url if isinstance(url, Engine) else engine(url)
    reader = Session(
        bind=bind.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
    )
    try:
        with reader.begin():
            yield reader
    finally:
        reader.close()


@contextmanager
def session(url: str | Engine | None = None) -> Iterator[Session]:
    """A session in a transaction: committed on success, rolled back on error.

    >>> from sqlalchemy import text
    >>> with session("sqlite://") as s:
    ...     _ = s.execute(text("SELECT 1")).scalar()
    """
    factory = session_factory(url)
    bind = factory.kw["bind"]
    gate = _WRITE_GATES.get(bind)
    if gate is None:
        with factory.begin() as s:
            yield s
        return
    # SQLite has one writer at a time. Queue this process's writers on a lock that wakes the
    # next one the moment the last commits; SQLite's own busy handler would poll with sleeps
    # of up to 100 ms, which is what long tails of latency are made of. The lock is taken
    # just before the session's BEGIN IMMEDIATE (_enter_write_gate), so a session that runs
    # no SQL (a cached token check) never queues behind the writers.
    held: list[WriteGate] = []
    stack = _gate_stack()
    stack.append((bind, held))
    try:
        with factory.begin() as s:
            yield s
    finally:
        # by identity: nested sessions on one engine hold equal-looking entries
        for index in range(len(stack) - 1, -1, -1):
            if stack[index][1] is held:
                del stack[index]
                break
        for lock in held:
            lock.release()


_GATE_CLAIMS = threading.local()


def _gate_stack() -> list[tuple[Engine, list[WriteGate]]]:
    stack: list[tuple[Engine, list[WriteGate]]] | None = getattr(_GATE_CLAIMS, "stack", None)
    if stack is None:
        stack = []
        _GATE_CLAIMS.stack = stack
    return stack


def _enter_write_gate(eng: Engine) -> None:
    """Take ``eng``'s writer lock for the innermost :func:`session` of this thread on it;
    :func:`session` releases it after its commit or rollback."""
    gate = _WRITE_GATES.get(eng)
    if gate is None:
        return
    for bound, held in reversed(_gate_stack()):
        if bound is eng:
            if gate.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                held.append(gate)
            return
