"""cxpulse: customer experience analytics and the Customer Health Score.

>>> import cxpulse
>>> ws = cxpulse.Workspace.connect()          # in-memory DuckDB
>>> ws.table("responses").count().execute()
0
"""

from __future__ import annotations

import importlib
from typing import Any

from cxpulse.config import ProjectConfig, Settings, load_config
from cxpulse.errors import (
    ConfigError,
    CxpulseError,
    NotEnoughDataError,
    Problem,
    UnknownMetricError,
    UnknownTableError,
    ValidationError,
    WorkspaceError,
)
from cxpulse.project import init_project
from cxpulse.schema import TABLES, TableSpec
from cxpulse.schema.loading import LoadReport
from cxpulse.workspace import Workspace

__version__ = "0.1.0"

# Heavier parts load on first use: name -> module that defines it.
_LAZY = {
    "MetricTable": "cxpulse.metrics",
    "MetricValue": "cxpulse.metrics",
    "Estimate": "cxpulse.stats",
    "Comparison": "cxpulse.stats",
    "generate_demo": "cxpulse.datasets",
    "load_demo": "cxpulse.datasets",
    "ExpertModel": "cxpulse.health",
    "LearnedModel": "cxpulse.health",
    "create_app": "cxpulse.web",
}

__all__ = [
    "TABLES",
    "Comparison",
    "ConfigError",
    "CxpulseError",
    "Estimate",
    "ExpertModel",
    "LearnedModel",
    "LoadReport",
    "MetricTable",
    "MetricValue",
    "NotEnoughDataError",
    "Problem",
    "ProjectConfig",
    "Settings",
    "TableSpec",
    "UnknownMetricError",
    "UnknownTableError",
    "ValidationError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "create_app",
    "generate_demo",
    "init_project",
    "load_config",
    "load_demo",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cxpulse' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
