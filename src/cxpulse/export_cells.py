"""Spreadsheet-safe cells: text that a spreadsheet would run as a formula is written as text.

Account names, segments and comments come from customers' data. A cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), so every export
writer goes through this module:

- CSV: :func:`safe_cell` (or :func:`safe_frame` for a whole table) prefixes such text with
  an apostrophe, the escape spreadsheets themselves use, so it opens as the text it was;
- .xlsx: :func:`write_text_cells` stores such cells as strings (never as ``<f>`` formulas),
  so they show exactly as typed.

Numbers, dates and missing values are left alone: only text can smuggle a formula.

>>> safe_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> safe_cell("Cliente 001"), safe_cell(-3.5), safe_cell(None)
('Cliente 001', -3.5, None)
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """Whether ``value`` is text a spreadsheet would evaluate as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """``value`` as it must be written to a CSV cell: formula-like text gets a leading ``'``."""
    return "'" + value if is_formula_like(value) else value


def safe_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame with :func:`safe_cell` applied to every text cell (and to
    the column names); numeric and date columns are returned untouched."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("string", "str"):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def write_text_cells(worksheet: Any) -> int:
    """Turn every formula-like cell of an openpyxl worksheet back into plain text.

    openpyxl stores a string starting with ``=`` as a formula; data never holds formulas,
    so each such cell is typed as a string. Returns how many cells were changed.
    """
    changed = 0
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or is_formula_like(cell.value):
                cell.data_type = "s"
                changed += 1
    return changed


__all__ = ["FORMULA_STARTS", "is_formula_like", "safe_cell", "safe_frame", "write_text_cells"]
