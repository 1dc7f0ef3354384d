"""One exception tree. Every message says what was wrong, where, and what to do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class CxpulseError(Exception):
    """Base class of every error cxpulse raises on purpose.

    An error may carry a catalogue ``key`` (and its ``values``) so that every caller can show
    it in the user's language with :meth:`message_in`; ``str(error)`` stays the English text.

    >>> err = CxpulseError(key="collect.error.score", values={"low": 0, "high": 10})
    >>> str(err)
    'Choose a score from 0 to 10.'
    >>> err.message_in("es")
    'Elija una puntuación de 0 a 10.'

    ``terms`` names stored values shown through the catalogue of terms, so that a status or
    a priority reads in the same language as the sentence around it:

    >>> err = CxpulseError(key="loop.error.followup_not_resolved", values={"id": 3},
    ...                    terms={"status": ("status", "open")})
    >>> err.message_in("es")
    'el caso 3 está «abierto»; envía la encuesta de seguimiento después de resolverlo'

    ``numbers`` are counts and figures written in each language's notation (whole numbers
    without decimals):

    >>> err = CxpulseError(key="metrics.error.drivers_not_numeric",
    ...                    values={"column": "Class", "example": "Eco"}, numbers={"more": 25975})
    >>> "(and 25,975 more)" in str(err), "(y 25.975 más)" in err.message_in("es")
    (True, True)
    """

    def __init__(
        self,
        message: str = "",
        *args: object,
        key: str | None = None,
        values: dict[str, object] | None = None,
        terms: dict[str, tuple[str, object]] | None = None,
        numbers: dict[str, float | int] | None = None,
    ) -> None:
        self.key = key
        self.values = dict(values or {})
        self.terms = dict(terms or {})
        self.numbers = dict(numbers or {})
        if not message and key is not None:
            from cxpulse.locale import gettext

            message = gettext(key, "en", **self._values_in("en"))
        super().__init__(message, *args)

    def _values_in(self, lang: str) -> dict[str, object]:
        if not self.terms and not self.numbers:
            return self.values
        from cxpulse.locale import format_number, term

        return {
            **self.values,
            **{k: term(kind, v, lang) for k, (kind, v) in self.terms.items()},
            **{
                k: format_number(v, lang, 0 if isinstance(v, int) else 1)
                for k, v in self.numbers.items()
            },
        }

    def message_in(self, lang: str) -> str:
        """The message in ``lang`` when the error has a catalogue key, else its own text."""
        if self.key is not None:
            from cxpulse.locale import catalog, gettext

            if self.key in catalog(lang):
                return gettext(self.key, lang, **self._values_in(lang))
        return str(self)


class InvalidValueError(CxpulseError, ValueError):
    """A value a pydantic model refuses, with a catalogue message: raised inside a validator,
    pydantic reports it as a ``value_error`` and the API shows it in the asker's language.

    A model-level validator may name the ``setting`` of the model the problem is about, so
    that a report of cxpulse.toml points at that key (``metrics.custom.0.table``) and shows
    its value, not the whole table.
    """

    def __init__(
        self,
        message: str = "",
        *args: object,
        setting: str | None = None,
        key: str | None = None,
        values: Mapping[str, object] | None = None,
        terms: dict[str, tuple[str, object]] | None = None,
        numbers: dict[str, float | int] | None = None,
    ) -> None:
        self.setting = setting
        super().__init__(
            message, *args, key=key, values=dict(values or {}), terms=terms, numbers=numbers
        )


def toml_text(value: object, limit: int = 80) -> str:
    """A value as it is written in a TOML file (``"text"``, ``true``, ``[1, 2]``), shortened."""
    import json

    def shown(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list | tuple):
            return "[" + ", ".join(shown(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {shown(x)}" for k, x in v.items()) + "}"
        isoformat = getattr(v, "isoformat", None)
        return str(isoformat()) if callable(isoformat) else str(v)

    text = shown(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class ConfigProblem:
    """One wrong setting of cxpulse.toml: where it is (its key path), what is wrong and the
    value written there. The reason is a catalogue message (``key``, filled with ``values``)
    or a pydantic error (``error``, explained by :mod:`cxpulse.locale.validation`), so it
    reads in the user's language; :meth:`text_in` puts the three together.

    >>> p = ConfigProblem.of("locale.timezone", "config.error.timezone", value="Mars",
    ...                      zone="Mars")
    >>> print(p.text_in("en")[:53])
    locale.timezone = "Mars": unknown time zone 'Mars'; u
    >>> print(p.text_in("es")[:57])
    locale.timezone = "Mars": zona horaria desconocida 'Mars'
    """

    where: str  # dotted key path ("surveys.sync_interval_s"); "" for the whole file
    key: str | None = None
    values: tuple[tuple[str, object], ...] = ()
    shown: str | None = None  # the value as written in the file; None when not shown
    error: Any = field(default=None, compare=False)  # one item of pydantic's errors()
    # a catalogue message of its own for the {detail} of the reason (key, values)
    detail: tuple[str, tuple[tuple[str, object], ...]] | None = None

    @classmethod
    def of(cls, where: str, key: str, *, value: object = None, **values: object) -> ConfigProblem:
        """A problem with a catalogue message; ``value`` (when given) is shown after the key."""
        shown = None if value is None else toml_text(value)
        return cls(where, key, tuple(sorted(values.items())), shown)

    def reason_in(self, lang: str) -> str:
        if self.error is not None:
            from cxpulse.locale.validation import explain_validation_error

            return explain_validation_error(self.error, lang)
        from cxpulse.locale import gettext

        values = dict(self.values)
        if self.detail is not None:
            values["detail"] = gettext(self.detail[0], lang, **dict(self.detail[1]))
        return gettext(self.key or "validation.value_error", lang, **values)

    def text_in(self, lang: str) -> str:
        from cxpulse.locale import gettext

        reason = self.reason_in(lang)
        if not self.where:
            return reason
        if self.shown is None:
            return gettext("config.problem", lang, where=self.where, reason=reason)
        return gettext(
            "config.problem.value", lang, where=self.where, value=self.shown, reason=reason
        )

    def __str__(self) -> str:
        return self.text_in("en")


class ConfigError(CxpulseError):
    """The project configuration (cxpulse.toml or CXPULSE_* variables) is wrong.

    With ``problems`` (each a :class:`ConfigProblem`) the message lists them under its
    ``{problems}`` placeholder, each in the language the error is shown in.
    """

    def __init__(
        self,
        message: str = "",
        *args: object,
        key: str | None = None,
        values: dict[str, object] | None = None,
        terms: dict[str, tuple[str, object]] | None = None,
        problems: Sequence[ConfigProblem] = (),
        numbers: dict[str, float | int] | None = None,
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(message, *args, key=key, values=values, terms=terms, numbers=numbers)

    def _values_in(self, lang: str) -> dict[str, object]:
        values = super()._values_in(lang)
        if not self.problems:
            return values
        listed = "\n  - ".join(p.text_in(lang) for p in self.problems)
        return {**values, "problems": listed}


class UnknownTableError(CxpulseError):
    """A name that is not one of the canonical tables."""


class UnknownMetricError(CxpulseError):
    """A metric name that is not defined."""


class WorkspaceError(CxpulseError):
    """The analytics workspace cannot be opened or queried."""


class WorkspaceBusyError(WorkspaceError):
    """Another process holds the embedded workspace file longer than this one may wait."""


class NotEnoughDataError(CxpulseError):
    """A computation needs more data than there is (e.g. fitting a model on one class)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where and why.

    ``key`` names the catalogue message of the reason (``values`` fill it), so that the
    problem can be shown in the user's language; ``reason`` is the English text.

    >>> str(Problem.of("data.problem.empty_file"))
    'file: the file is empty (no header, no rows)'
    """

    row: int | None  # spreadsheet row (the header is row 1); None for file-level problems
    column: str | None
    reason: str
    value: str | None = None
    file: str | None = None  # for sources made of several files
    key: str | None = None
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(
        cls,
        key: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        file: str | None = None,
        **values: object,
    ) -> Problem:
        from cxpulse.locale import gettext

        shown = None if value is None else str(value)
        fill = {"column": column, "value": shown, **values}
        return cls(
            row,
            column,
            gettext(key, "en", **fill),
            shown,
            file,
            key,
            tuple(sorted(values.items())),
        )

    def reason_in(self, lang: str) -> str:
        if self.key is None:
            return self.reason
        from cxpulse.locale import gettext

        return gettext(self.key, lang, column=self.column, value=self.value, **dict(self.values))

    def where_in(self, lang: str) -> str:
        from cxpulse.locale import gettext

        where = [] if self.file is None else [gettext("data.where.file", lang, file=self.file)]
        if self.row is not None:
            where.append(gettext("data.where.row", lang, row=self.row))
        if self.column is not None:
            where.append(gettext("data.where.column", lang, column=self.column))
        return ", ".join(where) if where else gettext("data.where.whole_file", lang)

    def text_in(self, lang: str) -> str:
        from cxpulse.locale import gettext

        shown = "" if self.value is None else gettext("data.where.value", lang, value=self.value)
        return f"{self.where_in(lang)}: {self.reason_in(lang)}{shown}"

    def __str__(self) -> str:
        return self.text_in("en")


@dataclass(frozen=True)
class ProblemKind:
    """Every problem of one kind (same column, same reason): how many, and the first ones."""

    column: str | None
    reason: str
    count: int
    examples: tuple[Problem, ...]


def group_problems(problems: list[Problem], examples: int = 3) -> list[ProblemKind]:
    """Problems grouped by (column, reason), in order of first appearance."""
    groups: dict[tuple[str | None, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.column, p.key or p.reason), []).append(p)
    return [
        ProblemKind(col, items[0].reason, len(items), tuple(items[:examples]))
        for (col, _), items in groups.items()
    ]


class ValidationError(CxpulseError):
    """A file or frame does not match its canonical table. Nothing was written.

    ``kinds`` summarises every problem by kind (a count each and the first examples);
    ``problems`` holds the examples; ``total`` counts them all.
    """

    def __init__(
        self,
        source: str,
        table: str,
        problems: list[Problem],
        total: int | None = None,
        kinds: list[ProblemKind] | None = None,
    ) -> None:
        self.source = source
        self.table = table
        self.problems = problems
        self.total = total if total is not None else len(problems)
        self.kinds = kinds if kinds is not None else group_problems(problems)
        super().__init__(self.message_in("en"))

    def message_in(self, lang: str, limit: int = 10) -> str:
        from cxpulse.locale import gettext

        lines = [
            gettext(
                "data.rejected",
                lang,
                source=self.source,
                table=self.table,
                total=f"{self.total:,}",
                kinds=len(self.kinds),
            )
        ]
        for kind in self.kinds[:limit]:
            first = kind.examples[0] if kind.examples else None
            reason = first.reason_in(lang) if first else kind.reason
            where = (
                gettext("data.where.column", lang, column=kind.column)
                if kind.column
                else gettext("data.where.whole_file", lang)
            )
            shown = []
            for p in kind.examples:
                bits = [] if p.file is None else [p.file]
                if p.row is not None:
                    bits.append(gettext("data.where.row", lang, row=p.row))
                text = " ".join(bits)
                if p.value is not None:
                    text += gettext("data.where.value", lang, value=p.value)
                if text:
                    shown.append(text.strip())
            line = gettext(
                "data.rejected.kind" if kind.count != 1 else "data.rejected.kind_one",
                lang,
                where=where,
                reason=reason,
                count=f"{kind.count:,}",
            )
            if shown:
                line += gettext("data.rejected.examples", lang, examples="; ".join(shown))
            lines.append("  - " + line)
        if len(self.kinds) > limit:
            lines.append(
                "  " + gettext("data.rejected.more_kinds", lang, n=len(self.kinds) - limit)
            )
        lines.append(gettext("data.rejected.fix", lang))
        return "\n".join(lines)
