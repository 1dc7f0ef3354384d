"""The project's change marker: how processes reading one project learn that its data changed.

Every write through :class:`cxpulse.workspace.Workspace` replaces a small file in the project
folder; readers that cache results (the app's workers) compare its identity on each read and
re-check the data when it changed (:mod:`cxpulse.web.cache`). A stat() per read, no server.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> change_mark(folder) is None
True
>>> mark_changed(folder); first = change_mark(folder); mark_changed(folder)
>>> first is not None and change_mark(folder) != first
True
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

CHANGED_FILE = ".cxpulse-data-changed"  # in the project folder; replaced on every write


def mark_changed(folder: Path) -> None:
    """Replace the project's change marker (a new file each time, so its identity changes)."""
    target = folder / CHANGED_FILE
    if not folder.is_dir():
        return
    tmp = folder / f"{CHANGED_FILE}.{os.getpid()}.{threading.get_ident()}"
    try:
        tmp.write_text(f"{time.time_ns()}\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError:  # a read-only project folder: readers fall back to their re-check delay
        with contextlib.suppress(OSError):
            tmp.unlink()


def change_mark(folder: Path | None) -> tuple[int, int] | None:
    """The identity of the project's change marker (inode, modification time), or None."""
    if folder is None:
        return None
    try:
        st = (folder / CHANGED_FILE).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)
