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
