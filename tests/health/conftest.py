"""Fixtures for health-score tests: seeded synthetic workspaces on real DuckDB files."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from health_synthetic import make_data, seed

from cxpulse.health.config import HealthConfig, parse_health_config


@pytest.fixture(scope="session")
def small_data() -> dict[str, pd.DataFrame]:
    """Twelve accounts over eight months: small enough for every backend."""
    return make_data(n_accounts=12, months=8, seed=5)


@pytest.fixture(scope="session")
def history_data() -> dict[str, pd.DataFrame]:
    """Four hundred accounts over fourteen months: enough churn to fit and backtest."""
    return make_data(n_accounts=400, months=14, seed=3)


@pytest.fixture(scope="session")
def health_config() -> HealthConfig:
    return parse_health_config({})


@pytest.fixture
def history_ws(tmp_path: Path, history_data: dict[str, pd.DataFrame]):  # type: ignore[no-untyped-def]
    from cxpulse.workspace import Workspace

    ws = Workspace.connect(f"duckdb:///{tmp_path / 'history.duckdb'}")
    seed(ws, history_data)
    yield ws
    ws.close()
