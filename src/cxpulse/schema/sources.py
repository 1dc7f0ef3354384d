"""Reading user input (files or in-memory frames) into a staging relation for validation.

Files are read by DuckDB or Arrow, never row by row in Python. Every staged row keeps its
position in the source (``__row``, counted as in a spreadsheet: the header is row 1, the first
data row is row 2; in Parquet files and in-memory frames the first record is row 1), so
that a problem can be reported where the user will find it.

CSV files are read as text with the encoding and delimiter of the read options, detected when
not set (and the detection reported); what cannot be read is refused with the row and the
setting to change: undecodable bytes, rows with the wrong number of fields, duplicate column
names, an empty file, Excel formulas without a saved value.
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from cxpulse.errors import CxpulseError, Problem, ValidationError
from cxpulse.schema.options import ReadOptions

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
OLD_EXCEL_SUFFIXES = {".xls"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", *OLD_EXCEL_SUFFIXES}
DELIMITERS = ",;\t|"
SAMPLE_BYTES = 256 * 1024


class SourceError(CxpulseError):
    """A source that cannot be read at all (missing file, unknown format)."""


@dataclass(frozen=True)
class StagedSource:
    """What to tell the user the source was, and how DuckDB reads it."""

    label: str
    sql: str | None = None  # a DuckDB table function call, for large files
    arrow: pa.Table | None = None  # an in-memory table with a __row column
    notes: tuple[str, ...] = field(default=())  # what was detected, for the report


def _refuse(label: str, table: str, key: str, **values: Any) -> ValidationError:
    return ValidationError(label, table, [Problem.of(key, **values)])


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 when every byte decodes as UTF-8, else what charset-normalizer finds (or None)."""
    if _is_utf8(path):
        return "utf-8"
    from charset_normalizer import from_path

    matches = list(from_path(path))
    if not matches:
        return ""
    best = matches[0]
    # Among equally good single-byte readings prefer cp1252, the code page of Windows
    # exports in Spanish, Portuguese and English (a superset of latin-1's printable range).
    for m in matches:
        if m.encoding == "cp1252" and m.chaos <= best.chaos and m.coherence >= best.coherence:
            return "cp1252"
    name = str(best.encoding)
    return "cp1252" if name in ("latin_1", "iso8859_1", "iso8859_15") else name


def _sample_text(path: Path, encoding: str) -> str:
    with path.open("rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    text = raw.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter splitting the first lines into the same number (>1) of fields, if one."""
    candidates = []
    for delim in DELIMITERS:
        counts = {len(next(csv.reader([ln], delimiter=delim))) for ln in lines if ln.strip()}
        if len(counts) == 1 and next(iter(counts)) > 1:
            candidates.append((next(iter(counts)), delim))
    if not candidates:
        try:
            return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
        except csv.Error:
            return None
    return max(candidates)[1]


def _unique_header(label: str, table: str, header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header, start=1):
        name = name.strip() or f"column_{i}"
        if name in seen:
            raise _refuse(
                label,
                table,
                "data.problem.duplicate_column",
                column=name,
                first=seen[name],
                second=i,
            )
        seen[name] = i
        out.append(name)
    return out


def _ragged_rows(
    path: Path, encoding: str, delimiter: str, skip: int, width: int, after: int = 0
) -> list[Problem]:
    """Rows with the wrong number of fields (only read when Arrow found some)."""
    problems = []
    with path.open(newline="", encoding=encoding, errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        for _ in range(skip + 1 + after):
            next(reader, None)
        for index, record in enumerate(reader, start=skip + 2 + after):
            if record and len(record) != width:
                problems.append(
                    Problem.of(
                        "data.problem.ragged_row",
                        row=index,
                        value=delimiter.join(record)[:80],
                        expected=width,
                        found=len(record),
                    )
                )
    return problems


def _csv_table(path: Path, options: ReadOptions, table: str) -> tuple[pa.Table, list[str]]:
    label = str(path)
    notes: list[str] = []
    if path.stat().st_size == 0:
        raise _refuse(label, table, "data.problem.empty_file")
    encoding = options.encoding
    if encoding is None:
        encoding = detect_encoding(path)
        if not encoding:
            raise _refuse(label, table, "data.problem.encoding_unknown")
        if encoding != "utf-8":
            notes.append(f"encoding={encoding}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _refuse(label, table, "data.problem.encoding_name", value=encoding) from None
    encoding = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    sample = _sample_text(path, encoding)
    lines = sample.splitlines()
    skip = options.header_row - 1
    if not sample.strip() or len(lines) <= skip:
        raise _refuse(label, table, "data.problem.empty_file")
    delimiter = options.delimiter
    if delimiter is None:
        if path.suffix.lower() == ".tsv":
            delimiter = "\t"
        else:
            delimiter = sniff_delimiter(lines[skip : skip + 20]) or ","
            if delimiter != ",":
                notes.append("delimiter=" + ("tab" if delimiter == "\t" else delimiter))
    header_line = next(csv.reader(io.StringIO("\n".join(lines[skip:])), delimiter=delimiter), [])
    if not any(h.strip() for h in header_line):
        raise _refuse(label, table, "data.problem.no_header", row=options.header_row)
    header = _unique_header(label, table, header_line)
    ragged: list[int] = []

    def on_invalid(row: Any) -> str:
        ragged.append(1)
        return "skip"

    arrow_encoding = "utf8" if encoding == "utf-8-sig" else encoding
    try:
        result = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=header,
                skip_rows=skip + 1,
                skip_rows_after_names=options.skip_rows,
                encoding=arrow_encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "UTF8" in text or "utf-8" in text.lower():
            raise _refuse(label, table, "data.problem.encoding_bad", value=encoding) from exc
        raise _refuse(label, table, "data.problem.unreadable_csv", value=text[:200]) from exc
    if ragged:
        problems = _ragged_rows(path, encoding, delimiter, skip, len(header), options.skip_rows)
        raise ValidationError(label, table, problems[:200], max(len(problems), len(ragged)))
    return result, notes


def _pick_sheet(label: str, table: str, names: list[str], sheet: str | int | None) -> str:
    """The sheet ``sheet`` names (a name or a 1-based position; the first by default)."""
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) or str(sheet).isdigit():
        position = int(sheet)
        if not 1 <= position <= len(names):
            raise _refuse(label, table, "data.problem.sheet", value=sheet, sheets=", ".join(names))
        return names[position - 1]
    if sheet in names:
        return str(sheet)
    raise _refuse(label, table, "data.problem.sheet", value=sheet, sheets=", ".join(names))


Rows = Iterator[Sequence[Any]]


def _xlsx_rows(path: Path, options: ReadOptions, table: str) -> tuple[Rows, Rows | None, Any]:
    """Values and formulas of an .xlsx sheet from the header row on (openpyxl: it tells a
    formula whose result was never saved from an empty cell)."""
    import openpyxl

    label = str(path)
    try:
        values_book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formula_book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _refuse(label, table, "data.problem.unreadable_excel", value=str(exc)[:200]) from exc
    name = _pick_sheet(label, table, values_book.sheetnames, options.sheet)
    value_rows = values_book[name].iter_rows(min_row=options.header_row, values_only=True)
    formula_rows = formula_book[name].iter_rows(min_row=options.header_row, values_only=True)

    def close() -> None:
        values_book.close()
        formula_book.close()

    return value_rows, formula_rows, close


def _xls_rows(path: Path, options: ReadOptions, table: str) -> tuple[Rows, Rows | None, Any]:
    """Values of an old Excel (.xls, BIFF) sheet from the header row on, read by calamine.

    A BIFF formula record always carries the result Excel saved with it, so there is no
    "formula without a value" to refuse here (an empty result reads as an empty cell).
    Empty cells come back as ``""`` and are missing, as in the .xlsx path.
    """
    from python_calamine import CalamineWorkbook

    label = str(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        name = _pick_sheet(label, table, list(book.sheet_names), options.sheet)
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except CxpulseError:
        raise
    except Exception as exc:  # calamine raises its own types for a broken workbook
        raise _refuse(label, table, "data.problem.unreadable_excel", value=str(exc)[:200]) from exc
    rows = ([None if c == "" else c for c in r] for r in grid[options.header_row - 1 :])
    return rows, None, book.close


def _excel_table(path: Path, options: ReadOptions, table: str) -> pa.Table:
    """An Excel sheet as text columns; formula cells without a saved value are refused."""
    label = str(path)
    reader = _xls_rows if path.suffix.lower() in OLD_EXCEL_SUFFIXES else _xlsx_rows
    value_rows, formula_rows, close = reader(path, options, table)
    try:
        return _sheet_table(label, table, options, value_rows, formula_rows)
    finally:
        close()


def _sheet_table(
    label: str, table: str, options: ReadOptions, value_rows: Rows, formula_rows: Rows | None
) -> pa.Table:
    skip = options.header_row - 1
    forms: Rows = formula_rows if formula_rows is not None else iter(lambda: (), None)
    header_cells = next(value_rows, None)
    next(forms, None)
    if header_cells is None or not any(c is not None for c in header_cells):
        raise _refuse(label, table, "data.problem.no_header", row=options.header_row)
    header = _unique_header(label, table, ["" if c is None else str(c) for c in header_cells])
    for _ in range(options.skip_rows):
        next(value_rows, None)
        next(forms, None)
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in header]
    row_numbers: list[int] = []
    problems: list[Problem] = []
    missing_formulas = 0
    first = skip + 2 + options.skip_rows
    for index, vals in enumerate(value_rows, first):
        formulas = next(forms, ())
        if all(v is None for v in vals):
            continue
        row_numbers.append(index)
        for j in range(width):
            v = vals[j] if j < len(vals) else None
            f = formulas[j] if j < len(formulas) else None
            if v is None and isinstance(f, str) and f.startswith("="):
                missing_formulas += 1
                if len(problems) < 200:
                    problems.append(
                        Problem.of(
                            "data.problem.formula_without_value",
                            row=index,
                            column=header[j],
                            value=f,
                        )
                    )
            columns[j].append(_cell_text(v))
    if missing_formulas:
        raise ValidationError(label, table, problems, missing_formulas)
    data = {h: pa.array(c, type=pa.string()) for h, c in zip(header, columns, strict=True)}
    data["__row"] = pa.array(row_numbers, type=pa.int64())
    return pa.table(data)


def _cell_text(value: Any) -> str | None:
    """An Excel cell as the text a CSV export would hold (dates ISO, whole floats as ints)."""
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _with_row_numbers(table: pa.Table, first: int) -> pa.Table:
    rows = pa.array(range(first, table.num_rows + first), type=pa.int64())
    return table.append_column("__row", rows)


def _frame_to_arrow(source: Any) -> pa.Table | None:
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatchReader):
        return source.read_all()
    module = type(source).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(source, preserve_index=False)
    if module == "polars":
        arrow: pa.Table = source.to_arrow()
        return arrow
    if hasattr(source, "__arrow_c_stream__"):
        return pa.table(source)
    return None


def _expand_paths(source: str | Path) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in PARQUET_SUFFIXES)
        if not files:
            raise SourceError(key="data.error.no_parquet", values={"path": path})
        return files
    if any(ch in str(source) for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(source)))
        if not files:
            raise SourceError(key="data.error.no_match", values={"source": source})
        return files
    if not path.exists():
        raise SourceError(key="data.error.not_found", values={"path": path})
    return [path]


def stage_source(source: Any, options: ReadOptions | None = None, table: str = "?") -> StagedSource:
    """Describe how to read ``source``: a path, a folder or glob of Parquet files, or a frame."""
    options = options or ReadOptions()
    arrow = _frame_to_arrow(source)
    if arrow is not None:
        if len(set(arrow.column_names)) != len(arrow.column_names):
            _unique_header(f"<{type(source).__name__}>", table, list(arrow.column_names))
        return StagedSource(label=f"<{type(source).__name__}>", arrow=_with_row_numbers(arrow, 1))
    if not isinstance(source, (str, Path)):
        raise SourceError(
            f"cannot load an object of type {type(source).__name__}; pass a file path "
            "(CSV, Parquet, Excel), a folder of Parquet files, or a pandas/polars/Arrow table."
        )
    files = _expand_paths(source)
    suffixes = {p.suffix.lower() for p in files}
    label = str(source)
    if suffixes <= PARQUET_SUFFIXES:
        quoted = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
        sql = f"read_parquet([{quoted}], file_row_number = true, filename = true)"
        return StagedSource(label=label, sql=sql)
    if len(files) != 1:
        raise SourceError(key="data.error.several", values={"source": source})
    path = files[0]
    suffix = path.suffix.lower()
    first = options.header_row + 1 + options.skip_rows
    if suffix in CSV_SUFFIXES:
        table_, notes = _csv_table(path, options, table)
        return StagedSource(label=label, arrow=_with_row_numbers(table_, first), notes=tuple(notes))
    if suffix in EXCEL_SUFFIXES:
        return StagedSource(label=label, arrow=_excel_table(path, options, table))
    raise SourceError(key="data.error.file_type", values={"path": str(path), "suffix": suffix})


def read_header(path: Path, options: ReadOptions | None = None) -> list[str]:
    """The column names of a CSV or Excel file (empty when they cannot be read)."""
    options = options or ReadOptions()
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            reader = _xls_rows if path.suffix.lower() in OLD_EXCEL_SUFFIXES else _xlsx_rows
            rows, _, close = reader(path, options, "?")
            try:
                row = next(rows, ())
            finally:
                close()
            return [str(c) for c in row if c is not None]
        if path.suffix.lower() not in CSV_SUFFIXES:
            return []
        encoding = options.encoding or detect_encoding(path) or "utf-8"
        lines = _sample_text(path, encoding).splitlines()[options.header_row - 1 :]
        delimiter = options.delimiter or sniff_delimiter(lines[:20]) or ","
        return next(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter), [])
    except Exception:  # a hint only: an unreadable header has already been reported
        return []
