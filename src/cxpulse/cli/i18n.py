"""The language of the command line, and its messages and numbers.

The CLI speaks ``CXPULSE_LANG`` when it is set, else the project's ``[locale] language`` in
cxpulse.toml, else the language of ``LANG``, else Spanish. Help texts are decided once, from
the command line and the environment, before any help is printed; a command's output asks
again with its ``--project`` (and its ``--lang``, when it has one). Only cxpulse.toml is read:
no heavy imports.

>>> tr("app.name")
'cxpulse'
"""

from __future__ import annotations

import os
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

from cxpulse.locale import DEFAULT_LANGUAGE, LANGUAGES, format_number, gettext, term


def _project_from_argv(argv: list[str]) -> Path:
    for i, arg in enumerate(argv):
        if arg in ("-p", "--project", "--dir") and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith(("--project=", "--dir=")):
            return Path(arg.split("=", 1)[1])
    return Path(os.environ.get("CXPULSE_PROJECT", "."))


@lru_cache(maxsize=32)
def _project_language(toml: Path, mtime: float) -> str:
    try:
        data = tomllib.loads(toml.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    return str(data.get("locale", {}).get("language", "")).strip().lower()


def cli_language(project: Path | str | None = None, override: str | None = None) -> str:
    """``es`` or ``en``: ``override`` (a ``--lang`` option), CXPULSE_LANG, the project's
    ``language``, LANG, else es. ``project`` defaults to the one named on the command line."""
    for given in (override, os.environ.get("CXPULSE_LANG")):
        code = (given or "").strip().lower()[:2]
        if code in LANGUAGES:
            return code
    folder = Path(project) if project is not None else _project_from_argv(sys.argv[1:])
    toml = folder / "cxpulse.toml"
    try:
        mtime = toml.stat().st_mtime
    except OSError:
        mtime = -1.0
    if mtime >= 0:
        lang = _project_language(toml.resolve(), mtime)
        if lang in LANGUAGES:
            return lang
    env = (os.environ.get("LC_ALL") or os.environ.get("LANG") or "")[:2].lower()
    return env if env in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **values: object) -> str:
    """The catalogue message ``key`` in the CLI's language (help texts, output without a
    project)."""
    return gettext(key, cli_language(), **values)


class Speaker:
    """The messages, terms and numbers of one command's output, in one language.

    >>> say = Speaker("es")
    >>> say.num(1234.5), say.term("priority", "high")
    ('1.234,5', 'alta')
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        return gettext(key, self.lang, **values)

    def term(self, kind: str, value: object) -> str:
        return term(kind, value, self.lang)

    def num(self, value: float | int | None, digits: int = 1) -> str:
        return format_number(value, self.lang, digits)

    def count(self, value: int | None) -> str:
        return format_number(value, self.lang, 0)


def speaker(project: Path | str | None = None, lang: str | None = None) -> Speaker:
    """The output language of a command run on ``project`` (with its ``--lang``, if any)."""
    return Speaker(cli_language(project, lang))
