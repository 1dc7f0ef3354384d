"""Alembic environment of the operational store.

Run programmatically by ``cxpulse.store.migrate(url)``; from a shell with
``alembic -c src/cxpulse/store/alembic.ini ...`` (URL from ``CXPULSE_DATABASE_URL``).
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

from cxpulse.store.connections import create_store_engine
from cxpulse.store.tables import UTCDateTime, metadata

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations must not import our TypeDecorator: render what it stores.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    eng = create_store_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with eng.begin() as conn:
            _run(conn)
    finally:
        eng.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
