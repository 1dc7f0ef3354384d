"""Results of workspace reads cached per (question, data version).

The data version is a cheap fingerprint of the canonical tables the dashboards read (row
counts and latest timestamps), computed in the engine. It is re-checked at once when the
project's change marker was replaced since the last check (every write through the
:class:`~cxpulse.workspace.Workspace` replaces it: a CLI load, a notebook, another app
worker, a scoring run), and otherwise at most every :data:`VERSION_TTL` seconds (a writer
outside cxpulse, another machine). So a load shows up on the next page view of every app
worker, two workers never show an older figure after a newer one for a write they both can
see, and repeated page views answer from memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from cxpulse.changes import change_mark
from cxpulse.workspace import Workspace

T = TypeVar("T")
VERSION_TTL = 5.0
MAX_ENTRIES = 256
# (table, timestamp column) whose change makes cached results stale
WATCHED: tuple[tuple[str, str | None], ...] = (
    ("responses", "responded_at"),
    ("accounts", "start_date"),
    ("tickets", "opened_at"),
    ("outcomes", None),
)


def data_version(ws: Workspace) -> tuple[Any, ...]:
    """A fingerprint that changes when rows are added to or replaced in the watched tables."""
    existing = set(ws.con.list_tables())
    parts: list[Any] = []
    for name, column in WATCHED:
        if name not in existing:
            parts.append(None)
            continue
        t = ws.table(name)
        metrics = [t.count().name("n")]
        if column is not None:
            metrics.append(t[column].max().cast("string").name("latest"))
        parts.append(tuple(t.aggregate(metrics).execute().iloc[0].tolist()))
    extra = sorted(n for n in existing if n.startswith(("health", "score")))
    for name in extra:  # score snapshots written by cxpulse.health
        parts.append((name, int(ws.con.table(name).count().execute())))
    return tuple(parts)


class ResultCache:
    """A small LRU of computed results keyed by the question and the data version."""

    def __init__(self, ws: Workspace, lock: threading.RLock) -> None:
        self.ws = ws
        self.lock = lock
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._guard = threading.Lock()  # the dict itself; computing holds the workspace lock
        self._version: tuple[Any, ...] | None = None
        self._checked = 0.0
        self._mark: tuple[int, int] | None = None
        folder = getattr(ws.config, "project_dir", None)
        self._folder: Path | None = Path(folder) if folder is not None else None

    def version(self) -> tuple[Any, ...]:
        now = time.monotonic()
        mark = change_mark(self._folder)  # one stat() per read
        if self._version is None or mark != self._mark or now - self._checked > VERSION_TTL:
            with self.lock:
                current = data_version(self.ws)
            with self._guard:
                if current != self._version:
                    self._entries.clear()
                self._version, self._checked, self._mark = current, now, mark
        return self._version

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached result for ``key``, computing it (under the workspace lock) if needed."""
        full = (key, self.version())
        with self._guard:
            if full in self._entries:
                self._entries.move_to_end(full)
                return self._entries[full]  # type: ignore[no-any-return]
        with self.lock:
            value = compute()
        with self._guard:
            self._entries[full] = value
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every result (e.g. right after loading data)."""
        with self._guard:
            self._entries.clear()
            self._version = None
