"""What one running web app holds: the project, its analytics workspace and its store.

One :class:`WebContext` lives on ``app.state.ctx``. Pages and API endpoints reach it through
the dependency aliases in :mod:`cxpulse.web.deps`, never as a module global, so two apps
(two projects, or two tests) can run in one process.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cxpulse.config import ProjectConfig, Settings
from cxpulse.errors import ConfigError
from cxpulse.web.cache import ResultCache
from cxpulse.workspace import Workspace

T = TypeVar("T")

SECRET_FILE = ".cxpulse_secret"


def resolve_secret(project_dir: Path | None, settings: Settings) -> str:
    """The key that signs session cookies.

    ``CXPULSE_SECRET_KEY`` wins; otherwise a random key kept in ``.cxpulse_secret`` in the
    project folder (created on first start, readable by its owner only), so sessions survive
    a restart. Without a project folder the key lives only as long as the process.
    """
    if settings.secret_key:
        if len(settings.secret_key) < 16:
            raise ConfigError(key="sec.error.short_secret")
        return settings.secret_key
    if project_dir is None:
        return secrets.token_hex(32)
    path = project_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


@dataclass
class WebContext:
    """The project a web app serves."""

    config: ProjectConfig
    workspace: Workspace
    store_url: str
    secret_key: str
    project_dir: Path | None = None
    # DuckDB connections are not safe to share across threads mid-query; endpoints run in a
    # thread pool, so workspace reads go one at a time (they are aggregates, and cached).
    workspace_lock: threading.RLock = field(default_factory=threading.RLock)
    _engine: Any = None
    cache: ResultCache = field(init=False)

    def __post_init__(self) -> None:
        self.cache = ResultCache(self.workspace, self.workspace_lock)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` cached per ``key`` and data version (see :mod:`cxpulse.web.cache`)."""
        return self.cache.get(key, compute)

    @property
    def language(self) -> str:
        """The project's default language (``[locale] language`` in cxpulse.toml)."""
        return self.config.locale.language

    def store_engine(self) -> Any:
        """The SQLAlchemy engine of the operational store, created and migrated on first use."""
        if self._engine is None:
            from cxpulse import store

            store.migrate(self.store_url)
            self._engine = store.engine(self.store_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        # a background reader (start-up warm-up, answer sync) may be mid-query: closing DuckDB
        # under it crashes the process
        with self.workspace_lock:
            self.workspace.close()
