"""Language of a request and locale-aware formatting for templates.

Messages come from :mod:`cxpulse.locale` (keys ``web.*`` for this package); numbers, percents
and dates are formatted by Babel for the language the user chose.

>>> format_number(1234.5, "en", digits=1)
'1,234.5'
>>> format_number(-12.25, "es", digits=1)
'-12,2'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names, get_month_names
from starlette.requests import Request

from cxpulse.locale import DEFAULT_LANGUAGE, LANGUAGES, format_percent, gettext

LANG_COOKIE = "cxpulse_lang"
BABEL_LOCALES = {"es": "es", "en": "en_US"}


def request_language(request: Request, default: str = DEFAULT_LANGUAGE) -> str:
    """The language for this request: ``?lang=``, then the language cookie, then ``default``."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return str(candidate)
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str, **values: Any) -> str:
    """A ``web.*`` (or any) message in ``lang``."""
    return gettext(key, lang, **values)


def format_number(value: float | int | None, lang: str, digits: int = 1) -> str:
    """A number with ``digits`` decimals in the locale's notation; an em dash for None."""
    from cxpulse.locale import format_number as locale_number  # one notation for web and CLI

    return locale_number(value, lang, digits)


def format_money(value: float | None, lang: str, currency: str = "USD", digits: int = 0) -> str:
    """An amount with the currency's symbol in the locale's notation; an em dash for None.

    >>> format_money(12500, "es", "USD")
    '12.500 US$'
    """
    if value is None:
        return "—"
    from babel.numbers import format_currency

    pattern = "¤#,##0" if lang == "en" else "#,##0 ¤"
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits)
    return str(
        format_currency(
            value,
            currency,
            format=pattern,
            locale=BABEL_LOCALES.get(lang, lang),
            currency_digits=False,
        )
    )


def format_signed(value: float | None, lang: str, digits: int = 1) -> str:
    """Like :func:`format_number` with an explicit ``+`` on positive values."""
    if value is None:
        return "—"
    text = format_number(value, lang, digits)
    return f"+{text}" if value > 0 else text


def format_pct(value: float | None, lang: str, digits: int = 0) -> str:
    """A percentage given on the 0-100 scale (as the metric layer returns it), written as the
    language writes one (:func:`cxpulse.locale.format_percent`, shared with the CLI).

    >>> format_pct(45.0, "en"), format_pct(12.34, "es", 1)
    ('45%', '12,3\xa0%')
    """
    return format_percent(value, lang, digits)


def format_date(value: dt.date | dt.datetime | str | None, lang: str, style: str = "medium") -> str:
    """A date in the locale's style (``short``, ``medium``, ``long`` or a CLDR pattern)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(babel_format_date(value, format=style, locale=BABEL_LOCALES.get(lang, lang)))


def format_month(value: dt.date | dt.datetime | str | None, lang: str) -> str:
    """A month label such as ``Sep 2026`` / ``sept 2026``."""
    return format_date(value, lang, "MMM yyyy")


def vega_locale(lang: str) -> dict[str, Any]:
    """d3 number and time format locales for vega-embed, taken from Babel's CLDR data."""
    code = BABEL_LOCALES.get(lang, lang)
    symbols = Locale.parse(code).number_symbols["latn"]
    months = get_month_names("wide", locale=code)
    short_months = get_month_names("abbreviated", locale=code)
    days = get_day_names("wide", locale=code)  # Babel: 0 = Monday; d3: Sunday first
    short_days = get_day_names("abbreviated", locale=code)
    order = [6, 0, 1, 2, 3, 4, 5]
    return {
        "format": {
            "decimal": symbols["decimal"],
            "thousands": symbols["group"],
            "grouping": [3],
            "currency": ["$", ""],
        },
        "time": {
            "dateTime": "%x, %X",
            "date": "%d/%m/%Y" if lang == "es" else "%m/%d/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": [days[i] for i in order],
            "shortDays": [short_days[i] for i in order],
            "months": [months[i] for i in range(1, 13)],
            "shortMonths": [short_months[i].rstrip(".") for i in range(1, 13)],
        },
    }
