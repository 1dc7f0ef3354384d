"""Project files are their owner's only: folders 0700, files 0600.

Stores, the workspace, fitted models, the secret and ``cxpulse.toml`` hold customer data
or keys, so cxpulse creates them private whatever the umask (and the CLI and the server
run with umask 077 for everything else they write).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()) / "proj"
>>> oct(private_dir(d).stat().st_mode & 0o777)
'0o700'
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
# files SQLite and DuckDB keep beside a database
COMPANIONS = ("-wal", "-shm", "-journal", ".wal")


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing folder is left as it is."""
    folder = Path(path)
    if not folder.exists():
        folder.mkdir(parents=True, mode=DIR_MODE)
        folder.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask
    return folder


def private_file(path: str | Path) -> Path:
    """Make ``path`` (and its database companions, if any) 0600."""
    target = Path(path)
    for candidate in [target, *(Path(str(target) + s) for s in COMPANIONS)]:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            candidate.chmod(FILE_MODE)
    return target


def touch_private(path: str | Path) -> Path:
    """Create an empty 0600 file if ``path`` does not exist yet (before a database opens it,
    so it is never readable by others, not even for a moment)."""
    target = Path(path)
    if not target.exists():
        private_dir(target.parent)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    return target


def write_private_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a 0600 file."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    target.chmod(FILE_MODE)
    return target
