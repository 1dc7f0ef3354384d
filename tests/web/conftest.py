"""A small project on real DuckDB/SQLite files for the web tests, and signed-in clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.web.webdata import add_scores, add_users, build_frames, make_project, sign_in


@pytest.fixture(scope="session")
def frames() -> dict[str, pd.DataFrame]:
    return build_frames()


@pytest.fixture(scope="session")
def project_dir(tmp_path_factory: pytest.TempPathFactory, frames: dict[str, pd.DataFrame]) -> Path:
    """A project folder with a DuckDB workspace and a SQLite store holding three users."""
    folder = make_project(tmp_path_factory.mktemp("web") / "proj", frames)
    add_users(folder)
    add_scores(folder)
    return folder


@pytest.fixture(scope="session")
def app(project_dir: Path, monkeypatch_session: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from cxpulse.web import create_app

    return create_app(project_dir)


@pytest.fixture(scope="session")
def monkeypatch_session() -> Iterator[pytest.MonkeyPatch]:
    mp = pytest.MonkeyPatch()
    for name in ("CXPULSE_WORKSPACE_URL", "CXPULSE_DATABASE_URL", "CXPULSE_SECRET_KEY"):
        mp.delenv(name, raising=False)
    yield mp
    mp.undo()


@pytest.fixture
def anon(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app)


@pytest.fixture
def admin(app) -> TestClient:  # type: ignore[no-untyped-def]
    return sign_in(TestClient(app), "admin@example.com")


@pytest.fixture
def analyst(app) -> TestClient:  # type: ignore[no-untyped-def]
    return sign_in(TestClient(app), "analyst@example.com")


@pytest.fixture
def agent(app) -> TestClient:  # type: ignore[no-untyped-def]
    return sign_in(TestClient(app), "agent@example.com")
