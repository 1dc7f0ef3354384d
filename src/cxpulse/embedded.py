"""The embedded DuckDB workspace file, shared by every process of a project.

DuckDB lets one process at a time open a database file for writing, and a process holding it
open locks everybody else out. So the embedded workspace never keeps the file open while idle:
every call of the ibis backend (a query, a table creation, a load) *leases* the file, and the
lease is given back :data:`LINGER` seconds after the last call, or at once when another
process has left a ``<file>.waiting`` note (it waited more than 0.1 s); the process that gave
the file back then lets the waiter in before it takes the file again, so a process querying
in a tight loop cannot starve the others. ``cxpulse serve``, any CLI
command and a notebook's ``Workspace.open()`` then take turns query by query; a process that
finds the file taken waits (retrying) and says who holds it and since when, read from the
small ``<file>.holder`` note the holder writes while it has the file.

>>> import tempfile, pathlib, ibis
>>> con = connect_shared(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
>>> _ = con.create_table("t", schema=ibis.schema({"a": "int64"}))
>>> con.list_tables()
['t']
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import logging
import os
import re
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ibis.backends.duckdb import Backend as DuckDBBackend

from cxpulse.errors import WorkspaceBusyError

log = logging.getLogger("cxpulse.workspace")

LINGER = 0.15  # seconds a released file stays open, so a burst of queries opens it once
DEFAULT_WAIT = float(os.environ.get("CXPULSE_WORKSPACE_WAIT", "120"))
NOTICE_EVERY = 2.0  # seconds between two "still waiting" notices
_PID = re.compile(r"PID (\d+)")


def _command_of(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
    # "python .../bin/cxpulse serve -p demo" -> "cxpulse serve -p demo"
    while len(parts) > 1 and ("python" in Path(parts[0]).name or parts[0] == "-m"):
        parts = parts[1:]
    if parts:
        parts[0] = Path(parts[0]).name
    text = " ".join(" ".join(parts).split())  # a "python -c" script fits on one line
    return (text[:80] + "…" if len(text) > 80 else text) or "?"


def holder_of(path: Path, error: str = "") -> dict[str, Any]:
    """Who holds the workspace file: pid, command and since (epoch seconds) when known."""
    note = Path(f"{path}.holder")
    info: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        info = json.loads(note.read_text("utf-8"))
    match = _PID.search(error)
    if match and str(info.get("pid")) != match.group(1):
        pid = int(match.group(1))
        info = {"pid": pid, "command": _command_of(pid), "since": None}
    return info


def describe_holder(info: dict[str, Any], lang: str = "en") -> str:
    from cxpulse.locale import gettext

    if not info:
        return gettext("ops.workspace.holder_unknown", lang)
    since = info.get("since")
    held = f"{max(0.0, time.time() - float(since)):.0f}" if since else "?"
    return gettext(
        "ops.workspace.holder",
        lang,
        pid=info.get("pid", "?"),
        command=info.get("command", "?"),
        seconds=held,
    )


def _language() -> str:
    lang = (os.environ.get("CXPULSE_LANG") or os.environ.get("LANG") or "es")[:2].lower()
    return lang if lang in ("es", "en") else "es"


def print_notice(path: Path, info: dict[str, Any], waited: float) -> None:
    """Default notice: one line on stderr (the CLI and notebooks show it)."""
    from cxpulse.locale import gettext

    lang = _language()
    text = gettext(
        "ops.workspace.waiting",
        lang,
        path=path,
        holder=describe_holder(info, lang),
        waited=f"{waited:.0f}",
    )
    print(text, file=sys.stderr, flush=True)


# Called while waiting for the file: (path, holder info, seconds waited). The web app swaps it
# for a log line.
wait_notice: Callable[[Path, dict[str, Any], float], None] = print_notice


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


WAITING_FRESH = 2.0  # seconds a waiting note counts as someone still waiting
POLITE_WAIT = 1.0  # at most this long a process gives way to a waiter before opening


def _waiting_note(path: Path) -> Path:
    return Path(f"{path}.waiting")


def someone_waiting(path: Path) -> bool:
    """Whether another process has been waiting for the file in the last seconds."""
    note = _waiting_note(path)
    try:
        info = json.loads(note.read_text("utf-8"))
        fresh = time.time() - note.stat().st_mtime < WAITING_FRESH
    except (OSError, ValueError):
        return False
    return fresh and info.get("pid") != os.getpid()


def _note_waiting(path: Path) -> None:
    note = _waiting_note(path)
    with contextlib.suppress(OSError):
        tmp = note.with_name(f"{note.name}.{os.getpid()}")
        tmp.write_text(json.dumps({"pid": os.getpid(), "since": time.time()}), "utf-8")
        os.replace(tmp, note)


def _clear_waiting(path: Path) -> None:
    note = _waiting_note(path)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(note.read_text("utf-8")).get("pid") == os.getpid():
            note.unlink()


def _leased(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(self: SharedDuckDBBackend, *args: Any, **kwargs: Any) -> Any:
        with self.lease():
            return fn(self, *args, **kwargs)

    return call


class SharedDuckDBBackend(DuckDBBackend):
    """An ibis DuckDB backend on a file that holds the file only while it is being used.

    Every public method runs inside :meth:`lease`; code that uses the raw DuckDB connection
    (``backend.con``) for several statements wraps them in ``with backend.lease():``.
    """

    _raw: Any = None

    def _setup_sharing(self, path: Path, *, wait: float, linger: float) -> None:
        self._path = path
        self._wait = wait
        self._linger = linger
        self._mutex = threading.RLock()
        self._depth = 0
        self._last = 0.0
        self._raw = None
        self._closed = False
        self._janitor_started = False

    # ---- the raw connection, opened on demand -------------------------------------------
    @property  # type: ignore[override]
    def con(self) -> Any:
        with self._mutex:
            if self._raw is None:
                self._open(self._wait)
            self._last = time.monotonic()
            return self._raw

    @con.setter
    def con(self, value: Any) -> None:
        self._raw = value

    def _open(self, wait: float) -> None:
        import duckdb

        if self._closed:
            raise WorkspaceBusyError(key="ops.workspace.closed", values={"path": str(self._path)})
        started = time.monotonic()
        # a process that just gave the file back to a waiter lets it in before taking it again
        while someone_waiting(self._path) and time.monotonic() - started < POLITE_WAIT:
            time.sleep(0.02)
        started = time.monotonic()
        next_notice = started + 1.0
        next_note = started + 0.1
        delay = 0.01
        while True:
            try:
                raw = duckdb.connect(str(self._path))
                break
            except duckdb.IOException as exc:
                if not _is_lock_conflict(exc):
                    raise
                if time.monotonic() >= next_note:  # tell the holder to give the file back
                    _note_waiting(self._path)
                    next_note = time.monotonic() + 0.5
                waited = time.monotonic() - started
                if waited >= wait:
                    _clear_waiting(self._path)
                    info = holder_of(self._path, str(exc))
                    raise WorkspaceBusyError(
                        key="ops.workspace.busy",
                        values={
                            "path": str(self._path),
                            "holder": describe_holder(info),
                            "waited": f"{waited:.1f}",
                        },
                    ) from None
                if time.monotonic() >= next_notice:
                    wait_notice(self._path, holder_of(self._path, str(exc)), waited)
                    next_notice = time.monotonic() + NOTICE_EVERY
                time.sleep(delay)
                delay = min(delay * 1.5, 0.1)
        _clear_waiting(self._path)
        self._raw = raw
        # a new connection has none of the in-memory tables ibis registered on the last one
        self._memtables: weakref.WeakSet[Any] = weakref.WeakSet()
        self._post_connect(None)
        self._write_note()
        self._start_janitor()

    def _write_note(self) -> None:
        note = Path(f"{self._path}.holder")
        payload = {"pid": os.getpid(), "command": _command_of(os.getpid()), "since": time.time()}
        with contextlib.suppress(OSError):
            tmp = note.with_name(f"{note.name}.{os.getpid()}")
            tmp.write_text(json.dumps(payload), "utf-8")
            os.replace(tmp, note)

    def _release(self) -> None:
        raw, self._raw = self._raw, None
        if raw is None:
            return
        note = Path(f"{self._path}.holder")
        with contextlib.suppress(OSError, ValueError):
            if json.loads(note.read_text("utf-8")).get("pid") == os.getpid():
                note.unlink()
        with contextlib.suppress(Exception):
            raw.close()

    def _start_janitor(self) -> None:
        if self._janitor_started:
            return
        self._janitor_started = True
        ref = weakref.ref(self)
        linger = self._linger

        def run() -> None:
            while True:
                time.sleep(linger)
                backend = ref()
                if backend is None or backend._closed:
                    return
                backend._release_if_idle()
                del backend

        threading.Thread(target=run, name="cxpulse-workspace-lease", daemon=True).start()

    def _release_if_idle(self) -> None:
        if not self._mutex.acquire(blocking=False):
            return
        try:
            idle = time.monotonic() - self._last
            due = idle >= self._linger or someone_waiting(self._path)
            if self._depth == 0 and self._raw is not None and due:
                self._release()
        finally:
            self._mutex.release()

    # ---- leases ----------------------------------------------------------------------
    @contextlib.contextmanager
    def lease(self, wait: float | None = None) -> Iterator[Any]:
        """Hold the file (opening it, waiting up to ``wait`` seconds) for a block of work.

        Threads of one process take turns: a DuckDB connection is not used by two at once.
        """
        with self._mutex:
            if self._raw is None:
                self._open(self._wait if wait is None else wait)
            self._depth += 1
            try:
                yield self._raw
            finally:
                self._depth -= 1
                self._last = time.monotonic()
                if self._depth == 0 and someone_waiting(self._path):
                    self._release()  # another process is waiting: hand over now

    @property
    def holding(self) -> bool:
        """Whether this process has the file open right now."""
        return self._raw is not None

    def disconnect(self) -> None:
        with self._mutex:
            self._closed = True
            self._release()

    def to_pyarrow_batches(self, expr: Any, /, **kwargs: Any) -> Any:
        # a streaming reader would outlive the lease: read it whole, then stream from memory
        chunk_size = kwargs.pop("chunk_size", 1_000_000)
        return self.to_pyarrow(expr, **kwargs).to_reader(max_chunksize=chunk_size)


_NOT_LEASED = {"lease", "disconnect", "to_pyarrow_batches", "compile", "connect", "holding"}
for _name, _attr in inspect.getmembers(DuckDBBackend):
    if _name.startswith("_") or _name in _NOT_LEASED:
        continue
    _static = inspect.getattr_static(DuckDBBackend, _name)
    if isinstance(_static, (staticmethod, classmethod, property)) or not callable(_static):
        continue
    setattr(SharedDuckDBBackend, _name, _leased(_static))


def connect_shared(
    path: str | Path, *, wait: float | None = None, linger: float = LINGER
) -> SharedDuckDBBackend:
    """An ibis backend on the DuckDB file ``path`` that other processes can use too."""
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    backend = SharedDuckDBBackend()
    backend._setup_sharing(path, wait=DEFAULT_WAIT if wait is None else wait, linger=linger)
    with backend.lease():  # opens once now, so a wrong path fails here and not later
        pass
    return backend
