"""Spanish and English messages. Catalogues are flat JSON files: key -> text.

>>> gettext("app.name", "en")
'cxpulse'
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    text = resources.files("cxpulse.locale").joinpath(f"messages_{lang}.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def gettext(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``{name}`` placeholders filled; the key if missing."""
    text = catalog(lang).get(key) or catalog("en").get(key) or key
    return text.format(**values) if values else text


def gettext_addressed(
    key: str, lang: str = DEFAULT_LANGUAGE, formality: str = "tu", **values: object
) -> str:
    """The message ``key`` addressing the reader as the project says: with ``formality`` "tu"
    the ``<key>.tu`` variant when the catalogue has one (Spanish "¿nos recomendarías?"), else
    ``key`` itself, written in the usted form.

    >>> gettext_addressed("collect.question.nps", "es", "usted")[-31:]
    'recomiende a un amigo o colega?'
    >>> gettext_addressed("collect.question.nps", "es", "tu")[-32:]
    'recomiendes a un amigo o colega?'
    """
    if formality == "tu" and f"{key}.tu" in catalog(lang):
        key = f"{key}.tu"
    return gettext(key, lang, **values)


def term(kind: str, value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """The label of a stored value (a priority, status, band, method...) in ``lang``.

    Values live in the catalogue as ``term.<kind>.<value>``; a value without an entry is shown
    as it is, so a user's own categories pass through unchanged.

    >>> term("language", "es", "en")
    'Spanish'
    """
    if value is None:
        return ""
    text = str(value)
    key = f"term.{kind}.{text.lower()}"
    found = catalog(lang).get(key) or catalog("en").get(key)
    return found if found is not None else text


def dimension_label(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The heading of a breakdown column: a built-in column (``data.dim.<name>``) in ``lang``,
    an attribute the project declared by its own name, as written.

    >>> dimension_label("touchpoint", "es"), dimension_label("type_of_travel", "es")
    ('Punto de contacto', 'type_of_travel')
    """
    found = catalog(lang).get(f"data.dim.{name}")
    return found if found is not None else str(name)


BABEL_LOCALES = {"es": "es", "en": "en_US"}


def format_number(value: float | int | None, lang: str = DEFAULT_LANGUAGE, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals in the language's notation; an em dash when missing.

    The web pages, the command line and exports all write numbers through this function.

    >>> format_number(1234.5, "es"), format_number(1234.5, "en"), format_number(None)
    ('1.234,5', '1,234.5', '—')
    """
    import math

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    from babel.numbers import format_decimal  # Babel loads only when a number is written

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(value, format=pattern, locale=BABEL_LOCALES.get(lang, lang)))
