"""Loading large files: time and peak memory of rejecting a bad file, a first load, a reload.

    .venv/bin/python benchmarks/load_bench.py                 # 2M bad CSV, 10M Parquet
    .venv/bin/python benchmarks/load_bench.py --bad-rows 200000 --rows 1000000   # quick

Each phase runs in a fresh process (so its peak resident memory is its own) against a DuckDB
workspace file:

* ``reject``: a CSV of ``--bad-rows`` responses whose one bad score sits 10 rows from the end;
  the load must be refused (whole file, nothing written).
* ``first``: a Parquet file of ``--rows`` responses into an empty workspace.
* ``reload``: the same file again (every row unchanged).

The baseline, run in the same process as each phase, is DuckDB itself reading the same file
into a table of a DuckDB file (``CREATE TABLE AS SELECT * FROM read_csv/read_parquet``): the
ratio says what validation and the upsert cost on top of reading and writing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_files(folder: Path, rows: int, bad_rows: int) -> tuple[Path, Path]:
    import duckdb

    con = duckdb.connect()
    select = (
        "SELECT 'r' || i AS response_id, 'a' || (i % 50000) AS account_id, "
        "CASE i % 3 WHEN 0 THEN 'nps' WHEN 1 THEN 'csat' ELSE 'ces' END AS kind, "
        "CASE i % 3 WHEN 0 THEN i % 11 WHEN 1 THEN 1 + i % 5 ELSE 1 + i % 7 END AS score, "
        "TIMESTAMP '2025-01-01' + to_seconds(i % 31536000) AS responded_at, "
        "CASE WHEN i % 4 = 0 THEN 'support' ELSE 'relationship' END AS touchpoint, "
        "CASE WHEN i % 5 = 0 THEN 'muy bien, gracias' END AS comment "
        "FROM range({n}) t(i)"
    )
    parquet = folder / f"responses_{rows}.parquet"
    if not parquet.exists():
        con.execute(f"COPY ({select.format(n=rows)}) TO '{parquet}' (FORMAT parquet)")
    bad = folder / f"responses_{bad_rows}_bad.csv"
    if not bad.exists():
        body = select.format(n=bad_rows)
        bad_at = bad_rows - 10
        body = (
            f"SELECT * REPLACE (CASE WHEN response_id = 'r{bad_at}' THEN 42 ELSE score END "
            f"AS score) FROM ({body})"
        )
        con.execute(f"COPY ({body}) TO '{bad}' (FORMAT csv, HEADER)")
    return parquet, bad


def run_phase(phase: str, path: str, workspace: str) -> dict[str, float | str]:
    import duckdb

    from cxpulse.errors import ValidationError
    from cxpulse.workspace import Workspace

    reader = "read_csv" if path.endswith(".csv") else "read_parquet"
    plain = Path(workspace).with_name(f"baseline_{phase}.duckdb")
    plain.unlink(missing_ok=True)
    con = duckdb.connect(str(plain))
    started = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}('{path}')")
    baseline = time.perf_counter() - started
    con.close()
    plain.unlink(missing_ok=True)
    ws = Workspace.connect(f"duckdb:///{workspace}")
    started = time.perf_counter()
    outcome = "loaded"
    try:
        report = ws.load("responses", path)
        outcome = f"loaded {report.rows} rows ({report.unchanged} unchanged)"
    except ValidationError as exc:
        outcome = f"rejected: {exc.total} problem(s), first at row {exc.problems[0].row}"
    seconds = time.perf_counter() - started
    rows = ws.count("responses")
    ws.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "phase": phase,
        "seconds": round(seconds, 2),
        "baseline_seconds": round(baseline, 2),
        "ratio": round(seconds / baseline, 2) if baseline else 0.0,
        "peak_mb": round(peak_mb),
        "outcome": outcome,
        "rows_in_workspace": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--bad-rows", type=int, default=2_000_000)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "cx_bench")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.path, args.workspace)))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    parquet, bad = make_files(args.folder, args.rows, args.bad_rows)
    workspace = args.folder / "bench.duckdb"
    for stale in (workspace, workspace.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    results = []
    for phase, path in (("reject", bad), ("first", parquet), ("reload", parquet)):
        out = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--path", str(path),
             "--workspace", str(workspace)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    print("\n| phase | rows | seconds | DuckDB read alone (s) | ratio | peak MB | outcome |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        n = args.bad_rows if r["phase"] == "reject" else args.rows
        print(
            f"| {r['phase']} | {n:,} | {r['seconds']} | {r['baseline_seconds']} | {r['ratio']} "
            f"| {r['peak_mb']} | {r['outcome']} |"
        )


if __name__ == "__main__":
    main()
