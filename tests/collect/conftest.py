"""Collection fixtures: a migrated store (SQLite file, then PostgreSQL) and a survey."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cxpulse import collect, store
from cxpulse.workspace import Workspace


@pytest.fixture
def nps_survey(store_url: str) -> str:
    with store.session(store_url) as s:
        collect.create_survey(s, "nps-rel", "nps", touchpoint="relationship", language="es")
        collect.create_survey(s, "csat-support", "csat", touchpoint="support", language="en")
        collect.create_survey(s, "ces-onboarding", "ces", touchpoint="onboarding")
    return "nps-rel"


@pytest.fixture
def duck_ws(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.connect(f"duckdb:///{tmp_path / 'ws.duckdb'}")
    yield ws
    ws.close()


def _count(url: str) -> int:
    from sqlalchemy import func, select

    with store.session(url) as s:
        return int(s.scalar(select(func.count()).select_from(store.SurveyResponse)) or 0)


@pytest.fixture
def stored(store_url: str) -> Callable[[], int]:
    """How many answers the store holds now."""
    return lambda: _count(store_url)
