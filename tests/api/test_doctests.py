"""The examples in the docstrings are true: every module of the package runs its doctests.

A docstring example is documentation a reader copies; one that no longer holds (a renamed
table, a changed number format) misleads as much as a wrong sentence. (The example of
``cxpulse.demo.build_demo`` is skipped: it builds a whole demo, which tests/demo covers.)
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cxpulse

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(cxpulse.__path__, "cxpulse.")
    if ".migrations" not in m.name and not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXPULSE_LANG", "es")  # examples that print for a reader read Spanish
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples fail in {name}"
