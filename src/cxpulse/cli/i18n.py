"""The language of the command line, and its messages.

The CLI speaks the project's language (``[locale] language`` in cxpulse.toml), unless
``CXPULSE_LANG`` says otherwise; without a project it follows ``LANG`` and defaults to
Spanish. It is decided once, from the command line and the environment, before any help is
printed, and reads only cxpulse.toml (no heavy imports).

>>> tr("app.name")
'cxpulse'
"""

from __future__ import annotations

import os
import sys
import tomllib
from functools import cache
from pathlib import Path

from cxpulse.locale import DEFAULT_LANGUAGE, LANGUAGES, gettext


def _project_from_argv(argv: list[str]) -> Path:
    for i, arg in enumerate(argv):
        if arg in ("-p", "--project") and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--project="):
            return Path(arg.split("=", 1)[1])
    return Path(os.environ.get("CXPULSE_PROJECT", "."))


@cache
def cli_language() -> str:
    """``es`` or ``en``: CXPULSE_LANG, else the project's ``language``, else LANG, else es."""
    forced = os.environ.get("CXPULSE_LANG", "").strip().lower()[:2]
    if forced in LANGUAGES:
        return forced
    toml = _project_from_argv(sys.argv[1:]) / "cxpulse.toml"
    try:
        lang = str(tomllib.loads(toml.read_text("utf-8")).get("locale", {}).get("language", ""))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        lang = ""
    if lang in LANGUAGES:
        return lang
    env = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return env[:2].lower() if env[:2].lower() in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **values: object) -> str:
    """The catalogue message ``key`` in the CLI's language."""
    return gettext(key, cli_language(), **values)
