"""The migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from cxpulse import store
from cxpulse.store.revisions import alembic_config
from cxpulse.store.tables import metadata


def _diff(url: str) -> list[object]:
    with store.engine(url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))


def test_upgrade_head_matches_declared_tables(store_url: str) -> None:
    assert _diff(store_url) == []
    tables = set(inspect(store.engine(store_url)).get_table_names())
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrate_twice_is_a_no_op(store_url: str) -> None:
    store.migrate(store_url)
    assert store.current_revision(store_url) == store.head_revision()


def test_a_table_missing_from_the_migrations_shows_in_the_diff(tmp_path: Path) -> None:
    # The check above can fail: a store migrated only to an empty schema differs.
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    store.migrate(url, revision="base")
    diff = _diff(url)
    added = {d[1].name for d in diff if isinstance(d, tuple) and d[0] == "add_table"}
    assert added == set(metadata.tables)
    store.dispose_engines()


def test_downgrade_to_base_removes_every_table(store_url: str) -> None:
    cfg = alembic_config()
    with store.engine(store_url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    remaining = set(inspect(store.engine(store_url)).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    store.migrate(store_url)
    assert _diff(store_url) == []


def test_processes_starting_at_once_migrate_a_fresh_store_once(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import subprocess
    import sys

    for kind in ("sqlite", "postgres"):
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path / 'race.sqlite'}"
        else:
            url = str(request.getfixturevalue("pg_url"))
        code = f"from cxpulse import store; store.migrate({url!r})"
        procs = [
            subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(3)
        ]
        errors = [p.communicate(timeout=120)[1].decode() for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], errors
        assert _diff(url) == []
        store.dispose_engines()
