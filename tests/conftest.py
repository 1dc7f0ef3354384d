"""Shared fixtures: real backends for the analytics workspace and the operational store.

PostgreSQL: ``CXPULSE_TEST_PG_URL`` (``make test`` starts a server and sets it).
Spark: PySpark in local mode (needs Java). Locally a missing service skips its tests;
with ``CI=true`` it fails them, so nothing silently stops being tested.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # Spark's driver binds to loopback only
# The CLI speaks CXPULSE_LANG first; tests read its English output unless they ask for
# Spanish (tests/cli/test_spanish_cli.py runs the commands with CXPULSE_LANG=es).
os.environ.setdefault("CXPULSE_LANG", "en")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing, but fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    need(SHARED_DATA.exists(), f"the shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("CXPULSE_TEST_PG_URL")
    need(bool(url), "CXPULSE_TEST_PG_URL is not set (make test starts PostgreSQL and sets it)")
    assert url is not None
    return url


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = pg_server_url.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated operational store: a SQLite file, then a fresh PostgreSQL database."""
    from cxpulse import store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = str(request.getfixturevalue("pg_url"))
    store.migrate(url)
    yield url
    store.dispose_engines()


@pytest.fixture(scope="session")
def spark_session():  # type: ignore[no-untyped-def]
    need(shutil.which("java") is not None, "Java is not installed (PySpark needs it)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        need(False, "pyspark is not installed")
        raise
    session = (
        SparkSession.builder.master("local[2]")
        .appName("cxpulse-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


BACKENDS = ["duckdb", "sqlite", "postgres", "pyspark"]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def workspace_factory(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build a fresh Workspace on a named backend: ``workspace_factory("sqlite")``."""
    from cxpulse.workspace import Workspace

    opened: list[Workspace] = []

    def make(name: str) -> Workspace:
        if name == "duckdb":
            ws = Workspace.connect(f"duckdb:///{tmp_path / f'ws_{len(opened)}.duckdb'}")
        elif name == "sqlite":
            ws = Workspace.connect(f"sqlite:///{tmp_path / f'ws_{len(opened)}.sqlite'}")
        elif name == "postgres":
            url = request.getfixturevalue("pg_url")
            ws = Workspace.connect(url)
        elif name == "pyspark":
            import ibis

            session = request.getfixturevalue("spark_session")
            db = f"t_{uuid.uuid4().hex[:10]}"
            session.sql(f"CREATE DATABASE {db}")
            session.catalog.setCurrentDatabase(db)
            ws = Workspace.connect(ibis.pyspark.connect(session))
        else:
            raise ValueError(name)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        if ws.backend_name != "pyspark":
            ws.close()


@pytest.fixture
def workspace(backend_name: str, workspace_factory):  # type: ignore[no-untyped-def]
    """A fresh Workspace on each backend in turn (DuckDB, SQLite, PostgreSQL, PySpark)."""
    return workspace_factory(backend_name)


@pytest.fixture
def duck(workspace_factory):  # type: ignore[no-untyped-def]
    """A fresh Workspace on a DuckDB file."""
    return workspace_factory("duckdb")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep every Spark test on one worker (one JVM) and tag backend tests by backend."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend_name") if callspec else None
        if backend == "pyspark" or item.get_closest_marker("spark"):
            item.add_marker(pytest.mark.xdist_group("spark"))
            item.add_marker(pytest.mark.spark)
        elif backend == "postgres":
            item.add_marker(pytest.mark.postgres)
