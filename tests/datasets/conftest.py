"""A small demo company generated once per test session (about a second)."""

from __future__ import annotations

import pandas as pd
import pytest

from cxpulse.datasets import DemoFiles, generate_demo

SMALL = {"accounts": 500, "responses": 20_000, "seed": 7, "months": 18, "progress": False}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_demo(tmp_path_factory.mktemp("demo"), **SMALL)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def frames(demo: DemoFiles) -> dict[str, pd.DataFrame]:
    out = {name: pd.read_parquet(path) for name, path in demo.tables.items()}
    out["truth"] = pd.read_parquet(demo.truth)
    out["truth_monthly"] = pd.read_parquet(demo.truth_monthly)
    return out
