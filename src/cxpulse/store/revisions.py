"""Schema migrations of the operational store (Alembic, scripts inside the package).

>>> migrate("sqlite://")
>>> current_revision("sqlite://") == head_revision()
True
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from cxpulse.store.connections import StoreError, engine

MIGRATION_LOCK_ID = 0x63787075  # "cxpu": the advisory lock held while migrating


def alembic_config() -> Config:
    """The Alembic configuration pointing at ``cxpulse/store/migrations``."""
    ini = resources.files("cxpulse.store").joinpath("alembic.ini")
    cfg = Config(str(ini))
    cfg.set_main_option("script_location", "cxpulse.store:migrations")
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with this version of cxpulse."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url: str | Engine | None = None) -> str | None:
    """The revision the database is at (``None`` for a database never migrated)."""
    eng = url if isinstance(url, Engine) else engine(url)
    with eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(url: str | Engine | None = None, revision: str = "head") -> None:
    """Upgrade the store schema to ``revision`` (default: the newest). Safe to repeat."""
    eng = url if isinstance(url, Engine) else engine(url)
    cfg = alembic_config()
    try:
        with eng.begin() as conn:
            # Several app processes may start at once: only one migrates, the others wait
            # and then find the schema current. (SQLite: BEGIN IMMEDIATE already serialises.)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except Exception as exc:
        raise StoreError(
            key="store.error.migrate",
            values={
                "url": eng.url.render_as_string(hide_password=True),
                "revision": revision,
                "detail": str(exc),
            },
        ) from exc
