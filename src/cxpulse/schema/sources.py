"""Reading user input (files or in-memory frames) into a staging relation for validation.

Files are read by DuckDB or Arrow, never row by row in Python. Every staged row keeps its
position in the source (``__row``, counted as in a spreadsheet: the header is row 1, the first
data row is row 2; in Parquet files and in-memory frames the first record is row 1), so
that a problem can be reported where the user will find it.
"""

from __future__ import annotations

import csv
import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from cxpulse.errors import CxpulseError, Problem, ValidationError

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


class SourceError(CxpulseError):
    """A source that cannot be read at all (missing file, unknown format)."""


@dataclass(frozen=True)
class StagedSource:
    """What to tell the user the source was, and how DuckDB reads it."""

    label: str
    sql: str | None = None  # a DuckDB table function call, for large files
    arrow: pa.Table | None = None  # an in-memory table with a __row column


def _csv_table(path: Path) -> pa.Table:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(newline="", encoding="utf-8-sig") as fh:
        sample = fh.read(64 * 1024)
    if not sample.strip():
        raise ValidationError(str(path), "?", [Problem(None, None, "the file is empty")])
    if path.suffix.lower() == ".csv":
        try:
            delimiter = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    header = next(csv.reader([sample.splitlines()[0]], delimiter=delimiter))
    header = [h.strip() for h in header]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, encoding="utf8"),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid as exc:
        raise ValidationError(
            str(path), "?", [Problem(None, None, f"not a readable CSV file: {exc}")]
        ) from exc
    return table


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
            raise SourceError(f"{path}: the folder holds no Parquet files (*.parquet) to load.")
        return files
    if any(ch in str(source) for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(source)))
        if not files:
            raise SourceError(f"{source}: no file matches this pattern.")
        return files
    if not path.exists():
        raise SourceError(f"{path}: file not found. Check the path and try again.")
    return [path]


def stage_source(source: Any) -> StagedSource:
    """Describe how to read ``source``: a path, a folder or glob of Parquet files, or a frame."""
    arrow = _frame_to_arrow(source)
    if arrow is not None:
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
        raise SourceError(f"{source}: several files match; only Parquet files can be combined.")
    path = files[0]
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return StagedSource(label=label, arrow=_with_row_numbers(_csv_table(path), 2))
    if suffix in EXCEL_SUFFIXES:
        import pandas as pd

        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=True)
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise ValidationError(
                label, "?", [Problem(None, None, f"not a readable Excel file: {exc}")]
            ) from exc
        frame.columns = [str(c).strip() for c in frame.columns]
        table = pa.Table.from_pandas(frame, preserve_index=False)
        return StagedSource(label=label, arrow=_with_row_numbers(table, 2))
    raise SourceError(
        f"{path}: unknown file type '{suffix}'. Use CSV (.csv, .tsv), Parquet (.parquet) "
        "or Excel (.xlsx)."
    )
