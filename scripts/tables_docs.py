"""Write docs/tables.md from the canonical table declarations.

Run ``python scripts/tables_docs.py`` after changing a table; tests/schema/test_reference.py
fails when the file is out of date or a column has no meaning.
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "tables.md"


def render() -> str:
    from cxpulse.schema.reference import render as render_tables

    return render_tables()


if __name__ == "__main__":
    DOCS.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS}")
