"""How a wrong cxpulse.toml is reported: each problem with its key path, the value written
there and a catalogue reason, so that the report reads in the user's language.

:func:`config_problems` turns pydantic's errors of a section into
:class:`~cxpulse.errors.ConfigProblem` items (a misspelt key names the closest known one);
:func:`toml_problem` does the same for a TOML syntax error; :func:`config_error` puts them in
the one :class:`~cxpulse.errors.ConfigError` of a file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from cxpulse.errors import ConfigError, ConfigProblem, toml_text


def _step(annotation: Any, part: str | int) -> Any:
    """The type found one step down ``annotation`` at ``part`` (a key or a list index)."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        for arg in get_args(annotation):
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        info = annotation.model_fields.get(str(part))
        return None if info is None else info.annotation
    args = get_args(annotation)
    if origin in (list, tuple) and isinstance(part, int) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _keys_at(model: type[BaseModel], path: tuple[str | int, ...]) -> list[str]:
    """The keys a table of the file may hold at ``path`` (empty when it cannot be told)."""
    annotation: Any = model
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    models = [annotation] if isinstance(annotation, type) else list(get_args(annotation))
    return [
        name
        for m in models
        if isinstance(m, type) and issubclass(m, BaseModel)
        for name in m.model_fields
        if not m.model_fields[name].exclude
    ]


def _holds_tables(value: object) -> bool:
    """Whether a value is a table of tables or a list of tables (too long to show)."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(isinstance(v, dict | list) for v in items)


def config_problems(
    exc: ValidationError, model: type[BaseModel], prefix: tuple[str, ...] = ()
) -> list[ConfigProblem]:
    """Each error pydantic found in a section of cxpulse.toml (validated by ``model``) as a
    :class:`ConfigProblem`: its key path under ``prefix``, the reason and the value written.

    >>> from cxpulse.config import LocaleConfig
    >>> try:
    ...     LocaleConfig.model_validate({"timezone": "Mars", "langage": "es"})
    ... except ValidationError as exc:
    ...     found = config_problems(exc, LocaleConfig, ("locale",))
    >>> print("\\n".join(p.text_in("es")[:60] for p in found))
    locale.timezone = "Mars": zona horaria desconocida 'Mars'; u
    locale.langage: clave desconocida; ¿quisiste decir language?
    """
    import difflib

    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in (*prefix, *loc))
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            name = str(loc[-1]) if loc else ""
            like = difflib.get_close_matches(name, _keys_at(model, loc[:-1]), n=1, cutoff=0.6)
            if like:
                out.append(ConfigProblem.of(where, "config.error.unknown_key_like", like=like[0]))
            else:
                out.append(ConfigProblem.of(where, "config.error.unknown_key"))
            continue
        cause = (err.get("ctx") or {}).get("error")
        setting = getattr(cause, "setting", None)
        if setting and isinstance(value, dict):
            where = f"{where}.{setting}"
            value = value.get(setting)
        elif _keys_at(model, loc):
            value = None  # a whole table of the file: the key path says where
        if _holds_tables(value):
            value = None
        shown = None if value is None else toml_text(value)
        detail = {"type": err["type"], "ctx": err.get("ctx") or {}}
        out.append(ConfigProblem(where, shown=shown, error=detail))
    return out


def config_error(path: Path, problems: list[ConfigProblem]) -> ConfigError:
    """The one message format for a bad cxpulse.toml: the file, then each key path, its value
    and what is wrong, in the language the error is shown in (``str()`` is English)."""
    return ConfigError(key="sec.config.invalid", values={"path": str(path)}, problems=problems)


# tomllib's reasons (Python 3.11+), each with the catalogue message that says it in es/en
TOML_REASONS: tuple[tuple[str, str], ...] = (
    (r"Invalid statement", "config.toml.statement"),
    (r"Expected '=' after a key in a key/value pair", "config.toml.equals"),
    (r"Expected '\]' at the end of a table declaration", "config.toml.table_end"),
    (r"Expected '\]\]' at the end of an array declaration", "config.toml.array_end"),
    (r"Expected newline or end of document after a statement", "config.toml.statement_end"),
    (r"Expected (?P<what>.+)", "config.toml.expected"),
    (r"Found invalid character (?P<char>.+)", "config.toml.invalid_char"),
    (r"Illegal character '\\n'", "config.toml.newline"),
    (r"Illegal character (?P<char>.+)", "config.toml.illegal_char"),
    (r"Cannot declare (?P<name>.+) twice", "config.toml.twice"),
    (r"Cannot overwrite a value", "config.toml.overwrite"),
    (r"Cannot mutate immutable namespace (?P<name>.+)", "config.toml.immutable"),
    (r"Cannot redefine namespace (?P<name>.+)", "config.toml.redefine"),
    (r"Invalid initial character for a key part", "config.toml.key_start"),
    (r"Unclosed array", "config.toml.unclosed_array"),
    (r"Duplicate inline table key (?P<name>.+)", "config.toml.duplicate_key"),
    (r"Unclosed inline table", "config.toml.unclosed_table"),
    (r"Unescaped '\\' in a string", "config.toml.backslash"),
    (r"Invalid hex value", "config.toml.hex"),
    (r"Escaped character is not a Unicode scalar value", "config.toml.unicode"),
    (r"Unterminated string", "config.toml.unterminated"),
    (r"Invalid date or datetime", "config.toml.datetime"),
    (r"Invalid value", "config.toml.value"),
)


def _toml_names(groups: dict[str, str]) -> dict[str, str]:
    """tomllib names a table by its parts, ``('tables', 'accounts')``: written as TOML does."""
    import ast

    out = {}
    for name, text in groups.items():
        try:
            parts = ast.literal_eval(text) if text.startswith("(") else None
        except (ValueError, SyntaxError):
            parts = None
        out[name] = ".".join(map(str, parts)) if isinstance(parts, tuple) else text
    return out


def toml_problem(exc: tomllib.TOMLDecodeError) -> ConfigProblem:
    """A TOML syntax error with its line, column and reason in the user's language (a
    reason tomllib words otherwise is shown as it is)."""
    import re

    reason = str(exc)
    at = re.search(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$", reason)
    text = reason[: at.start()] if at else reason
    detail: tuple[str, tuple[tuple[str, object], ...]] = ("config.toml.other", (("text", text),))
    for pattern, key in TOML_REASONS:
        found = re.fullmatch(pattern, text)
        if found:
            detail = (key, tuple(sorted(_toml_names(found.groupdict()).items())))
            break
    if at is None:
        return ConfigProblem("", "config.error.toml", detail=detail)
    if at.group(1) is None:
        return ConfigProblem("", "config.error.toml_end", detail=detail)
    position = (("column", int(at.group(2))), ("line", int(at.group(1))))
    return ConfigProblem("", "config.error.toml_at", position, detail=detail)
