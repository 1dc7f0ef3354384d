"""Exports people can hand on: Excel and CSV with headers in the reader's language, number
formats (currency, percent, one-decimal scores, dates), a frozen header row, filters and
column widths.

Every cell of both formats is written by :func:`write_cell` (Excel) or goes through
:func:`cell_text` (CSV), so a rule about what a cell may contain lives in one place: text a
spreadsheet would run as a formula is kept as text (:mod:`cxpulse.export_cells`).

CSV follows the reader's spreadsheet conventions: Spanish uses ``;`` between fields and a
decimal comma (what Excel in Spanish expects), English ``,`` and a decimal point; both are
UTF-8 with a byte-order mark.

>>> cols = [ExportColumn("name", "web.account.name"),
...         ExportColumn("mrr", "cx.export.mrr", "currency")]
>>> rows = [{"name": "Acme", "mrr": 1200.5}]
>>> csv_bytes(rows, cols, "es").decode("utf-8-sig").splitlines()
['Cuenta;MRR', 'Acme;1200,50']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cxpulse.export_cells import is_formula_like, safe_cell
from cxpulse.locale import gettext

KINDS = ("text", "int", "currency", "percent", "score", "date", "datetime")
EXCEL_FORMATS = {
    "int": "#,##0",
    "percent": "0.0%",
    "score": "0.0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
MAX_WIDTH = 60


@dataclass(frozen=True)
class ExportColumn:
    """One column: the row key, the catalogue key of its header, and how to format it.
    ``percent`` values are fractions (0.25 is shown as 25.0 %)."""

    key: str
    header_key: str
    kind: str = "text"


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN: missing, not zero
        return None
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()  # numpy scalars
    return value


def cell_text(value: Any, kind: str, lang: str) -> str:
    """The text of one CSV cell."""
    value = _plain(value)
    if value is None:
        return ""
    if kind in ("currency", "score", "percent", "int") and isinstance(value, int | float):
        # scores keep the two decimals they are stored with (Excel shows one)
        digits = {"currency": 2, "score": 2, "percent": 4, "int": 0}[kind]
        text = f"{float(value):.{digits}f}"
        return text.replace(".", ",") if lang == "es" else text
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(safe_cell(str(value)))  # formula-like text opens as the text it was


def write_cell(
    sheet: Any, row: int, column: int, value: Any, kind: str, currency_format: str
) -> Any:
    """Write one Excel cell with its number format; returns the cell."""
    value = _plain(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; the values are UTC
    cell = sheet.cell(row=row, column=column, value=value)
    if is_formula_like(value):
        cell.data_type = "s"  # stored as text, never as a formula
    if kind == "currency":
        cell.number_format = currency_format
    elif kind in EXCEL_FORMATS:
        cell.number_format = EXCEL_FORMATS[kind]
    return cell


def currency_format(currency: str, lang: str) -> str:
    """An Excel number format for amounts in ``currency`` (symbol from CLDR)."""
    from babel.numbers import get_currency_symbol

    from cxpulse.web.i18n import BABEL_LOCALES

    symbol = get_currency_symbol(currency, locale=BABEL_LOCALES.get(lang, lang)).replace('"', "")
    return f'#,##0.00 "{symbol}"'


def headers(columns: Sequence[ExportColumn], lang: str) -> list[str]:
    return [gettext(c.header_key, lang) for c in columns]


def csv_bytes(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[ExportColumn], lang: str
) -> bytes:
    """CSV in the reader's conventions (see the module docstring)."""
    buffer = io.StringIO()
    # CRLF line ends (RFC 4180): a field holding a lone CR is then quoted, not split
    writer = csv.writer(buffer, delimiter=";" if lang == "es" else ",", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers(columns, lang)])
    for r in rows:
        writer.writerow([cell_text(r.get(c.key), c.kind, lang) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[ExportColumn],
    lang: str,
    *,
    sheet_title: str,
    currency: str = "USD",
    notes: Sequence[str] = (),
) -> bytes:
    """An .xlsx workbook: bold frozen header, filters on every column, widths that fit, number
    formats per column; ``notes`` go under the table (as of, model, how a column is made)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    money = currency_format(currency, lang)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF0FD")
    widths = []
    for j, text in enumerate(headers(columns, lang), start=1):
        cell = write_cell(sheet, 1, j, text, "text", money)
        cell.font = bold
        cell.fill = fill
        widths.append(len(text))
    n = 1
    for n, r in enumerate(rows, start=2):
        for j, c in enumerate(columns, start=1):
            value = r.get(c.key)
            write_cell(sheet, n, j, value, c.kind, money)
            widths[j - 1] = max(widths[j - 1], len(cell_text(value, c.kind, lang)) + 2)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(n, 1)}"
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), MAX_WIDTH)
    for k, note in enumerate(notes):
        write_cell(sheet, n + 2 + k, 1, note, "text", money).font = Font(italic=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
