"""Typer's own words (usage line, panel titles, usage errors) in the CLI's language.

Typer (0.29) ships its own copy of Click whose messages are plain English f-strings, so
there is no gettext domain to install. Three supported hooks cover them instead:

- the panel titles and markers are module constants of ``typer.rich_utils``;
- the usage line comes from the context's help formatter (``Context.formatter_class``), and
  ``[OPTIONS]`` / ``COMMAND [ARGS]...`` are attributes of each command;
- the type column of the help (``<str>``, ``<int range>``, ``<list[str]>``) comes from each
  parameter's ``display_type_rich``: it is wrapped so the type is named in the user's
  language (``<texto>``, ``<entero>``, ``<texto…>`` for a repeatable option) and a yes/no
  flag, which takes no value, shows none;
- usage errors reach the caller when the command runs with ``standalone_mode=False``; their
  text is matched against the English templates of the ``cli.toolkit.*`` keys (the exact
  wording Typer writes, ``{name}`` standing for the variable parts) and written again with
  the same key's text in the user's language. Values checked by pydantic (an integer, a
  date, a choice) are explained from the pydantic error itself.

>>> type_label("<list[str]>", "es"), type_label("<int range>", "en")
('<texto…>', '<integer>')
>>> localize_message("Missing argument 'case_id'.", "es")
"Falta el argumento 'case_id'."
>>> localize_message("Invalid value for '--top': Something new.", "es")
"Valor no válido para '--top': Something new."
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import Any

import typer
import typer.core
import typer.rich_utils
from typer._click import HelpFormatter

from cxpulse.locale import catalog, gettext

TEMPLATE_PREFIX = "cli.toolkit."

# Typer's module constants and the catalogue key of each.
TYPER_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "cli.help.arguments",
    "OPTIONS_PANEL_TITLE": "cli.help.options",
    "COMMANDS_PANEL_TITLE": "cli.help.commands",
    "ERRORS_PANEL_TITLE": "cli.help.error",
    "DEFAULT_STRING": "cli.help.default",
    "ENVVAR_STRING": "cli.help.envvar",
    "REQUIRED_LONG_STRING": "cli.help.required",
    "DEPRECATED_STRING": "cli.help.deprecated",
    "ABORTED_TEXT": "cli.help.aborted",
    "RICH_HELP": "cli.help.try_help",
}

_language = {"lang": "es"}


def install_toolkit_language(lang: str) -> None:
    """Typer's panel titles, markers and usage prefix in ``lang`` from now on."""
    _language["lang"] = lang
    for name, key in TYPER_CONSTANTS.items():
        setattr(typer.rich_utils, name, gettext(key, lang))
    # Typer colours the usage prefix by matching its text; teach it the translation.
    pattern = rf"(?P<usage>{re.escape(gettext('cli.help.usage', lang))} )"
    highlights = typer.rich_utils.OptionHighlighter.highlights
    if pattern not in highlights:
        highlights.append(pattern)


def type_label(label: str | None, lang: str) -> str | None:
    """Typer's ``<type>`` label of a parameter in ``lang``; choices (``a|b``) stay as written."""
    if not label:
        return label
    match = re.fullmatch(r"<(?:list\[(?P<item>[^\]]+)\]|(?P<one>[^>]+))>(?P<more>\.\.\.)?", label)
    if match is None:
        return label
    name = (match["item"] or match["one"]).removesuffix(" range").lower()
    key = f"cli.help.type.{name}"
    if key not in catalog("en"):
        return label
    many = "…" if match["item"] or match["more"] else ""
    return f"<{gettext(key, lang)}{many}>"


def _localized_type(original: Any) -> Any:
    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None  # a flag takes no value
        return type_label(original(self, ctx), _language["lang"])

    display_type_rich.__wrapped__ = original  # type: ignore[attr-defined]
    return display_type_rich


for _cls in (typer.core.TyperOption, typer.core.TyperArgument):
    if not hasattr(_cls.display_type_rich, "__wrapped__"):
        _cls.display_type_rich = _localized_type(_cls.display_type_rich)  # type: ignore[method-assign]


class LocalizedFormatter(HelpFormatter):
    """Writes the usage line with the prefix of the CLI's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = gettext("cli.help.usage", _language["lang"]) + " "
        super().write_usage(prog, args, prefix)


class LocalizedContext(typer.Context):
    formatter_class = LocalizedFormatter


def localize_command(command: Any, lang: str) -> None:
    """The usage line of ``command`` and its subcommands in ``lang``."""
    command.context_class = LocalizedContext
    command.options_metavar = gettext("cli.help.options_metavar", lang)
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = gettext("cli.help.subcommand_metavar", lang)
    for sub in getattr(command, "commands", {}).values():
        localize_command(sub, lang)


@cache
def _templates(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """(English template as a pattern, the same message in ``lang``), longest first so that
    the most specific template wins."""
    english = catalog("en")
    found = []
    for key in sorted(english, key=lambda k: -len(english[k])):
        if not key.startswith(TEMPLATE_PREFIX):
            continue
        pattern = "".join(
            re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)"
            for i, piece in enumerate(re.split(r"\{(\w+)\}", english[key]))
        )
        found.append((re.compile(pattern + r"\Z", re.DOTALL), gettext(key, lang)))
    return found


def localize_message(text: str, lang: str) -> str:
    """A message Typer wrote in English, in ``lang``; unchanged when no template matches.

    Captured parts named ``message`` are messages themselves and are translated in turn."""
    if lang == "en":
        return text
    for pattern, translated in _templates(lang):
        match = pattern.match(text)
        if match is None:
            continue
        values = match.groupdict()
        if "message" in values:
            values["message"] = localize_message(values["message"], lang)
        return translated.format(**values)
    return text


def localize_error(exc: Any, lang: str) -> Any:
    """The Click exception ``exc`` with its message in ``lang`` (a new exception carrying
    the same context and exit code)."""
    from typer._click.exceptions import BadParameter, ClickException, UsageError

    if exc.__class__.__name__ == "NoArgsIsHelpError":
        return exc
    cause = exc.__cause__
    if isinstance(exc, BadParameter) and hasattr(cause, "errors"):
        from cxpulse.locale.validation import explain_validation_error

        errors = cause.errors()
        if errors:
            exc.message = explain_validation_error(errors[0], lang)
    text = localize_message(exc.format_message(), lang)
    shown = UsageError(text, exc.ctx) if isinstance(exc, UsageError) else ClickException(text)
    shown.exit_code = exc.exit_code
    return shown


def run(command: Any, lang: str, prog_name: str) -> None:
    """Run ``command`` as Typer would, with its usage errors shown in ``lang``."""
    from typer._click import ClickException

    try:
        result = command.main(prog_name=prog_name, standalone_mode=False)
    except ClickException as exc:
        typer.rich_utils.rich_format_error(localize_error(exc, lang))
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.rich_utils.rich_abort_error()
        sys.exit(1)
    # Without standalone mode Typer returns an explicit exit's code (commands return None).
    sys.exit(result if isinstance(result, int) else 0)
