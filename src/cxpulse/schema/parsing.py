"""Text to typed values in DuckDB SQL: numbers with their separators, dates, time zones.

Decimal and thousands separators are decided per column from the values themselves when the
read options leave them open: ``1,5`` or ``1.234,56`` show a decimal comma, ``2.5`` or
``1,234.56`` a decimal point. A column whose only separated values are like ``2.500`` (two
thousand five hundred, or two and a half) is ambiguous and is refused, naming the setting.

>>> import duckdb
>>> con = duckdb.connect()
>>> con.execute("SELECT " + number_sql("'1.234,5'", ",", ".")).fetchone()[0]
1234.5
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from cxpulse.errors import Problem

SIGN = "[+-]?"
PATTERNS: dict[str, str] = {
    # two and a half, or two thousand five hundred?
    "ambiguous_dot": rf"{SIGN}[0-9]{{1,3}}\.[0-9]{{3}}",
    "ambiguous_comma": rf"{SIGN}[0-9]{{1,3}},[0-9]{{3}}",
    # a decimal point
    "point": rf"{SIGN}[0-9]*\.[0-9]+",
    "comma_thousands": rf"{SIGN}[0-9]{{1,3}}(,[0-9]{{3}}){{2,}}",
    "comma_then_point": rf"{SIGN}[0-9]{{1,3}}(,[0-9]{{3}})+\.[0-9]+",
    # a decimal comma
    "comma": rf"{SIGN}[0-9]*,[0-9]+",
    "dot_thousands": rf"{SIGN}[0-9]{{1,3}}(\.[0-9]{{3}}){{2,}}",
    "point_then_comma": rf"{SIGN}[0-9]{{1,3}}(\.[0-9]{{3}})+,[0-9]+",
}
POINT_EVIDENCE = ("point", "comma_thousands", "comma_then_point")
COMMA_EVIDENCE = ("comma", "dot_thousands", "point_then_comma")
INTEGER = rf"{SIGN}[0-9]+"
OFFSET = r".*[0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\s*(Z|z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)"


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class NumberFormat:
    decimal: str
    thousands: str
    detected: bool = False


def number_sql(text: str, decimal: str, thousands: str) -> str:
    """``text`` (SQL) as DOUBLE under the given separators; NULL when it does not fit them."""
    d = re.escape(decimal) if decimal != "." else "[.]"
    d = "[,]" if decimal == "," else d
    if thousands:
        t = {".": "[.]", ",": "[,]", " ": " ", "'": "'"}[thousands]
        whole = f"([0-9]{{1,3}}({t}[0-9]{{3}})+|[0-9]+)"
    else:
        whole = "[0-9]+"
    pattern = f"{SIGN}{whole}({d}[0-9]+)?([eE][+-]?[0-9]+)?"
    clean = text
    if thousands:
        clean = f"replace({clean}, {literal(thousands)}, '')"
    if decimal != ".":
        clean = f"replace({clean}, {literal(decimal)}, '.')"
    return (
        f"TRY_CAST(CASE WHEN regexp_full_match({text}, {literal(pattern)}) "
        f"THEN {clean} END AS DOUBLE)"
    )


def detect_number_formats(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: dict[str, str],
    decimal: str | None,
    thousands: str | None,
) -> tuple[dict[str, NumberFormat], list[Problem]]:
    """The separators of each numeric text column (``name -> raw SQL``), or the problems.

    With ``decimal`` set nothing is detected; otherwise each column is decided by its values.
    """
    if not columns:
        return {}, []
    if decimal is not None:
        fmt = NumberFormat(decimal, thousands if thousands is not None else other(decimal))
        return dict.fromkeys(columns, fmt), []
    parts = []
    # Only values holding a separator tell anything: the rest are skipped cheaply.
    separated = " OR ".join(
        f"contains({raw}, '.') OR contains({raw}, ',')" for raw in columns.values()
    )
    for i, raw in enumerate(columns.values()):
        for kind, pattern in PATTERNS.items():
            cond = f"regexp_full_match({raw}, {literal(pattern)})"
            parts.append(f"count_if({cond}) AS c{i}_{kind}")
            parts.append(
                f"arg_min(struct_pack(r := __row, v := {raw}, f := __file), __row) "
                f"FILTER (WHERE {cond}) AS e{i}_{kind}"
            )
    row = con.execute(
        f"SELECT {', '.join(parts)} FROM (SELECT * FROM {relation} WHERE {separated})"
    ).fetchone()
    assert row is not None
    names = [d[0] for d in con.description or []]
    got = dict(zip(names, row, strict=True))
    formats: dict[str, NumberFormat] = {}
    problems: list[Problem] = []
    ambiguous: dict[str, tuple[dict[str, int], dict[str, Any]]] = {}
    for i, name in enumerate(columns):
        count = {k: int(got[f"c{i}_{k}"] or 0) for k in PATTERNS}
        # "2.500" also matches the decimal-point pattern: it is no evidence of either.
        count["point"] -= count["ambiguous_dot"]
        count["comma"] -= count["ambiguous_comma"]
        example = {k: got[f"e{i}_{k}"] for k in PATTERNS}
        point = sum(count[k] for k in POINT_EVIDENCE)
        comma = sum(count[k] for k in COMMA_EVIDENCE)
        if point and comma:
            a = next(example[k] for k in POINT_EVIDENCE if count[k])
            b = next(example[k] for k in COMMA_EVIDENCE if count[k])
            problems.append(
                Problem.of(
                    "data.problem.mixed_decimals",
                    row=b["r"],
                    column=name,
                    value=b["v"],
                    file=b["f"],
                    other=a["v"],
                    other_row=a["r"],
                )
            )
        elif comma:
            formats[name] = NumberFormat(",", thousands if thousands is not None else ".", True)
        elif point:
            formats[name] = NumberFormat(".", thousands if thousands is not None else ",", True)
        elif count["ambiguous_dot"] or count["ambiguous_comma"]:
            ambiguous[name] = (count, example)
        else:
            formats[name] = NumberFormat(".", thousands or "", False)
    # A file comes from one locale: a column like "1.200" follows the separators that the
    # file's other columns show unambiguously (when they all agree).
    shown = {f.decimal for f in formats.values() if f.detected}
    for name, (count, example) in ambiguous.items():
        if len(shown) == 1:
            decimal_ = next(iter(shown))
            formats[name] = NumberFormat(
                decimal_, thousands if thousands is not None else other(decimal_), True
            )
        else:
            kind = "ambiguous_dot" if count["ambiguous_dot"] else "ambiguous_comma"
            ex = example[kind]
            total = count["ambiguous_dot"] + count["ambiguous_comma"]
            problems.append(
                Problem.of(
                    "data.problem.ambiguous_number",
                    row=ex["r"],
                    column=name,
                    value=ex["v"],
                    file=ex["f"],
                    count=total,
                )
            )
    return formats, problems


def other(decimal: str) -> str:
    return "." if decimal == "," else ","


def date_sql(raw: str, formats: list[str] | None) -> str:
    """``raw`` as DATE: ISO, or one of ``formats`` (strftime), tried in order."""
    iso = f"TRY_CAST({raw} AS DATE)"
    if not formats:
        return iso
    listed = "[" + ", ".join(literal(f) for f in formats if "%z" not in f) + "]"
    return f"COALESCE(CAST(try_strptime({raw}, {listed}) AS DATE), {iso})"


def timestamp_sql(raw: str, formats: list[str] | None, timezone: str | None) -> str:
    """``raw`` as a naive UTC TIMESTAMP.

    An offset in the value (``+02:00``, ``Z``) is honoured, as the answers API does; a value
    without one is read in ``timezone`` (UTC when not set).
    """
    naive_formats = [f for f in formats or [] if "%z" not in f]
    offset_formats = [f for f in formats or [] if "%z" in f]
    naive = f"TRY_CAST({raw} AS TIMESTAMP)"
    if naive_formats:
        listed = "[" + ", ".join(literal(f) for f in naive_formats) + "]"
        naive = f"COALESCE(try_strptime({raw}, {listed}), {naive})"
    if timezone and timezone.upper() != "UTC":
        naive = f"timezone('UTC', timezone({literal(timezone)}, {naive}))"
    aware = f"timezone('UTC', TRY_CAST({raw} AS TIMESTAMPTZ))"
    if offset_formats:
        listed = "[" + ", ".join(literal(f) for f in offset_formats) + "]"
        aware = f"COALESCE(timezone('UTC', try_strptime({raw}, {listed})), {aware})"
    # A cheap look at the last characters first: only those that may end in an offset pay
    # for the full pattern.
    tail = f"right({raw}, 6)"
    maybe = (
        f"length({raw}) > 10 AND (contains({tail}, '+') OR contains({tail}, '-') OR "
        f"upper(right({raw}, 1)) = 'Z' OR upper(right({raw}, 3)) = 'UTC')"
    )
    return (
        f"CASE WHEN {maybe} AND regexp_full_match({raw}, {literal(OFFSET)}) "
        f"THEN {aware} ELSE {naive} END"
    )
