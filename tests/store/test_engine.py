"""Engine settings: SQLite in WAL mode with a busy timeout, PostgreSQL through psycopg 3."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, text

from cxpulse import store
from cxpulse.config import ProjectConfig
from cxpulse.store import Survey


def test_sqlite_file_uses_wal_busy_timeout_and_normal_sync(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    with store.engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose_engines()


def test_default_url_is_the_project_sqlite_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CXPULSE_DATABASE_URL", raising=False)
    cfg = ProjectConfig(project_dir=tmp_path)
    assert store.normalize_url(cfg.store_url()) == f"sqlite:///{tmp_path / 'cxpulse.sqlite'}"
    monkeypatch.setenv("CXPULSE_DATABASE_URL", "postgresql://u@h:5/db")
    assert store.normalize_url() == "postgresql+psycopg://u@h:5/db"


def test_postgres_engine_uses_psycopg3(pg_url: str) -> None:
    eng = store.engine(pg_url)
    assert eng.dialect.driver == "psycopg"
    with eng.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    store.dispose_engines()


def test_timestamps_come_back_as_aware_utc(store_url: str) -> None:
    local = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-3)))
    with store.session(store_url) as s:
        s.add(Survey(slug="t", kind="nps", language="es", created_at=local))
    with store.session(store_url) as s:
        got = s.scalar(select(Survey.created_at))
    assert got == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert got is not None and got.tzinfo is not None


def test_concurrent_writers_on_sqlite_wait_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    store.migrate(url)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(25):
                with store.session(url) as s:
                    # read then write in one transaction: the pattern that deadlocks with
                    # deferred transactions
                    n = s.scalar(select(Survey.id).order_by(Survey.id.desc()).limit(1)) or 0
                    s.add(Survey(slug=f"w{worker}-{i}-{n}", kind="csat", language="en"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.session(url) as s:
        assert len(s.scalars(select(Survey.id)).all()) == 150
    store.dispose_engines()


def test_read_session_does_not_wait_for_a_writer_on_sqlite(tmp_path: Path) -> None:
    import time

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    store.migrate(url)
    with store.session(url) as writer:
        writer.add(Survey(slug="held", kind="nps", language="es"))
        writer.flush()  # this transaction now holds the write lock
        started = time.monotonic()
        with store.read_session(url) as reader:
            assert reader.scalar(select(Survey.slug)) is None  # not committed yet
        assert time.monotonic() - started < 2
    with store.read_session(url) as reader:
        assert reader.scalar(select(Survey.slug)) == "held"
    store.dispose_engines()
