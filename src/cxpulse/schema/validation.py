"""Validate a staged source against a canonical table, in DuckDB, in one scan.

The checks (type, required, allowed values, ranges, conditional ranges such as the score
scale of each survey kind, duplicate keys) are SQL over the staged relation; only the first
problems and their count come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from cxpulse.errors import Problem
from cxpulse.schema.tables import Column, TableSpec
from cxpulse.schema.types import DUCKDB_TYPES

MAX_REPORTED = 20
TRUE_WORDS = ("true", "t", "1", "yes", "y", "si", "sí", "s", "verdadero")
FALSE_WORDS = ("false", "f", "0", "no", "n", "falso")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class ColumnPlan:
    """How one canonical column is read from the staged source."""

    column: Column
    source: str | None  # staged column name, or None when the source lacks the column
    source_type: str | None  # DuckDB type of the staged column

    @property
    def raw(self) -> str:
        """The staged value as trimmed text, NULL when empty."""
        if self.source is None:
            return "NULL::VARCHAR"
        return f"NULLIF(trim(CAST({quote(self.source)} AS VARCHAR)), '')"

    @property
    def typed(self) -> str:
        """The value converted to the canonical type (NULL when it cannot be)."""
        col = self.column
        target = DUCKDB_TYPES[col.type]
        if self.source is None:
            return f"NULL::{target}"
        src = quote(self.source)
        native = (self.source_type or "").upper()
        if col.type == "string":
            text = self.raw
            return f"lower({text})" if col.allowed else text
        if col.type == "bool":
            if native == "BOOLEAN":
                return src
            words_t = ", ".join(literal(w) for w in TRUE_WORDS)
            words_f = ", ".join(literal(w) for w in FALSE_WORDS)
            return (
                f"CASE WHEN lower({self.raw}) IN ({words_t}) THEN true "
                f"WHEN lower({self.raw}) IN ({words_f}) THEN false ELSE NULL END"
            )
        if native.startswith(target) or (
            col.type == "timestamp" and native.startswith("TIMESTAMP")
        ):
            return f"CAST({src} AS {target})"
        if col.type == "int":
            # Refuse 9.5 for an integer column instead of rounding it silently.
            as_double = f"TRY_CAST({self.raw} AS DOUBLE)"
            return (
                f"CASE WHEN {as_double} = floor({as_double}) THEN CAST({as_double} AS BIGINT) END"
            )
        return f"TRY_CAST({self.raw} AS {target})"


def plan_columns(
    spec: TableSpec, staged_columns: dict[str, str], mapping: dict[str, str]
) -> tuple[list[ColumnPlan], list[Problem], list[str]]:
    """Match the source's columns to the canonical ones (mapping first, then by name).

    Returns the plans, file-level problems (missing required columns, bad mapping) and the
    source columns that will be ignored.
    """
    problems: list[Problem] = []
    visible = {c: t for c, t in staged_columns.items() if not c.startswith("__")}
    by_canonical: dict[str, str] = {}
    for their, ours in mapping.items():
        if ours not in spec.column_names:
            problems.append(
                Problem(None, their, f"mapped to unknown column '{ours}' of '{spec.name}'")
            )
        elif their not in visible:
            problems.append(
                Problem(None, their, "is named in the column mapping but is not in the file")
            )
        else:
            by_canonical[ours] = their
    normalized = {c.strip().lower().replace(" ", "_"): c for c in visible}
    for name in spec.column_names:
        if name not in by_canonical and name in normalized:
            by_canonical[name] = normalized[name]
    plans = []
    for col in spec.columns:
        source = by_canonical.get(col.name)
        if source is None and col.required:
            problems.append(
                Problem(
                    None,
                    col.name,
                    "required column is missing (columns found: "
                    + ", ".join(visible)
                    + "); rename it in the file or map it in cxpulse.toml",
                )
            )
        plans.append(ColumnPlan(col, source, visible.get(source) if source else None))
    used = set(by_canonical.values())
    ignored = [c for c in visible if c not in used]
    return plans, problems, ignored


def _checks(plan: ColumnPlan, spec: TableSpec) -> list[tuple[str, str]]:
    """(condition, reason) pairs; the condition is true on a bad row."""
    col = plan.column
    raw, typed = plan.raw, plan.typed
    checks: list[tuple[str, str]] = []
    if col.required:
        checks.append((f"{raw} IS NULL", "required value is missing"))
    if col.type != "string" and plan.source is not None:
        reason = {
            "int": "not a whole number",
            "float": "not a number",
            "bool": "not true/false (use true/false, 1/0, yes/no, sí/no)",
            "date": "not a date (use YYYY-MM-DD)",
            "timestamp": "not a date-time (use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
        }[col.type]
        checks.append((f"{raw} IS NOT NULL AND ({typed}) IS NULL", reason))
    if col.allowed:
        allowed = ", ".join(literal(v) for v in col.allowed)
        checks.append(
            (
                f"({typed}) IS NOT NULL AND ({typed}) NOT IN ({allowed})",
                "must be one of: " + ", ".join(col.allowed),
            ),
        )
    rule_columns = {r.column for r in spec.rules}
    if col.name not in rule_columns:
        if col.minimum is not None:
            checks.append((f"({typed}) < {col.minimum}", f"must be at least {col.minimum:g}"))
        if col.maximum is not None:
            checks.append((f"({typed}) > {col.maximum}", f"must be at most {col.maximum:g}"))
    return checks


def _rule_checks(plans: dict[str, ColumnPlan], spec: TableSpec) -> list[tuple[str, str, str]]:
    out = []
    for rule in spec.rules:
        value = plans[rule.column].typed
        when = plans[rule.when_column].typed
        cond = (
            f"({when}) = {literal(rule.when_value)} AND "
            f"(({value}) < {rule.minimum} OR ({value}) > {rule.maximum})"
        )
        reason = (
            f"out of range for {rule.when_column} '{rule.when_value}' "
            f"(allowed {rule.minimum:g}-{rule.maximum:g})"
        )
        out.append((rule.column, cond, reason))
    return out


def find_problems(
    con: duckdb.DuckDBPyConnection, relation: str, spec: TableSpec, plans: list[ColumnPlan]
) -> tuple[list[Problem], int]:
    """Row-level problems of a staged relation: the first ones (by row) and their count."""
    by_name = {p.column.name: p for p in plans}
    items: list[str] = []
    for plan in plans:
        for cond, reason in _checks(plan, spec):
            items.append(
                f"CASE WHEN {cond} THEN struct_pack(c := {literal(plan.column.name)}, "
                f"r := {literal(reason)}, v := {plan.raw}) END"
            )
    for column, cond, reason in _rule_checks(by_name, spec):
        items.append(
            f"CASE WHEN {cond} THEN struct_pack(c := {literal(column)}, "
            f"r := {literal(reason)}, v := {by_name[column].raw}) END"
        )
    problems: list[Problem] = []
    total = 0
    if items:
        listing = "list_filter([" + ", ".join(items) + "], x -> x IS NOT NULL)"
        con.execute(
            "CREATE OR REPLACE TEMP TABLE __cx_problems AS "
            f"SELECT __file, __row, unnest({listing}) AS p FROM {relation}"
        )
        total = int(con.execute("SELECT count(*) FROM __cx_problems").fetchone()[0])  # type: ignore[index]
        rows = con.execute(
            "SELECT __file, __row, p.c, p.r, p.v FROM __cx_problems "
            f"ORDER BY __file NULLS FIRST, __row LIMIT {MAX_REPORTED}"
        ).fetchall()
        problems = [Problem(int(r[1]), r[2], r[3], r[4], file=r[0]) for r in rows]
        con.execute("DROP TABLE IF EXISTS __cx_problems")
    key_exprs = [by_name[k].typed for k in spec.key]
    if all(by_name[k].source is not None for k in spec.key):
        key_list = ", ".join(key_exprs)
        dup_sql = (
            "SELECT list(struct_pack(f := __file, r := __row) ORDER BY __file NULLS FIRST, __row) "
            f"AS at_, count(*) AS n FROM {relation} "
            f"WHERE {' AND '.join(f'({e}) IS NOT NULL' for e in key_exprs)} "
            f"GROUP BY {key_list} HAVING count(*) > 1"
        )
        dups = con.execute(f"SELECT at_, n FROM ({dup_sql}) ORDER BY at_[1].f, at_[1].r").fetchall()
        for at_, n in dups:
            total += int(n) - 1
            first = at_[0]
            where = f"row {first['r']}" + (f" of {first['f']}" if first["f"] else "")
            for pos in at_[1:]:
                if len(problems) < MAX_REPORTED:
                    problems.append(
                        Problem(
                            int(pos["r"]),
                            ", ".join(spec.key),
                            f"duplicate key: the same {', '.join(spec.key)} as {where}",
                            file=pos["f"],
                        )
                    )
    problems.sort(key=lambda p: (p.file or "", p.row or 0, p.column or ""))
    return problems, total
