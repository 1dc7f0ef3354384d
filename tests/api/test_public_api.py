"""The curated public API: every advertised name exists and is documented."""

from __future__ import annotations

import inspect

import cxpulse


def test_every_public_name_resolves_and_has_a_docstring():
    missing = []
    for name in cxpulse.__all__:
        value = getattr(cxpulse, name)
        if (inspect.isclass(value) or inspect.isfunction(value)) and not inspect.getdoc(value):
            missing.append(name)
    assert missing == []


def test_unknown_attribute_raises_attribute_error():
    try:
        cxpulse.does_not_exist  # noqa: B018
    except AttributeError as exc:
        assert "does_not_exist" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
