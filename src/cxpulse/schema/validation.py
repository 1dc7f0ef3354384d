"""Validate a staged source against a canonical table, in DuckDB, in one scan.

The checks (type, required, allowed values, ranges, conditional ranges such as the score
scale of each survey kind, duplicate keys) are SQL over the staged relation; only the count of
each kind of problem and its first examples come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cxpulse.errors import Problem, ProblemKind
from cxpulse.schema.options import ReadOptions
from cxpulse.schema.parsing import (
    INTEGER,
    NumberFormat,
    date_sql,
    literal,
    number_sql,
    timestamp_sql,
)
from cxpulse.schema.tables import Column, TableSpec
from cxpulse.schema.types import DUCKDB_TYPES

EXAMPLES_PER_KIND = 5
MAX_REPORTED = 20
TRUE_WORDS = ("true", "t", "1", "yes", "y", "si", "sí", "s", "verdadero")
FALSE_WORDS = ("false", "f", "0", "no", "n", "falso")
ID_AS_FLOAT = r"^([+-]?[0-9]+)\.0+$"
INT_LIMIT = 9_223_372_036_854_775_807


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ColumnPlan:
    """How one column of the target table is read from the staged source."""

    column: Column
    source: str | None  # staged column name, or None when the source lacks the column
    source_type: str | None  # DuckDB type of the staged column
    constant: str | None = None
    derived: str | None = None  # SQL text built from several source columns (key_from)
    value_map: dict[str, str] = field(default_factory=dict)
    na_values: tuple[str, ...] = ()
    number: NumberFormat | None = None
    date_formats: tuple[str, ...] = ()
    timezone: str | None = None
    id_like: bool = False

    @property
    def native(self) -> str:
        return (self.source_type or "").upper()

    @property
    def is_text(self) -> bool:
        return (
            self.constant is not None or self.derived is not None or self.native in ("VARCHAR", "")
        )

    @property
    def original(self) -> str:
        """The value as written in the source: trimmed text, NULL when empty."""
        if self.constant is not None:
            return literal(self.constant)
        if self.derived is not None:
            return self.derived
        if self.source is None:
            return "NULL::VARCHAR"
        return f"NULLIF(trim(CAST({quote(self.source)} AS VARCHAR)), '')"

    @property
    def raw(self) -> str:
        """The text that is typed: N/A codes removed, value maps applied, float IDs fixed."""
        text = self.original
        if self.na_values:
            codes = ", ".join(literal(v) for v in self.na_values)
            text = f"CASE WHEN {text} IN ({codes}) THEN NULL ELSE {text} END"
        if self.value_map:
            # Case-insensitive: exports spell the same status "Solved" and "solved".
            whens = " ".join(
                f"WHEN {literal(k.lower())} THEN {literal(v)}" for k, v in self.value_map.items()
            )
            text = f"CASE lower({text}) {whens} ELSE {text} END"
        if self.id_like:
            fixed = f"regexp_replace({text}, {literal(ID_AS_FLOAT)}, '\\1')"
            text = f"CASE WHEN {text} LIKE '%.0%' THEN {fixed} ELSE {text} END"
        return text

    @property
    def typed(self) -> str:
        """The value converted to the column's type (NULL when it cannot be)."""
        col = self.column
        target = DUCKDB_TYPES[col.type]
        if self.source is None and self.constant is None and self.derived is None:
            return f"NULL::{target}"
        raw = self.raw
        native = self.native
        transformed = bool(self.value_map or self.na_values) or self.constant is not None
        if col.type == "string":
            return f"lower({raw})" if col.allowed else raw
        if col.type == "bool":
            if native == "BOOLEAN" and not transformed:
                return quote(self.source or "")
            words_t = ", ".join(literal(w) for w in TRUE_WORDS)
            words_f = ", ".join(literal(w) for w in FALSE_WORDS)
            return (
                f"CASE WHEN lower({raw}) IN ({words_t}) THEN true "
                f"WHEN lower({raw}) IN ({words_f}) THEN false ELSE NULL END"
            )
        if not transformed and self.source is not None:
            src = quote(self.source)
            if col.type == "timestamp" and native.startswith("TIMESTAMP WITH"):
                return f"timezone('UTC', {src})"
            if native.startswith(target) or (
                col.type == "timestamp" and native.startswith("TIMESTAMP")
            ):
                return f"CAST({src} AS {target})"
            if col.type == "date" and native.startswith("TIMESTAMP"):
                return f"CAST({src} AS DATE)"
            if col.type in ("int", "float") and native in NUMERIC_TYPES:
                return _number_from_double(f"CAST({src} AS DOUBLE)", col.type, src, native)
        if col.type in ("int", "float"):
            fmt = self.number or NumberFormat(".", "")
            as_double = number_sql(raw, fmt.decimal, fmt.thousands)
            if col.type == "float":
                return as_double
            exact = (
                f"CASE WHEN regexp_full_match({raw}, {literal(INTEGER)}) "
                f"THEN TRY_CAST({raw} AS BIGINT) END"
            )
            return f"COALESCE({exact}, {_number_from_double(as_double, 'int', None, '')})"
        if col.type == "date":
            return date_sql(raw, list(self.date_formats))
        return timestamp_sql(raw, list(self.date_formats), self.timezone)


NUMERIC_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
} | {f"DECIMAL({p},{s})" for p in range(1, 39) for s in range(0, 39)}


def _number_from_double(as_double: str, kind: str, src: str | None, native: str) -> str:
    if kind == "float":
        return as_double
    if src is not None and native in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT"):
        return f"CAST({src} AS BIGINT)"
    # Refuse 9.5 for an integer column instead of rounding it, and 1e30 instead of crashing.
    return (
        f"CASE WHEN {as_double} = floor({as_double}) AND abs({as_double}) < 9.2e18 "
        f"THEN CAST({as_double} AS BIGINT) END"
    )


def normalise_name(name: str) -> str:
    """A column name as an attribute name: snake_case ASCII (``TotalCharges`` -> ``total_charges``).

    >>> normalise_name("Tenure Months"), normalise_name("SeniorCitizen"), normalise_name("NPS%")
    ('tenure_months', 'senior_citizen', 'nps')
    """
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    if not text or text[0].isdigit():
        text = "c_" + text
    return text


def match_columns(
    spec: TableSpec, visible: dict[str, str], options: ReadOptions
) -> tuple[dict[str, str], list[Problem]]:
    """Target column -> staged column: the mapping first, then equal normalised names."""
    problems: list[Problem] = []
    by_target: dict[str, str] = {}
    names = set(spec.column_names)
    for their, ours in options.columns.items():
        if ours not in names:
            problems.append(
                Problem.of(
                    "data.problem.mapped_to_unknown",
                    column=their,
                    target=ours,
                    table=spec.name,
                    known=", ".join(spec.column_names),
                )
            )
        elif their not in visible:
            problems.append(Problem.of("data.problem.mapped_not_in_file", column=their))
        else:
            by_target[ours] = their
    normalized: dict[str, str] = {}
    for c in visible:
        normalized.setdefault(c.strip().lower().replace(" ", "_"), c)
        normalized.setdefault(normalise_name(c), c)
    used = set(by_target.values())
    for name in spec.column_names:
        if name not in by_target and name in normalized and normalized[name] not in used:
            by_target[name] = normalized[name]
            used.add(normalized[name])
    return by_target, problems


def plan_columns(
    spec: TableSpec,
    staged_columns: dict[str, str],
    options: ReadOptions,
    number_formats: dict[str, NumberFormat] | None = None,
) -> tuple[list[ColumnPlan], list[Problem], list[str]]:
    """Match the source's columns to the target's (mapping first, then by name).

    Returns the plans, file-level problems (missing required columns, bad mapping) and the
    source columns that will be ignored.
    """
    visible = {c: t for c, t in staged_columns.items() if not c.startswith("__")}
    by_target, problems = match_columns(spec, visible, options)
    for name in options.constants:
        if name not in spec.column_names:
            problems.append(
                Problem.of(
                    "data.problem.constant_unknown",
                    column=name,
                    table=spec.name,
                    known=", ".join(spec.column_names),
                )
            )
    everywhere = tuple(options.na_values.get("*", []))
    plans = []
    for col in spec.columns:
        source = by_target.get(col.name)
        constant = options.constants.get(col.name)
        derived = None
        if source is None and constant is None and options.key_from and col.name == spec.key[0]:
            missing = [c for c in options.key_from if c not in visible]
            problems += [Problem.of("data.problem.mapped_not_in_file", column=c) for c in missing]
            parts = ", ".join(
                f"NULLIF(trim(CAST({quote(c)} AS VARCHAR)), '')" for c in options.key_from
            )
            derived = f"NULLIF(concat_ws('|', {parts}), '')"
        if source is None and constant is None and derived is None and col.required:
            problems.append(
                Problem.of(
                    "data.problem.required_column",
                    column=col.name,
                    found=", ".join(visible),
                    table=spec.name,
                )
            )
        na = everywhere + tuple(options.na_values.get(col.name, []))
        if source is not None:
            na += tuple(options.na_values.get(source, [])) if source != col.name else ()
        plans.append(
            ColumnPlan(
                col,
                source,
                visible.get(source) if source else None,
                constant=constant,
                derived=derived,
                value_map=options.values.get(col.name, {}),
                na_values=na,
                number=(number_formats or {}).get(col.name),
                date_formats=tuple(options.date_format or ()),
                timezone=options.timezone,
                id_like=col.type == "string" and (col.name in spec.key or col.name.endswith("_id")),
            )
        )
    used = set(by_target.values())
    ignored = [c for c in visible if c not in used]
    return plans, problems, ignored


REASONS = {
    "int": "data.problem.not_int",
    "float": "data.problem.not_number",
    "bool": "data.problem.not_bool",
    "date": "data.problem.not_date",
    "timestamp": "data.problem.not_timestamp",
}


def _given(plan: ColumnPlan) -> bool:
    return plan.source is not None or plan.constant is not None or plan.derived is not None


def present_flag(i: int) -> str:
    return f"__p{i}"


def stage_select(plans: list[ColumnPlan]) -> str:
    """The stage: every typed column computed once, plus per-column flags for the checks
    (the value was given), the source position, and how many IDs were read as floats."""
    parts = ["__file", "__row"]
    float_ids = []
    for i, plan in enumerate(plans):
        parts.append(f"{plan.typed} AS {quote(plan.column.name)}")
        if _given(plan):
            parts.append(f"({plan.raw}) IS NOT NULL AS {present_flag(i)}")
        if plan.id_like and plan.source is not None and plan.is_text:
            float_ids.append(
                f"CASE WHEN {plan.original} LIKE '%.0%' AND "
                f"regexp_full_match({plan.original}, {literal(ID_AS_FLOAT[1:-1])}) "
                "THEN 1 ELSE 0 END"
            )
    parts.append(f"({' + '.join(float_ids) or '0'}) AS __float_ids")
    return ", ".join(parts)


def _checks(i: int, plan: ColumnPlan, spec: TableSpec) -> list[tuple[str, str, dict[str, object]]]:
    """(condition on the stage, reason key, values): the condition is true on a bad row."""
    col = plan.column
    typed = quote(col.name)
    checks: list[tuple[str, str, dict[str, object]]] = []
    given = _given(plan)
    if col.required:
        cond = f"NOT {present_flag(i)}" if given else "true"
        checks.append((cond, "data.problem.required_value", {}))
    if col.type != "string" and given:
        values: dict[str, object] = {}
        if col.type in ("int", "float"):
            fmt = plan.number or NumberFormat(".", "")
            values = {"decimal": fmt.decimal, "thousands": fmt.thousands or "none"}
        checks.append((f"{present_flag(i)} AND {typed} IS NULL", REASONS[col.type], values))
    if col.allowed:
        allowed = ", ".join(literal(v) for v in col.allowed)
        checks.append(
            (
                f"{typed} IS NOT NULL AND {typed} NOT IN ({allowed})",
                "data.problem.not_allowed",
                {"allowed": ", ".join(col.allowed)},
            ),
        )
    rule_columns = {r.column for r in spec.rules}
    if col.name not in rule_columns:
        if col.minimum is not None:
            checks.append(
                (f"{typed} < {col.minimum}", "data.problem.minimum", {"limit": f"{col.minimum:g}"})
            )
        if col.maximum is not None:
            checks.append(
                (f"{typed} > {col.maximum}", "data.problem.maximum", {"limit": f"{col.maximum:g}"})
            )
    return checks


def _rule_checks(spec: TableSpec) -> list[tuple[str, str, str, dict[str, object]]]:
    out = []
    for rule in spec.rules:
        value, when = quote(rule.column), quote(rule.when_column)
        cond = (
            f"{when} = {literal(rule.when_value)} AND "
            f"({value} < {rule.minimum} OR {value} > {rule.maximum})"
        )
        values: dict[str, object] = {
            "when_column": rule.when_column,
            "when_value": rule.when_value,
            "low": f"{rule.minimum:g}",
            "high": f"{rule.maximum:g}",
        }
        out.append((rule.column, cond, "data.problem.rule_range", values))
    return out


def _original_values(
    con: duckdb.DuckDBPyConnection, relation: str, plan: ColumnPlan, at: list[dict[str, object]]
) -> dict[tuple[object, object], object]:
    """The source's own text at a few (file, row) positions, to show in the report."""
    rows = ", ".join(str(int(str(e["r"]))) for e in at)
    found = con.execute(
        f"SELECT __file, __row, {plan.original} FROM {relation} WHERE __row IN ({rows})"
    ).fetchall()
    return {(f, r): v for f, r, v in found}


def find_problems(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    stage: str,
    spec: TableSpec,
    plans: list[ColumnPlan],
) -> tuple[list[ProblemKind], int]:
    """Row-level problems of a stage (see :func:`stage_select`), by kind: a count each and the
    first ones, with the values as the source wrote them."""
    by_name = {p.column.name: p for p in plans}
    specs: list[tuple[str, str, dict[str, object]]] = []  # (column, key, values) per check
    items: list[str] = []
    for i, plan in enumerate(plans):
        for cond, key, values in _checks(i, plan, spec):
            items.append(f"CASE WHEN {cond} THEN {len(specs)} END")
            specs.append((plan.column.name, key, values))
    for column, cond, key, values in _rule_checks(spec):
        items.append(f"CASE WHEN {cond} THEN {len(specs)} END")
        specs.append((column, key, values))
    kinds: list[ProblemKind] = []
    total = 0
    if items:
        listing = "list_filter([" + ", ".join(items) + "], x -> x IS NOT NULL)"
        any_bad = " OR ".join(f"({i}) IS NOT NULL" for i in items)
        rows = con.execute(
            f"WITH p AS (SELECT __file, __row, unnest({listing}) AS k FROM {stage} "
            f"WHERE {any_bad}) "
            "SELECT k, count(*) AS n, "
            "list(struct_pack(f := __file, r := __row) ORDER BY __file NULLS FIRST, "
            f"__row)[1:{EXAMPLES_PER_KIND}] FROM p GROUP BY k ORDER BY min(__row)"
        ).fetchall()
        for k, n, examples in rows:
            column, key, values = specs[int(k)]
            originals = _original_values(con, relation, by_name[column], examples)
            shown = tuple(
                Problem.of(
                    key,
                    row=int(e["r"]),
                    column=column,
                    value=originals.get((e["f"], e["r"])),
                    file=e["f"],
                    **values,
                )
                for e in examples
            )
            kinds.append(ProblemKind(column, shown[0].reason, int(n), shown))
            total += int(n)
    dup_kind, dup_total = _duplicate_keys(con, stage, spec, by_name)
    if dup_kind is not None:
        kinds.append(dup_kind)
        total += dup_total
    return kinds, total


def _duplicate_keys(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    spec: TableSpec,
    by_name: dict[str, ColumnPlan],
) -> tuple[ProblemKind | None, int]:
    """Rows repeating a key seen on an earlier row: their count and the first ones."""
    if not all(_given(by_name[k]) for k in spec.key):
        return None, 0
    keys = [quote(k) for k in spec.key]
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    partition = ", ".join(keys)
    window = f"OVER (PARTITION BY {partition} ORDER BY __file NULLS FIRST, __row)"
    # Only keys seen more than once are ranked: a cheap count first, the window on the few.
    found = con.execute(
        f"WITH d AS (SELECT {partition} FROM {stage} WHERE {not_null} GROUP BY {partition} "
        "HAVING count(*) > 1), "
        f"r AS (SELECT __file, __row, row_number() {window} AS nth, "
        f"first_value(__row) {window} AS first_row, "
        f"first_value(__file) {window} AS first_file "
        f"FROM {stage} SEMI JOIN d USING ({partition})) "
        "SELECT count(*) FILTER (WHERE nth > 1), "
        "list(struct_pack(f := __file, r := __row, first := first_row, ff := first_file) "
        f"ORDER BY __file NULLS FIRST, __row) FILTER (WHERE nth > 1)[1:{EXAMPLES_PER_KIND}] "
        "FROM r"
    ).fetchone()
    assert found is not None
    n = int(found[0] or 0)
    if not n:
        return None, 0
    names = ", ".join(spec.key)
    shown = tuple(
        Problem.of(
            "data.problem.duplicate_key",
            row=e["r"],
            column=names,
            file=e["f"],
            names=names,
            first=f"{e['first']} ({Path(e['ff']).name})" if e["ff"] else e["first"],
        )
        for e in found[1]
    )
    return ProblemKind(names, shown[0].reason, n, shown), n


def infer_types(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: dict[str, str],
    options: ReadOptions,
) -> dict[str, str]:
    """The narrowest type every value of each staged column fits (``--keep-extra``)."""
    from cxpulse.schema.parsing import PATTERNS

    native_map = {
        "BOOLEAN": "bool",
        "DATE": "date",
        "DOUBLE": "float",
        "FLOAT": "float",
        "BIGINT": "int",
        "INTEGER": "int",
        "SMALLINT": "int",
        "TINYINT": "int",
    }
    out: dict[str, str] = {}
    text_cols = {}
    for name, typ in columns.items():
        t = typ.upper()
        if t in native_map:
            out[name] = native_map[t]
        elif t.startswith("TIMESTAMP"):
            out[name] = "timestamp"
        elif t.startswith("DECIMAL"):
            out[name] = "float"
        else:
            text_cols[name] = f"NULLIF(trim(CAST({quote(name)} AS VARCHAR)), '')"
    if not text_cols:
        return out
    numeric = "|".join(f"({p})" for p in PATTERNS.values())
    words = ", ".join(literal(w) for w in (*TRUE_WORDS, *FALSE_WORDS) if not w.isdigit())
    parts = []
    for i, raw in enumerate(text_cols.values()):
        parts += [
            f"count({raw}) AS n{i}",
            f"count_if(regexp_full_match({raw}, {literal(INTEGER)})) AS i{i}",
            f"count_if(regexp_full_match({raw}, {literal(numeric)}) "
            f"OR regexp_full_match({raw}, {literal(INTEGER)})) AS f{i}",
            f"count_if(lower({raw}) IN ({words})) AS b{i}",
            f"count_if({date_sql(raw, options.date_format)} IS NOT NULL "
            f"AND length({raw}) <= 10) AS d{i}",
            f"count_if(({timestamp_sql(raw, options.date_format, None)}) IS NOT NULL) AS t{i}",
        ]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchone()
    assert row is not None
    got = dict(zip([d[0] for d in con.description or []], row, strict=True))
    for i, name in enumerate(text_cols):
        n = int(got[f"n{i}"])
        if n == 0:
            out[name] = "string"
        elif got[f"i{i}"] == n:
            out[name] = "int"
        elif got[f"f{i}"] == n:
            out[name] = "float"
        elif got[f"b{i}"] == n:
            out[name] = "bool"
        elif got[f"d{i}"] == n:
            out[name] = "date"
        elif got[f"t{i}"] == n:
            out[name] = "timestamp"
        else:
            out[name] = "string"
    return out


INT_MAX = INT_LIMIT
