"""Jinja2 templates with the helpers every page uses.

Every template gets ``lang``, ``t(key, **values)`` (messages from :mod:`cxpulse.locale`),
number/date formatters for the language (``num``, ``pct``, ``signed``, ``date``, ``month``),
``term(kind, value)`` / ``Term(kind, value)`` (labels of stored values),
``user``, ``csrf_token`` (put ``{{ csrf_field() }}`` in every form), ``flashes`` and ``nav``.
Pages of other packages render with :func:`render` and extend ``base.html``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from cxpulse.locale import term
from cxpulse.web import i18n
from cxpulse.web.session import (
    CSRF_FIELD,
    SignedInUser,
    answer_form_token,
    answer_token_of,
    pop_flashes,
    session_of,
)

TEMPLATE_DIR = Path(str(resources.files("cxpulse.web").joinpath("templates")))

# (path, message key, roles allowed; empty = everyone signed in). Other packages' pages
# appear when their module is installed (see app.ROUTER_MODULES).
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("/", "web.nav.overview", ()),
    ("/health", "web.nav.health", ()),
    ("/accounts", "web.nav.accounts", ()),
    ("/insights", "cx.nav.insights", ()),
    ("/surveys", "web.nav.surveys", ("admin", "analyst")),
    ("/cases", "web.nav.cases", ()),
    ("/drivers", "web.nav.drivers", ()),
    ("/training", "web.nav.training", ()),
    ("/admin/users", "web.nav.users", ("admin",)),
    ("/upload", "ops.nav.upload", ("admin", "analyst")),
]

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
templates.env.filters["tojson_compact"] = lambda value: Markup(
    json.dumps(value, separators=(",", ":"), default=str)
    .replace("<", "\\u003c")
    .replace(">", "\\u003e")
    .replace("&", "\\u0026")
)


def _signal_value(value: Any, lang: str) -> str:
    from cxpulse.health.explain import signal_value_text

    return signal_value_text(value, lang)


def _currency(request: Request) -> str:
    ctx = getattr(request.app.state, "ctx", None)
    return str(ctx.config.locale.currency) if ctx is not None else "USD"


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def current_user(request: Request) -> SignedInUser | None:
    user = request.scope.get("cxpulse.user")
    return user if isinstance(user, SignedInUser) else None


def language_of(request: Request) -> str:
    ctx = getattr(request.app.state, "ctx", None)
    default = ctx.language if ctx is not None else "es"
    return i18n.request_language(request, default)


def _nav_items(request: Request, user: SignedInUser | None) -> list[dict[str, Any]]:
    if user is None:
        return []
    mounted: set[str] = getattr(request.app.state, "paths", set())
    path = request.url.path
    items = []
    for href, key, roles in NAV:
        if href not in mounted:
            continue
        if roles and user.role not in roles:
            continue
        active = path == href if href == "/" else path.startswith(href)
        items.append({"href": href, "key": key, "active": active})
    return items


def known_terms(kind: str, lang: str) -> list[tuple[str, str]]:
    """Every stored value of ``kind`` the catalogue names, as (value, label) sorted by label."""
    from cxpulse.locale import catalog

    prefix = f"term.{kind}."
    found = [(k[len(prefix) :], v) for k, v in catalog(lang).items() if k.startswith(prefix)]
    return sorted(found, key=lambda pair: pair[1].casefold())


def _plural_key(key: str, n: object, lang: str) -> str:
    from cxpulse.locale import catalog

    one = f"{key}_one"
    return one if n == 1 and one in catalog(lang) else key


def country_name(code: object, lang: str) -> str:
    """A country's name in ``lang`` from its ISO code ("MX" -> "México"); other text as it is.

    >>> country_name("MX", "es"), country_name("ES", "en"), country_name("Narnia", "es")
    ('México', 'Spain', 'Narnia')
    """
    text = "" if code is None else str(code)
    if len(text) != 2 or not text.isalpha():
        return text
    from babel import Locale

    return str(Locale.parse(i18n.BABEL_LOCALES.get(lang, lang)).territories.get(text.upper(), text))


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    """The variables every template gets, plus ``extra``."""
    lang = language_of(request)
    user = current_user(request)
    token = str(session_of(request).get(CSRF_FIELD, ""))
    invitation = answer_token_of(request.url.path)
    ctx = getattr(request.app.state, "ctx", None)
    if invitation is not None and ctx is not None:  # a public answer page needs no cookie
        token = answer_form_token(ctx.secret_key, invitation)

    def t(key: str, **values: Any) -> str:
        return i18n.translate(key, lang, **values)

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)

    query = dict(request.query_params)
    query.pop("lang", None)

    def lang_url(code: str) -> str:
        from urllib.parse import urlencode

        return request.url.path + "?" + urlencode({**query, "lang": code})

    context: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "t": t,
        "num": lambda v, digits=1: i18n.format_number(v, lang, digits),
        "signed": lambda v, digits=1: i18n.format_signed(v, lang, digits),
        "pct": lambda v, digits=0: i18n.format_pct(v, lang, digits),
        # a signal's value in a reason, as `health explain` writes it (39, not 39,0)
        "signal_value": lambda v: _signal_value(v, lang),
        "money": lambda v, digits=0: i18n.format_money(v, lang, _currency(request), digits),
        "date": lambda v, style="medium": i18n.format_date(v, lang, style),
        "month": lambda v: i18n.format_month(v, lang),
        "user": user,
        "csrf_token": token,
        "csrf_field": csrf_field,
        "lang_url": lang_url,
        "flashes": [
            {"kind": f.get("kind", "info"), "text": t(f["key"], **f.get("values", {}))}
            for f in pop_flashes(request)
        ],
        "nav": _nav_items(request, user),
        "escape": escape,
        "vega_locale": lambda: i18n.vega_locale(lang),
        # stored values (priorities, statuses, bands...) through the one catalogue of terms;
        # ``Term`` capitalises the first letter for headings and chips
        "term": lambda kind, value: term(kind, value, lang),
        "Term": lambda kind, value: _first_upper(term(kind, value, lang)),
        "terms": lambda kind: known_terms(kind, lang),
        # ``tn("web.x", count, n=...)``: ``web.x_one`` when count is 1 (if it exists), else web.x
        "tn": lambda key, count, **values: i18n.translate(
            _plural_key(key, count, lang), lang, **values
        ),
        "country": lambda code: country_name(code, lang),
    }
    context.update(extra)
    return context


def render(request: Request, name: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    """Render template ``name`` with the common context; remembers a ``?lang=`` choice."""
    response = templates.TemplateResponse(
        request, name, page_context(request, **extra), status_code=status_code
    )
    chosen = request.query_params.get("lang")
    if chosen in ("es", "en"):
        response.set_cookie(i18n.LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax")
    return response
