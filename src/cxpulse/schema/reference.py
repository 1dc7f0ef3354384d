"""The reference of the canonical tables, generated from their declarations.

``docs/tables.md`` and ``cxpulse tables show NAME`` print the same text: each column's type,
whether it is required, its allowed values and range, and its meaning (from the catalogue, in
Spanish and English), with the example files in ``docs/examples``.

>>> "| `account_id` | string | yes" in table_markdown("accounts")
True
"""

from __future__ import annotations

from cxpulse.locale import gettext
from cxpulse.schema.tables import TABLES, Column, TableSpec

HEADER = """# Canonical tables / Tablas canónicas

Every file you load goes into one of these tables. This page is generated from the table
declarations (`cxpulse.schema.tables`) by `python scripts/tables_docs.py`; `cxpulse tables
show NAME` prints the same. Extra columns can be kept as typed attributes
(`[tables.NAME.attributes]` or `cxpulse load --keep-extra`) in accounts, responses, tickets
and orders. How files are read (encoding, delimiter, separators, dates, mapping, constants,
value maps, reshaping) is set per table in `cxpulse.toml`: see docs/configuration.md.

Cada archivo que cargas va a una de estas tablas. Las columnas extra se pueden guardar como
atributos con tipo en accounts, responses, tickets y orders.
"""


def meaning(table: str, column: str, lang: str) -> str:
    """The catalogue meaning of a column ('' when undocumented)."""
    key = f"data.column.{table}.{column}"
    text = gettext(key, lang)
    return "" if text == key else text


def _rules(spec: TableSpec, col: Column) -> str:
    parts = []
    if col.allowed:
        parts.append(", ".join(f"`{v}`" for v in col.allowed))
    if col.minimum is not None or col.maximum is not None:
        low = "" if col.minimum is None else f"{col.minimum:g}"
        high = "" if col.maximum is None else f"{col.maximum:g}"
        parts.append(f"{low}..{high}")
    for rule in spec.rules:
        if rule.column == col.name:
            parts.append(
                f"{rule.minimum:g}-{rule.maximum:g} when {rule.when_column} = {rule.when_value}"
            )
    return "; ".join(parts)


def table_markdown(name: str) -> str:
    """One table's section of the reference."""
    spec = TABLES[name]
    lines = [
        f"## `{name}`",
        "",
        gettext(f"data.table.{name}", "es"),
        "",
        gettext(f"data.table.{name}", "en"),
        "",
        f"Key / clave: {', '.join(f'`{k}`' for k in spec.key)}. Example files / archivos de "
        f"ejemplo: [es](examples/{name}.es.csv), [en](examples/{name}.en.csv).",
        "",
        "| column | type | required | allowed values | significado | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for col in spec.columns:
        lines.append(
            f"| `{col.name}` | {col.type} | {'yes' if col.required else 'no'} | "
            f"{_rules(spec, col)} | {meaning(name, col.name, 'es')} | "
            f"{meaning(name, col.name, 'en')} |"
        )
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole ``docs/tables.md``."""
    return HEADER + "\n" + "\n".join(table_markdown(n) for n in TABLES)


def undocumented() -> list[str]:
    """``table.column`` names without a meaning in both languages."""
    return [
        f"{t}.{c.name}"
        for t, spec in TABLES.items()
        for c in spec.columns
        if not (meaning(t, c.name, "es") and meaning(t, c.name, "en"))
    ]
