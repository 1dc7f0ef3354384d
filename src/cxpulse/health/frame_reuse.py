"""Training rows reused inside one unit of work: a fit, and the report computed right after it.

Features as of one date cost about a second to build, most of it compiling the expression, not
running it. A fit, the expert fit beside it and the backtest of the model report read the same
as-of dates; inside ``with reusing_frames():`` each (workspace, date, horizon, outcome,
signals) is computed once. Outside such a block nothing is kept, so every command and every
page sees the data as it is now; the block's owner promises not to load data inside it.

>>> with reusing_frames():
...     first = reused(("k",), lambda: [1])
...     again = reused(("k",), lambda: [2])
>>> first is again, reused(("k",), lambda: [3])
(True, [3])
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: ContextVar[dict[Hashable, Any] | None] = ContextVar("cxpulse_frames", default=None)


@contextmanager
def reusing_frames() -> Iterator[None]:
    """Reuse training rows until the block ends (nested blocks share the outer one's)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def workspace_key(ws: Any) -> Hashable:
    """Which data a workspace reads: its embedded DuckDB file (two connections to one file read
    the same rows), else the workspace object itself."""
    path = getattr(ws.con, "_path", None)  # cxpulse.embedded.SharedDuckDBBackend's file
    # the object itself (not its id): kept alive by the memo, its id cannot be reused meanwhile
    return ("file", str(path)) if path is not None else ("workspace", ws)


def reused(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or inside :func:`reusing_frames` the value computed for ``key`` before."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]
