"""cxpulse: customer experience analytics and the Customer Health Score.

>>> import cxpulse
>>> ws = cxpulse.Workspace.connect()          # in-memory DuckDB
>>> ws.table("responses").count().execute()
0
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from cxpulse.config import ProjectConfig, Settings, load_config
    from cxpulse.datasets import generate_demo, load_demo
    from cxpulse.health import ExpertModel, LearnedModel
    from cxpulse.metrics import MetricTable, MetricValue
    from cxpulse.project import init_project
    from cxpulse.schema import TABLES, TableSpec
    from cxpulse.schema.loading import LoadReport
    from cxpulse.stats import Comparison, Estimate
    from cxpulse.web import create_app
    from cxpulse.workspace import Workspace

__version__ = "0.1.0"

# Everything but the exceptions loads on first use (name -> module that defines it), so that
# `import cxpulse` and `cxpulse --help` stay fast: ibis, pandas, scipy and SQLAlchemy are
# imported only by the parts that need them.
_LAZY = {
    "ProjectConfig": "cxpulse.config",
    "Settings": "cxpulse.config",
    "load_config": "cxpulse.config",
    "init_project": "cxpulse.project",
    "TABLES": "cxpulse.schema",
    "TableSpec": "cxpulse.schema",
    "LoadReport": "cxpulse.schema.loading",
    "Workspace": "cxpulse.workspace",
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


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
