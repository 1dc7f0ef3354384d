"""One exception tree. Every message says what was wrong, where, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


class CxpulseError(Exception):
    """Base class of every error cxpulse raises on purpose.

    An error may carry a catalogue ``key`` (and its ``values``) so that every caller can show
    it in the user's language with :meth:`message_in`; ``str(error)`` stays the English text.

    >>> err = CxpulseError(key="errors.example", values={"name": "x"})
    >>> err.key
    'errors.example'
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


class WorkspaceBusyError(WorkspaceError):
    """Another process holds the embedded workspace file longer than this one may wait."""


class NotEnoughDataError(CxpulseError):
    """A computation needs more data than there is (e.g. fitting a model on one class)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where and why."""

    row: int | None  # 1-based data row (header excluded); None for file-level problems
    column: str | None
    reason: str
    value: str | None = None
    file: str | None = None  # for sources made of several files

    def __str__(self) -> str:
        where = [] if self.file is None else [f"file {self.file}"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        loc = ", ".join(where) if where else "file"
        shown = "" if self.value is None else f" (value: {self.value!r})"
        return f"{loc}: {self.reason}{shown}"


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

    def _message(self, limit: int = 10) -> str:
        lines = [
            f"{self.source}: rejected, nothing was loaded into '{self.table}' "
            f"({self.total} problem{'s' if self.total != 1 else ''} found)."
        ]
        for p in self.problems[:limit]:
            lines.append(f"  - {p}")
        rest = self.total - min(limit, len(self.problems))
        if rest > 0:
            lines.append(f"  ... and {rest} more.")
        lines.append(
            "Fix the file (or map its columns in cxpulse.toml under [tables.<name>.columns]) "
            "and load it again."
        )
        return "\n".join(lines)
