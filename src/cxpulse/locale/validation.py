"""Pydantic's validation errors explained in the user's language.

Pydantic writes its messages in English; each error also carries a stable ``type`` (such as
``int_parsing`` or ``less_than_equal``) and its context (``le``, ``max_length``...). The text
comes from the catalogue key ``validation.<type>`` filled with that context, so the API's 422
answers and the command line's value errors say the same thing in es and en. A ``value_error``
raised by our own validators as a :class:`~cxpulse.errors.InvalidValueError` is shown in the
user's language too.

>>> explain_validation_error({"type": "less_than_equal", "ctx": {"le": 100}}, "es")
'Debe ser menor o igual que 100.'
>>> explain_validation_error({"type": "int_parsing"}, "en")
'Must be a whole number.'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cxpulse.locale import catalog, format_number, gettext

# Pydantic types that say the same thing to a user as another type: one text for both.
SAME_AS = {
    "int_type": "int_parsing",
    "float_type": "float_parsing",
    "bool_type": "bool_parsing",
    "date_from_datetime_parsing": "date_parsing",
    "date_type": "date_parsing",
    "datetime_from_date_parsing": "datetime_parsing",
    "datetime_type": "datetime_parsing",
    "literal_error": "enum",
    "model_type": "model_attributes_type",
    "dict_type": "model_attributes_type",
    "uuid_type": "uuid_parsing",
    "url_type": "url_parsing",
    "assertion_error": "value_error",
    "bytes_type": "string_type",
}


def _shown(value: object, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    digits = 0 if float(value).is_integer() else 2
    return format_number(value, lang, digits)


def _choices(expected: str, lang: str) -> str:
    """Pydantic lists choices as "'a', 'b' or 'c'": the last joiner in ``lang``."""
    head, sep, last = expected.rpartition(" or ")
    return f"{head} {gettext('validation.or', lang)} {last}" if sep else expected


def explain_validation_error(error: Mapping[str, Any], lang: str) -> str:
    """The message of one pydantic error (an item of ``ValidationError.errors()``) in
    ``lang``."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        message_in = getattr(cause, "message_in", None)
        if callable(message_in):
            return str(message_in(lang))
    key = f"validation.{SAME_AS.get(kind, kind)}"
    if key not in catalog(lang):
        return gettext("validation.other", lang, type=kind or "?")
    values = {name: _shown(value, lang) for name, value in ctx.items()}
    if "expected" in values:
        values["expected"] = _choices(values["expected"], lang)
    try:
        return catalog(lang)[key].format(**values)
    except (KeyError, IndexError):  # a context this pydantic version does not give
        return gettext("validation.other", lang, type=kind)
