"""Health score end to end at scale: features + score + explanations, engine vs pandas.

    .venv/bin/python benchmarks/health/bench_health.py --accounts 1000000 --events 10000000
    .venv/bin/python benchmarks/health/bench_health.py --accounts 1000000 --events 30000000
    .venv/bin/python benchmarks/health/bench_health.py --accounts 1000000 --events 100000000

Synthetic tables are generated inside DuckDB (SQL ``range`` + ``random``): ``accounts``,
``usage_events`` (``--events``), ``tickets`` (``--tickets``, default events / 10),
``responses``, ``touchpoints`` and ``invoices``. Each phase runs in its own process so its
peak memory (max RSS, DuckDB's memory included) is its own:

* ``engine``: ``compute_features`` (one ibis expression per run, executed by DuckDB) for the
  default catalogue, then the expert score, contributions and explanation JSON of every
  account, written to ``health_scores``;
* ``pandas``: the same features computed by the plain pandas reference
  (``tests/health/health_reference.py``) from the same tables read into pandas (only the
  columns it needs, Arrow-backed strings); its result is compared with the engine's.

Results go to ``benchmarks/health/results/<events>.json`` and are printed as one table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "health"))

AS_OF = dt.datetime(2025, 7, 1)
START = "2025-01-01"
DAYS = 180  # activity spans 2025-01-01 .. 2025-06-30


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def generate(path: Path, accounts: int, events: int, tickets: int, threads: int) -> dict[str, Any]:
    """Write the synthetic workspace with plain DuckDB SQL (nothing passes through Python)."""
    import duckdb

    from cxpulse.workspace import Workspace

    if path.exists():
        path.unlink()
    Workspace.connect(f"duckdb:///{path}").close()  # canonical, typed, empty tables
    con = duckdb.connect(str(path))
    con.execute(f"SET threads = {threads}")
    started = time.perf_counter()
    a = accounts
    con.execute(f"""
        INSERT INTO accounts (account_id, name, segment, start_date, end_date, mrr, licenses)
        SELECT 'A' || lpad(i::VARCHAR, 8, '0'), 'Account ' || i,
               ['SMB', 'Mid-Market', 'Enterprise'][(1 + i % 3)::BIGINT],
               DATE '{START}' - (30 + (hash(i) % 1000))::INTEGER,
               CASE WHEN hash(i * 7) % 20 = 0 THEN DATE '2025-03-01' + (hash(i) % 200)::INTEGER
                    END,
               100 + hash(i * 3) % 5000, 5 + hash(i * 5) % 60
        FROM range({a}) t(i)""")
    con.execute(f"""
        INSERT INTO usage_events (event_id, account_id, user_id, occurred_at, feature, quantity)
        SELECT 'E' || i, 'A' || lpad((hash(i) % {a})::VARCHAR, 8, '0'),
               'u' || (hash(i * 13) % 40),
               TIMESTAMP '{START}' + to_seconds((hash(i * 17) % {DAYS * 86400})::BIGINT),
               ['dashboards','reports','alerts','api','exports','sso','billing','search',
                'mobile','automations','integrations','admin'][(1 + hash(i * 19) % 12)::BIGINT],
               1 + hash(i * 23) % 9
        FROM range({events}) t(i)""")
    con.execute(f"""
        INSERT INTO tickets (ticket_id, account_id, opened_at, resolved_at, status, priority)
        SELECT 'T' || i, 'A' || lpad((hash(i) % {a})::VARCHAR, 8, '0'), o,
               CASE WHEN hash(i * 3) % 10 = 0 THEN NULL
                    ELSE o + to_minutes((5 + hash(i * 5) % 5000)::BIGINT) END,
               'closed', ['low','normal','high','urgent'][(1 + hash(i * 7) % 4)::BIGINT]
        FROM (SELECT i, TIMESTAMP '{START}' + to_seconds((hash(i * 11) % {DAYS * 86400})::BIGINT)
              AS o FROM range({tickets}) t(i))""")
    responses = 2 * a
    con.execute(f"""
        INSERT INTO responses (response_id, account_id, kind, score, responded_at)
        SELECT 'R' || i, 'A' || lpad((hash(i) % {a})::VARCHAR, 8, '0'),
               CASE WHEN i % 2 = 0 THEN 'nps' ELSE 'csat' END,
               CASE WHEN i % 2 = 0 THEN hash(i * 3) % 11 ELSE 1 + hash(i * 3) % 5 END,
               TIMESTAMP '{START}' + to_seconds((hash(i * 11) % {DAYS * 86400})::BIGINT)
        FROM range({responses}) t(i)""")
    con.execute(f"""
        INSERT INTO touchpoints (touchpoint_id, account_id, occurred_at, kind, rating)
        SELECT 'P' || i, 'A' || lpad((hash(i) % {a})::VARCHAR, 8, '0'),
               TIMESTAMP '{START}' + to_seconds((hash(i * 11) % {DAYS * 86400})::BIGINT),
               'call', 1 + hash(i * 3) % 5
        FROM range({a}) t(i)""")
    con.execute(f"""
        INSERT INTO invoices (invoice_id, account_id, issued_at, period_start, due_date, paid_at,
                              amount, status)
        SELECT 'I' || i || '-' || m, 'A' || lpad(i::VARCHAR, 8, '0'), d, d, d + 15,
               CASE WHEN hash(i * m) % 12 = 0 THEN NULL ELSE d + 10 END,
               100 + hash(i) % 5000, 'open'
        FROM range({a}) t(i), (SELECT m, (DATE '2025-01-01' + to_months(m::INTEGER))::DATE AS d
                                FROM range(6) s(m))""")
    con.close()
    return {"generate_s": round(time.perf_counter() - started, 2)}


def run_engine(path: Path, out: Path, threads: int) -> dict[str, Any]:
    from cxpulse.health import ExpertModel, compute_features, parse_health_config
    from cxpulse.health.config import HealthConfig
    from cxpulse.health.scoring import score_frame, write_scores
    from cxpulse.workspace import Workspace

    cfg = parse_health_config({})
    signals = tuple(s for s in cfg.signals if s.source != "override")
    ws = Workspace.connect(f"duckdb:///{path}")
    ws.con.raw_sql(f"SET threads = {threads}")
    t0 = time.perf_counter()
    X = compute_features(ws, AS_OF, signals)
    t1 = time.perf_counter()
    model = ExpertModel(signals).fit(X)
    frame = score_frame(model, X, as_of=AS_OF, config=HealthConfig())
    t2 = time.perf_counter()
    write_scores(ws, frame)
    t3 = time.perf_counter()
    X.to_parquet(out)
    ws.close()
    return {
        "accounts_scored": len(frame),
        "features_s": round(t1 - t0, 2),
        "score_explain_s": round(t2 - t1, 2),
        "write_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
        "peak_mb": round(peak_mb()),
    }


def run_pandas(path: Path, engine_out: Path) -> dict[str, Any]:
    import duckdb
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from health_reference import features

    from cxpulse.health import parse_health_config

    cfg = parse_health_config({})
    lookbacks = {s.name: s.lookback_days for s in cfg.signals if s.source != "override"}
    needed = {
        "accounts": "account_id, start_date, end_date, licenses",
        "usage_events": "account_id, user_id, occurred_at, feature, quantity",
        "tickets": "account_id, opened_at, resolved_at, priority",
        "responses": "account_id, kind, score, responded_at",
        "touchpoints": "account_id, occurred_at, rating",
        "invoices": "account_id, issued_at, due_date, paid_at, amount, status",
    }
    con = duckdb.connect(str(path), read_only=True)
    t0 = time.perf_counter()
    tables = {
        name: con.execute(f"SELECT {cols} FROM {name}")
        .fetch_arrow_table()
        .to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
        for name, cols in needed.items()
    }
    tables["outcomes"] = pd.DataFrame(columns=["account_id", "outcome", "occurred_at"])
    con.close()
    t1 = time.perf_counter()
    got = features(tables, AS_OF, lookbacks)
    t2 = time.perf_counter()
    engine = pd.read_parquet(engine_out)
    same_index = (
        bool((engine.index == got.index.astype(str)).all()) if len(engine) == len(got) else False
    )
    diff = (engine[got.columns].to_numpy() - got.to_numpy()) if same_index else np.array([np.inf])
    both_nan = np.isnan(engine[got.columns].to_numpy()) & np.isnan(got.to_numpy())
    max_diff = float(np.nanmax(np.where(both_nan, 0.0, np.abs(diff)))) if same_index else None
    return {
        "read_s": round(t1 - t0, 2),
        "features_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "peak_mb": round(peak_mb()),
        "same_accounts": same_index,
        "max_abs_diff_vs_engine": max_diff,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cxpulse-health-bench"))
    parser.add_argument("--phase", choices=["all", "generate", "engine", "pandas"], default="all")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    tickets = args.tickets if args.tickets is not None else args.events // 10
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / f"ws_{args.events}.duckdb"
    engine_out = args.workdir / f"features_{args.events}.parquet"
    if args.phase == "generate":
        print(json.dumps(generate(db, args.accounts, args.events, tickets, args.threads)))
        return
    if args.phase == "engine":
        print(json.dumps(run_engine(db, engine_out, args.threads)))
        return
    if args.phase == "pandas":
        print(json.dumps(run_pandas(db, engine_out)))
        return

    def phase(name: str) -> dict[str, Any]:
        cmd = [
            sys.executable,
            __file__,
            "--phase",
            name,
            "--accounts",
            str(args.accounts),
            "--events",
            str(args.events),
            "--tickets",
            str(tickets),
            "--threads",
            str(args.threads),
            "--workdir",
            str(args.workdir),
        ]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    result: dict[str, Any] = {
        "accounts": args.accounts,
        "usage_events": args.events,
        "tickets": tickets,
        "threads": args.threads,
    }
    result["generate"] = phase("generate")
    result["engine"] = phase("engine")
    if not args.skip_pandas:
        result["pandas"] = phase("pandas")
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"{args.events}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
