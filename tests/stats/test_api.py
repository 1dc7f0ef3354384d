from __future__ import annotations

import doctest
import importlib
import math
import pkgutil

import pytest

import cxpulse.stats as cs
from cxpulse.errors import CxpulseError
from cxpulse.stats import Estimate, StatisticsInputError


def test_public_names_exist_and_are_documented() -> None:
    for name in cs.__all__:
        obj = getattr(cs, name)
        if callable(obj):
            assert obj.__doc__, f"{name} has no docstring"
    assert cs.SMALL_SAMPLE_N == 30


@pytest.mark.parametrize(
    "module", [m.name for m in pkgutil.iter_modules(cs.__path__, prefix="cxpulse.stats.")]
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_estimate_is_frozen_and_reports_width() -> None:
    e = Estimate(0.4, 50, 0.3, 0.5, "wilson score", False)
    assert e.confidence == 0.95 and e.width == pytest.approx(0.2)
    assert e.contains(0.3) and e.contains(0.5) and not e.contains(0.51)
    with pytest.raises(AttributeError):
        e.value = 1.0  # type: ignore[misc]
    undefined = Estimate(1.0, 1, math.nan, math.nan, "student t", True)
    assert not undefined.has_interval and not undefined.contains(1.0)


def test_input_errors_belong_to_the_cxpulse_tree() -> None:
    assert issubclass(StatisticsInputError, CxpulseError)
    assert issubclass(StatisticsInputError, ValueError)
