"""One exception tree. Every message says what was wrong, where, and what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


class CxpulseError(Exception):
    """Base class of every error cxpulse raises on purpose.

    An error may carry a catalogue ``key`` (and its ``values``) so that every caller can show
    it in the user's language with :meth:`message_in`; ``str(error)`` stays the English text.

    >>> err = CxpulseError(key="collect.error.score", values={"low": 0, "high": 10})
    >>> str(err)
    'Choose a score from 0 to 10.'
    >>> err.message_in("es")
    'Elija una puntuación de 0 a 10.'
    """

    def __init__(
        self,
        message: str = "",
        *args: object,
        key: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        self.key = key
        self.values = dict(values or {})
        if not message and key is not None:
            from cxpulse.locale import gettext

            message = gettext(key, "en", **self.values)
        super().__init__(message, *args)

    def message_in(self, lang: str) -> str:
        """The message in ``lang`` when the error has a catalogue key, else its own text."""
        if self.key is not None:
            from cxpulse.locale import catalog, gettext

            if self.key in catalog(lang):
                return gettext(self.key, lang, **self.values)
        return str(self)


class ConfigError(CxpulseError):
    """The project configuration (cxpulse.toml or CXPULSE_* variables) is wrong."""


class UnknownTableError(CxpulseError):
    """A name that is not one of the canonical tables."""


class UnknownMetricError(CxpulseError):
    """A metric name that is not defined."""


class WorkspaceError(CxpulseError):
    """The analytics workspace cannot be opened or queried."""


class NotEnoughDataError(CxpulseError):
    """A computation needs more data than there is (e.g. fitting a model on one class)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where and why.

    ``reason`` is English; :meth:`text_in` gives the whole line in another language, reading
    the reason against the ``problem.*`` templates of the catalogue.

    >>> Problem(3, "score", "must be at most 10", "11").text_in("es")
    "fila 3, columna 'score': debe ser como máximo 10 (valor: '11')"
    """

    row: int | None  # 1-based data row (header excluded); None for file-level problems
    column: str | None
    reason: str
    value: str | None = None
    file: str | None = None  # for sources made of several files

    def __str__(self) -> str:
        return self.text_in("en")

    def text_in(self, lang: str) -> str:
        """The problem in ``lang``: location, reason and the offending value."""
        from cxpulse.locale import gettext

        where = [] if self.file is None else [gettext("problem.where.file", lang, file=self.file)]
        if self.row is not None:
            where.append(gettext("problem.where.row", lang, row=self.row))
        if self.column is not None:
            where.append(gettext("problem.where.column", lang, column=self.column))
        loc = ", ".join(where) if where else gettext("problem.where.whole_file", lang)
        value = "" if self.value is None else gettext("problem.value", lang, value=self.value)
        return f"{loc}: {reason_in(self.reason, lang)}{value}"


@cache
def _reason_patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each English ``problem.reason.*`` template as a regular expression with named groups."""
    from cxpulse.locale import catalog

    patterns = []
    for key, text in catalog("en").items():
        if not key.startswith("problem.reason."):
            continue
        regex, pos = "", 0
        for m in re.finditer(r"\{(\w+)\}", text):
            regex += re.escape(text[pos : m.start()]) + f"(?P<{m.group(1)}>.+?)"
            pos = m.end()
        regex += re.escape(text[pos:])
        patterns.append((re.compile(f"^{regex}$", re.DOTALL), key))
    # Longer templates first, so that a specific one wins over a general one.
    patterns.sort(key=lambda item: -len(item[0].pattern))
    return patterns


def reason_in(reason: str, lang: str) -> str:
    """A problem's English reason in ``lang`` (unchanged when no template matches).

    >>> reason_in("not a date (use YYYY-MM-DD)", "es")
    'no es una fecha (usa AAAA-MM-DD)'
    """
    if lang == "en":
        return reason
    from cxpulse.locale import gettext

    for pattern, key in _reason_patterns():
        match = pattern.match(reason)
        if match:
            values = match.groupdict()
            if "where" in values:  # "row 2" or "row 2 of file.csv", the first of a duplicate
                at = re.fullmatch(r"row (\d+)(?: of (.+))?", values["where"])
                if at:
                    values["where"] = gettext("problem.where.row", lang, row=at.group(1)) + (
                        f" ({gettext('problem.where.file', lang, file=at.group(2))})"
                        if at.group(2)
                        else ""
                    )
            return gettext(key, lang, **values)
    return reason


class ValidationError(CxpulseError):
    """A file or frame does not match its canonical table. Nothing was written."""

    def __init__(
        self, source: str, table: str, problems: list[Problem], total: int | None = None
    ) -> None:
        self.source = source
        self.table = table
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(self._message())

    def message_in(self, lang: str) -> str:
        return self._message(lang=lang)

    def _message(self, limit: int = 10, lang: str = "en") -> str:
        from cxpulse.locale import gettext

        key = "problem.rejected.one" if self.total == 1 else "problem.rejected.many"
        lines = [gettext(key, lang, source=self.source, table=self.table, total=self.total)]
        for p in self.problems[:limit]:
            lines.append(f"  - {p.text_in(lang)}")
        rest = self.total - min(limit, len(self.problems))
        if rest > 0:
            lines.append(gettext("problem.more", lang, n=rest))
        lines.append(gettext("problem.fix", lang))
        return "\n".join(lines)
