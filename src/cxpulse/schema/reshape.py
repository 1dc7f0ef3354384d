"""Reshaping a staged source before validation, as SQL views in DuckDB.

* Wide survey exports (one column per question) become one answer row per question
  (``[tables.responses.reshape]``): the answer id is ``<submission id>:<question>``, the kind
  and touchpoint come from the declaration, an empty answer gives no row.
* Line-level orders (one row per product) become one row per order
  (``[tables.orders.aggregate]``): the amount is the sum of quantity x unit price (or of the
  line amounts); the other columns are those of the order's first line.
"""

from __future__ import annotations

import uuid

import duckdb

from cxpulse.errors import Problem, ValidationError
from cxpulse.schema.options import ReadOptions
from cxpulse.schema.parsing import detect_number_formats, literal, number_sql
from cxpulse.schema.validation import match_columns, normalise_name, quote

GENERATED = ("response_id", "kind", "score", "touchpoint")


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def reshape_wide(
    con: duckdb.DuckDBPyConnection, relation: str, table: str, options: ReadOptions, label: str
) -> tuple[str, ReadOptions]:
    """A view with one row per (submission, answered question)."""
    reshape = options.reshape
    assert reshape is not None
    if table != "responses":
        raise ValidationError(label, table, [Problem.of("data.problem.reshape_table", table=table)])
    have = _columns(con, relation)
    problems = [
        Problem.of("data.problem.question_missing", column=q)
        for q in reshape.questions
        if q not in have
    ]
    if reshape.id_column is None or reshape.id_column not in have:
        problems.append(
            Problem.of("data.problem.reshape_id", column=reshape.id_column or "id_column")
        )
    if problems:
        raise ValidationError(label, table, problems)
    assert reshape.id_column is not None
    keep = [c for c in have if c not in reshape.questions and c not in GENERATED]
    kept = ", ".join(quote(c) for c in keep)
    parts = []
    for question, declared in reshape.questions.items():
        answer = f"NULLIF(trim(CAST({quote(question)} AS VARCHAR)), '')"
        touchpoint = literal(declared.touchpoint) if declared.touchpoint else "NULL::VARCHAR"
        parts.append(
            f"SELECT {kept}, "
            f"CAST({quote(reshape.id_column)} AS VARCHAR) || ':' || "
            f"{literal(normalise_name(question))} AS response_id, "
            f"{literal(declared.kind)} AS kind, {answer} AS score, {touchpoint} AS touchpoint "
            f"FROM {relation} WHERE {answer} IS NOT NULL"
        )
    view = f"__cx_long_{uuid.uuid4().hex[:8]}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS " + " UNION ALL ".join(parts))
    columns = {k: v for k, v in options.columns.items() if v not in GENERATED}
    return view, options.model_copy(update={"columns": columns, "reshape": None})


def aggregate_lines(
    con: duckdb.DuckDBPyConnection, relation: str, table: str, options: ReadOptions, label: str
) -> tuple[str, ReadOptions]:
    """A view with one row per order: amounts summed, other columns from the first line."""
    from cxpulse.schema.tables import TABLES

    agg = options.aggregate
    assert agg is not None
    if table != "orders":
        raise ValidationError(
            label, table, [Problem.of("data.problem.aggregate_table", table=table)]
        )
    have = _columns(con, relation)
    visible = {c: "VARCHAR" for c in have if not c.startswith("__")}
    by_target, problems = match_columns(TABLES["orders"], visible, options)
    order_col = by_target.get("order_id")
    if order_col is None:
        problems.append(
            Problem.of(
                "data.problem.required_column",
                column="order_id",
                found=", ".join(visible),
                table=table,
            )
        )
    wanted = [c for c in (agg.quantity, agg.unit_price, agg.amount) if c]
    if not (agg.amount or (agg.quantity and agg.unit_price)):
        problems.append(Problem.of("data.problem.aggregate_amount"))
    problems += [
        Problem.of("data.problem.mapped_not_in_file", column=c) for c in wanted if c not in have
    ]
    if problems:
        raise ValidationError(label, table, problems)
    assert order_col is not None
    raws = {c: f"NULLIF(trim(CAST({quote(c)} AS VARCHAR)), '')" for c in wanted}
    formats, bad = detect_number_formats(con, relation, raws, options.decimal, options.thousands)
    if bad:
        raise ValidationError(label, table, bad)
    num = {c: number_sql(raws[c], formats[c].decimal, formats[c].thousands) for c in wanted}
    line = (
        num[agg.amount]
        if agg.amount
        else f"({num[agg.quantity or '']}) * ({num[agg.unit_price or '']})"
    )
    others = [
        c
        for c in have
        if c not in (order_col, "__row", "__file", *wanted) and by_target.get("amount") != c
    ]
    firsts = ", ".join(f"arg_min({quote(c)}, __row) AS {quote(c)}" for c in others)
    view = f"__cx_orders_{uuid.uuid4().hex[:8]}"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {quote(order_col)}, "
        f"{firsts + ', ' if firsts else ''}round(sum({line}), 2) AS amount, "
        f"min(__row) AS __row, any_value(__file) AS __file, "
        f"count(*) FILTER (WHERE ({line}) IS NULL) AS __bad_lines "
        f"FROM {relation} GROUP BY {quote(order_col)}"
    )
    bad_rows = con.execute(
        f"SELECT __row, {quote(order_col)} FROM {view} WHERE __bad_lines > 0 ORDER BY __row LIMIT 5"
    ).fetchall()
    if bad_rows:
        raise ValidationError(
            label,
            table,
            [
                Problem.of("data.problem.aggregate_line", row=r, column=order_col, value=v)
                for r, v in bad_rows
            ],
        )
    columns = {k: v for k, v in options.columns.items() if v != "amount"}
    return view, options.model_copy(update={"columns": columns, "aggregate": None})
