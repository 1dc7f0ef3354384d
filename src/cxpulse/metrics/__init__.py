"""Customer indicators computed in the engine, with n, confidence interval and method.

>>> from cxpulse.metrics import get_definition
>>> get_definition("csat").unit
'%'
"""

from cxpulse.metrics.accounts import retention_table
from cxpulse.metrics.definitions import (
    DEFINITIONS,
    REGISTRY,
    Condition,
    MetricDefinition,
    get_definition,
    list_definitions,
)
from cxpulse.metrics.drivers import DriverAnalysis, DriverImportance, key_drivers, table_drivers
from cxpulse.metrics.engine import MetricComparison, compare, explain, query
from cxpulse.metrics.errors import MetricQueryError, UnknownDimensionError
from cxpulse.metrics.lifetime_backtest import LifetimeBacktest, clv_backtest
from cxpulse.metrics.lifetime_value import LifetimeValue, customer_lifetime_value
from cxpulse.metrics.ratings import rating_scores, table_ratings
from cxpulse.metrics.results import MetricTable, MetricValue
from cxpulse.metrics.survival import survival_curves

__all__ = [
    "DEFINITIONS",
    "REGISTRY",
    "Condition",
    "DriverAnalysis",
    "DriverImportance",
    "LifetimeBacktest",
    "LifetimeValue",
    "MetricComparison",
    "MetricDefinition",
    "MetricQueryError",
    "MetricTable",
    "MetricValue",
    "UnknownDimensionError",
    "clv_backtest",
    "compare",
    "customer_lifetime_value",
    "explain",
    "get_definition",
    "key_drivers",
    "list_definitions",
    "query",
    "rating_scores",
    "retention_table",
    "survival_curves",
    "table_drivers",
    "table_ratings",
]
