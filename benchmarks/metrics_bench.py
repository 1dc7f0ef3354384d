"""Benchmark: the indicator table (NPS, CSAT, CES with intervals by segment x month) three ways.

1. cxpulse: ``Workspace.metrics(["nps", "csat", "ces"], by="segment", grain="month")``
2. pandas: read the rows into a DataFrame, merge the segment, group by, compute intervals
3. hand-written DuckDB SQL: one query for the sufficient statistics, intervals in numpy

Data: N survey answers generated in chunks with numpy straight into a DuckDB file (no full
copy in memory). Each way runs in its own subprocess so that its peak memory (ru_maxrss) is
its own. Usage::

    .venv/bin/python benchmarks/metrics_bench.py --n 10_000_000
    .venv/bin/python benchmarks/metrics_bench.py --n 100_000_000 --ways cxpulse,sql
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

SEGMENTS = ("SMB", "Mid-Market", "Enterprise", "Strategic")
MONTHS = 24
START = np.datetime64("2025-01-01T00:00:00", "s")
WAYS = ("cxpulse", "pandas", "sql")


# ---- data -------------------------------------------------------------------------------
def generate(path: Path, n: int, accounts: int, chunk: int, seed: int = 7) -> None:
    """Write ``accounts`` accounts and ``n`` answers (kind, score, account, time) to ``path``."""
    import duckdb
    import pyarrow as pa

    from cxpulse.workspace import Workspace

    if path.exists():
        path.unlink()
    Workspace.connect(f"duckdb:///{path}").close()  # the canonical, typed empty tables
    con = duckdb.connect(str(path))
    rng = np.random.default_rng(seed)
    ids = np.array([f"A{i:07d}" for i in range(accounts)], dtype=object)
    acc = pa.table(
        {
            "account_id": pa.array(ids, pa.string()),
            "segment": pa.array(rng.choice(np.array(SEGMENTS, dtype=object), accounts)),
            "start_date": pa.array(np.full(accounts, np.datetime64("2024-01-01", "D"))),
        }
    )
    con.register("acc_chunk", acc)
    con.execute("INSERT INTO accounts (account_id, segment, start_date) SELECT * FROM acc_chunk")
    con.unregister("acc_chunk")
    dictionary = pa.array(ids, pa.string())
    kinds = pa.array(["nps", "csat", "ces"], pa.string())
    span = MONTHS * 30 * 24 * 3600
    done = 0
    while done < n:
        m = min(chunk, n - done)
        kind = rng.choice(np.array([0, 1, 2], dtype=np.int8), m, p=[0.5, 0.3, 0.2])
        score = np.where(
            kind == 0,
            rng.integers(0, 11, m),
            np.where(kind == 1, rng.integers(1, 6, m), rng.integers(1, 8, m)),
        )
        table = pa.table(
            {
                "account_id": pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, accounts, m).astype(np.int32)), dictionary
                ),
                "kind": pa.DictionaryArray.from_arrays(pa.array(kind), kinds),
                "score": pa.array(score.astype(np.int64)),
                "responded_at": pa.array(START + rng.integers(0, span, m).astype("m8[s]")),
            }
        )
        con.register("chunk", table)
        con.execute(
            "INSERT INTO responses (account_id, kind, score, responded_at) "
            "SELECT account_id::VARCHAR, kind::VARCHAR, score, responded_at FROM chunk"
        )
        con.unregister("chunk")
        done += m
        print(f"  generated {done:,} / {n:,}", file=sys.stderr, flush=True)
    con.execute("CHECKPOINT")
    con.close()


# ---- the three ways ---------------------------------------------------------------------
def run_cxpulse(path: Path) -> list[dict[str, Any]]:
    from cxpulse.workspace import Workspace

    ws = Workspace.connect(f"duckdb:///{path}")
    table = ws.metrics(["nps", "csat", "ces"], by="segment", grain="month")
    return [
        {
            "metric": r.metric,
            "segment": r.group["segment"],
            "period": str(r.period),
            "value": r.value,
            "n": r.n,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
        }
        for r in table.rows
    ]


def _intervals(stats: Any) -> list[dict[str, Any]]:
    """NPS (multinomial), CSAT top-2-box (Wilson), CES mean (t) from a frame of sums."""
    from scipy import stats as sp

    z = sp.norm.ppf(0.975)
    out: list[dict[str, Any]] = []
    for rec in stats.to_dict("records"):
        base = {"segment": rec["segment"], "period": str(rec["period"])[:10]}
        n = rec["nps_n"]
        if n:
            pp, pd_ = rec["promoters"] / n, rec["detractors"] / n
            v = 100 * (pp - pd_)
            h = z * 100 * np.sqrt(max(pp + pd_ - (pp - pd_) ** 2, 0.0) / n)
            out.append(
                {
                    **base,
                    "metric": "nps",
                    "value": v,
                    "n": int(n),
                    "ci_low": max(-100, v - h),
                    "ci_high": min(100, v + h),
                }
            )
        n = rec["csat_n"]
        if n:
            p = rec["csat_top"] / n
            c = (p + z * z / (2 * n)) / (1 + z * z / n)
            h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
            out.append(
                {
                    **base,
                    "metric": "csat",
                    "value": 100 * p,
                    "n": int(n),
                    "ci_low": 100 * (c - h),
                    "ci_high": 100 * (c + h),
                }
            )
        n = rec["ces_n"]
        if n:
            mean = rec["ces_sum"] / n
            var = max((rec["ces_sumsq"] - n * mean * mean) / (n - 1), 0.0) if n > 1 else 0.0
            h = sp.t.ppf(0.975, n - 1) * np.sqrt(var / n) if n > 1 else float("nan")
            out.append(
                {
                    **base,
                    "metric": "ces",
                    "value": mean,
                    "n": int(n),
                    "ci_low": mean - h,
                    "ci_high": mean + h,
                }
            )
    return out


def run_pandas(path: Path) -> list[dict[str, Any]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    r = con.execute("SELECT account_id, kind, score, responded_at FROM responses").df()
    a = con.execute("SELECT account_id, segment FROM accounts").df()
    con.close()
    df = r.merge(a, on="account_id", how="left")
    df["period"] = df["responded_at"].dt.to_period("M").dt.start_time
    nps = df[df.kind == "nps"]
    csat = df[df.kind == "csat"]
    ces = df[df.kind == "ces"]
    keys = ["segment", "period"]
    g1 = nps.assign(p=nps.score >= 9, d=nps.score <= 6).groupby(keys)
    g2 = csat.assign(t=csat.score >= 4).groupby(keys)
    g3 = ces.assign(sq=ces.score.astype(float) ** 2).groupby(keys)
    import pandas as pd

    stats = (
        pd.concat(
            {
                "nps_n": g1.size(),
                "promoters": g1.p.sum(),
                "detractors": g1.d.sum(),
                "csat_n": g2.size(),
                "csat_top": g2.t.sum(),
                "ces_n": g3.size(),
                "ces_sum": g3.score.sum(),
                "ces_sumsq": g3.sq.sum(),
            },
            axis=1,
        )
        .fillna(0)
        .reset_index()
    )
    return _intervals(stats)


HAND_SQL = """
SELECT a.segment,
       date_trunc('month', r.responded_at) AS period,
       count(*) FILTER (WHERE r.kind = 'nps') AS nps_n,
       count(*) FILTER (WHERE r.kind = 'nps' AND r.score >= 9) AS promoters,
       count(*) FILTER (WHERE r.kind = 'nps' AND r.score <= 6) AS detractors,
       count(*) FILTER (WHERE r.kind = 'csat') AS csat_n,
       count(*) FILTER (WHERE r.kind = 'csat' AND r.score >= 4) AS csat_top,
       count(*) FILTER (WHERE r.kind = 'ces') AS ces_n,
       sum(r.score) FILTER (WHERE r.kind = 'ces') AS ces_sum,
       sum(r.score * r.score) FILTER (WHERE r.kind = 'ces') AS ces_sumsq
FROM responses r LEFT JOIN accounts a ON a.account_id = r.account_id
GROUP BY 1, 2
"""


def run_sql(path: Path) -> list[dict[str, Any]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    stats = con.execute(HAND_SQL).df().fillna(0)
    con.close()
    return _intervals(stats)


RUNNERS = {"cxpulse": run_cxpulse, "pandas": run_pandas, "sql": run_sql}


def child(way: str, path: Path) -> None:
    # imports are not what is measured: load them all before the clock starts
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    from scipy import stats  # noqa: F401

    import cxpulse.metrics.engine
    import cxpulse.workspace  # noqa: F401

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    rows = RUNNERS[way](path)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total_n = sum(int(r["n"]) for r in rows)
    nps = {(r["segment"], r["period"][:10]): r["value"] for r in rows if r["metric"] == "nps"}
    print(
        json.dumps(
            {
                "way": way,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mb": peak_mb,
                "rows": len(rows),
                "total_n": total_n,
                "nps": {f"{k[0]}|{k[1]}": v for k, v in nps.items()},
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=5_000_000)
    parser.add_argument("--db", type=Path, default=None, help="DuckDB file (default: temp)")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing --db file")
    parser.add_argument("--ways", default=",".join(WAYS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per way (best is kept)")
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    db = args.db or Path(os.environ.get("TMPDIR", "/tmp")) / f"cxpulse_bench_{args.n}.duckdb"
    if args.child:
        child(args.child, db)
        return
    if not (args.reuse and db.exists()):
        t = time.perf_counter()
        generate(db, args.n, args.accounts, args.chunk)
        print(
            f"generated {args.n:,} answers in {time.perf_counter() - t:.1f} s -> {db} "
            f"({db.stat().st_size / 1e9:.2f} GB)"
        )
    print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results: dict[str, dict[str, Any]] = {}
    for way in args.ways.split(","):
        best: dict[str, Any] | None = None
        for _ in range(args.repeat if way != "pandas" else 1):
            out = subprocess.run(
                [sys.executable, __file__, "--child", way, "--db", str(db), "--n", str(args.n)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            res = json.loads(out.strip().splitlines()[-1])
            if best is None or res["seconds"] < best["seconds"]:
                best = res
        assert best is not None
        results[way] = best
        print(
            f"{way:8s} {best['seconds']:8.2f} s wall {best['cpu_seconds']:8.2f} s cpu   "
            f"peak {best['peak_mb']:6.0f} MB   "
            f"{best['rows']} rows, n total {best['total_n']:,}"
        )
    ref = results.get("sql") or next(iter(results.values()))
    for way, res in results.items():
        worst = max(abs(res["nps"][k] - v) for k, v in ref["nps"].items())
        same_n = res["total_n"] == ref["total_n"]
        print(
            f"{way:8s} agrees with {ref['way']}: n {'yes' if same_n else 'NO'}, "
            f"max NPS difference {worst:.2e}"
        )
    if "cxpulse" in results:
        c = results["cxpulse"]["seconds"]
        for other in ("pandas", "sql"):
            if other in results:
                cpu_ratio = results[other]["cpu_seconds"] / results["cxpulse"]["cpu_seconds"]
                print(
                    f"{other} / cxpulse time ratio: wall {results[other]['seconds'] / c:.2f}, "
                    f"cpu {cpu_ratio:.2f}"
                )


if __name__ == "__main__":
    main()
