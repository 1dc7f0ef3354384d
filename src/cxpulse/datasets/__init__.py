"""Demo company with known truth, and loaders that map public data into canonical tables.

>>> from cxpulse.datasets import demo_size
>>> demo_size("small")["accounts"]
500
"""

from cxpulse.datasets.bank_churn import bank_churn_tables
from cxpulse.datasets.demo import (
    BLOCK,
    SIZES,
    DemoError,
    DemoFiles,
    DemoSize,
    demo_size,
    generate_demo,
    load_demo,
)
from cxpulse.datasets.olist import olist_tables
from cxpulse.datasets.online_retail import online_retail_tables
from cxpulse.datasets.sources import DatasetError
from cxpulse.datasets.truth import (
    TruthError,
    forecast_churn_probability,
    true_churn_probability,
)

__all__ = [
    "BLOCK",
    "SIZES",
    "DatasetError",
    "DemoError",
    "DemoFiles",
    "DemoSize",
    "TruthError",
    "bank_churn_tables",
    "demo_size",
    "forecast_churn_probability",
    "generate_demo",
    "load_demo",
    "olist_tables",
    "online_retail_tables",
    "true_churn_probability",
]
