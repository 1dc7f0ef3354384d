"""Demo company with known truth, and loaders that map public data into canonical tables.

>>> from cxpulse.datasets import demo_size
>>> demo_size("small")["accounts"]
500
"""

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
from cxpulse.datasets.truth import TruthError, true_churn_probability

__all__ = [
    "BLOCK",
    "SIZES",
    "DemoError",
    "DemoFiles",
    "DemoSize",
    "TruthError",
    "demo_size",
    "generate_demo",
    "load_demo",
    "true_churn_probability",
]
