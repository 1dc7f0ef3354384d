"""The embedded workspace shared by processes: what leasing the DuckDB file costs.

    .venv/bin/python benchmarks/concurrency_bench.py [--rows 200000] [--rounds 10]

1. In one process, the same aggregate on a held DuckDB connection (the baseline, as before
   the file was leased) and through the leased backend after the lease has lapsed (each query
   opens and closes the file): median milliseconds and their ratio.
2. Two processes: a reader counting answers every 50 ms while a writer loads ``--rounds``
   batches of 1,000 new answers; the reader's median and 95th-percentile latency, the slowest
   read, the writer's mean load time, and the final count (must be exact).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from cxpulse import Workspace

CHILD = r"""
import json, sys, time
import pandas as pd
from cxpulse import Workspace
project, role, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
ws = Workspace.open(project)
out = []
if role == "writer":
    for k in range(rounds):
        frame = pd.DataFrame({"response_id": [f"W{k}-{j}" for j in range(1000)],
            "account_id": "A1", "kind": "nps", "score": [j % 11 for j in range(1000)],
            "responded_at": pd.Timestamp("2026-11-01")})
        t0 = time.perf_counter(); ws.load("responses", frame); out.append(time.perf_counter() - t0)
        time.sleep(0.1)
else:
    until = time.monotonic() + rounds
    while time.monotonic() < until:
        t0 = time.perf_counter(); ws.count("responses"); out.append(time.perf_counter() - t0)
        time.sleep(0.05)
print(json.dumps(out))
"""


def _median_ms(fn, n: int = 30) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp()) / "proj"
    folder.mkdir()
    (folder / "cxpulse.toml").write_text('name = "bench"\n')
    answers = pd.DataFrame({
        "response_id": [f"R{i}" for i in range(args.rows)], "account_id": "A1", "kind": "nps",
        "score": [i % 11 for i in range(args.rows)], "responded_at": pd.Timestamp("2026-10-01"),
    })  # fmt: skip
    with Workspace.open(folder) as ws:
        ws.load("responses", answers)
    path = folder / "workspace.duckdb"
    sql = "SELECT count(*), avg(score) FROM responses"

    held = duckdb.connect(str(path))
    baseline = _median_ms(lambda: held.execute(sql).fetchall())
    held.close()
    ws = Workspace.open(folder)

    def leased() -> None:
        ws.con.raw_sql(sql).fetchall()
        time.sleep(0.2)  # let the lease lapse, so the next call opens the file again

    cold = _median_ms(leased, 15) - 200
    warm = _median_ms(lambda: ws.con.raw_sql(sql).fetchall())
    ws.close()

    procs = {
        role: subprocess.Popen([sys.executable, "-c", CHILD, str(folder), role, str(args.rounds)],
                               stdout=subprocess.PIPE, text=True)
        for role in ("reader", "writer")
    }  # fmt: skip
    results = {role: json.loads(p.communicate()[0]) for role, p in procs.items()}
    reads = sorted(results["reader"])
    with Workspace.open(folder) as ws:
        final = ws.count("responses")
    figures = {
        "rows": args.rows,
        "held_connection_ms": round(baseline, 2),
        "leased_cold_ms": round(cold, 2),
        "leased_warm_ms": round(warm, 2),
        "cold_over_held": round(cold / baseline, 1),
        "reader_p50_ms": round(1000 * statistics.median(reads), 1),
        "reader_p95_ms": round(1000 * reads[int(0.95 * (len(reads) - 1))], 1),
        "reader_max_ms": round(1000 * reads[-1], 1),
        "reads": len(reads),
        "writer_mean_load_ms": round(1000 * statistics.mean(results["writer"]), 1),
        "final_count": final,
        "expected_count": args.rows + 1000 * args.rounds,
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
