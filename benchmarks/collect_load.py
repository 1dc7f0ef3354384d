"""Load benchmark of answer ingestion: concurrent ``POST /api/v1/responses`` to a server.

Every request carries a unique Idempotency-Key and is durable when acknowledged (the
transaction commits before the 201). Reports answers per second and latency percentiles,
then checks that the store holds exactly the acknowledged answers.

Against a server this script starts (a throw-away project, uvicorn on 127.0.0.1):

    .venv/bin/python benchmarks/collect_load.py --store sqlite --requests 3000 --concurrency 32
    .venv/bin/python benchmarks/collect_load.py --store postgres \\
        --pg-url postgresql://postgres@127.0.0.1:55432/postgres --workers 2

Against a running server (needs an API token of an analyst and an existing NPS survey):

    .venv/bin/python benchmarks/collect_load.py --url http://127.0.0.1:8000 \\
        --token cxp_... --survey nps-rel

The run is bounded by ``--requests`` and ``--max-seconds``, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx


@dataclass
class Result:
    store: str
    workspace: str
    workers: int
    concurrency: int
    sent: int
    acknowledged: int
    errors: int
    seconds: float
    answers_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    stored: int | None
    server_cpu_ms_per_answer: float | None
    cpu_count: int
    load_average_1m: float


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, frontier = 0.0, [root]
    while frontier:
        pid = frontier.pop()
        total += stats.get(pid, (0, 0.0))[1]
        frontier.extend(child for child, (parent, _) in stats.items() if parent == pid)
    return total


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _prepare_store(store_url: str) -> str:
    """A migrated store with an NPS survey and an analyst's API token (returned)."""
    from cxpulse import collect, store

    store.migrate(store_url)
    with store.session(store_url) as s:
        collect.create_survey(s, "bench-nps", "nps")
        user = store.create_user(s, "bench@example.com", "bench-password", "analyst")
        token = store.create_api_token(s, user, "benchmark")
    store.dispose_engines()
    return token


def _create_pg_database(server_url: str) -> tuple[str, str]:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}", name


def _drop_pg_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_server(
    project: Path, store_url: str, workers: int, workspace_url: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    (project / "cxpulse.toml").write_text("[surveys]\nsync_interval_s = 2\n", "utf-8")
    env = {
        **os.environ,
        "CXPULSE_PROJECT": str(project),
        "CXPULSE_DATABASE_URL": store_url,
        "CXPULSE_WORKSPACE_URL": workspace_url or f"duckdb:///{project / 'ws.duckdb'}",
        "CXPULSE_SECRET_KEY": "b" * 40,
    }
    (project / "bench_app.py").write_text(
        f"from cxpulse.web import create_app\napp = create_app({str(project)!r})\n", "utf-8"
    )
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench_app:app",
        "--app-dir",
        str(project),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    log = open(project / "server.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit((project / "server.log").read_text())
        try:
            if httpx.get(url + "/favicon.ico", timeout=1).status_code < 500:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


async def _run_load(
    url: str, token: str, survey: str, requests: int, concurrency: int, max_seconds: float
) -> tuple[list[float], int, int, float]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    run = uuid.uuid4().hex[:8]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30, headers=headers) as c:
        # warm up connections and caches
        for i in range(min(concurrency, 20)):
            await c.post(
                "/api/v1/responses",
                json={"survey": survey, "score": 9, "account_id": "warm"},
                headers={"Idempotency-Key": f"warm-{run}-{i}"},
            )
        started = time.perf_counter()
        deadline = started + max_seconds
        counter = iter(range(requests))

        async def worker() -> None:
            nonlocal errors, sent
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                body = {"survey": survey, "score": i % 11, "account_id": f"acc-{i % 500}"}
                t0 = time.perf_counter()
                sent += 1
                try:
                    r = await c.post(
                        "/api/v1/responses",
                        json=body,
                        headers={"Idempotency-Key": f"{run}-{i}"},
                    )
                except httpx.TransportError:
                    errors += 1
                    continue
                if r.status_code == 201:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, errors, sent, elapsed


def _count_stored(store_url: str) -> int:
    from sqlalchemy import func, select

    from cxpulse import store

    with store.session(store_url) as s:
        n = s.scalar(
            select(func.count())
            .select_from(store.SurveyResponse)
            .where(store.SurveyResponse.account_id != "warm")
        )
    store.dispose_engines()
    return int(n or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (else one is started)")
    parser.add_argument("--token", help="API token for --url")
    parser.add_argument("--survey", default="bench-nps")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "CXPULSE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:55432/postgres"
        ),
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--workspace",
        choices=["duckdb", "postgres"],
        default="duckdb",
        help="analytics workspace the app syncs into (postgres whenever --workers > 1)",
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()

    proc = None
    pg_name = None
    ws_name = None
    store_url: str | None = None
    tmp = tempfile.TemporaryDirectory(prefix="cxpulse-bench-")
    try:
        if args.url:
            if not args.token:
                raise SystemExit("--token is required with --url")
            url, token = args.url, args.token
        else:
            project = Path(tmp.name)
            if args.store == "sqlite":
                store_url = f"sqlite:///{project / 'store.sqlite'}"
            else:
                store_url, pg_name = _create_pg_database(args.pg_url)
            token = _prepare_store(store_url)
            workspace_url = None
            if args.workspace == "postgres" or args.workers > 1:
                # a DuckDB file takes one writing process: several workers need a server
                workspace_url, ws_name = _create_pg_database(args.pg_url)
            proc, url = _start_server(project, store_url, args.workers, workspace_url)
        cpu_before = _tree_cpu_seconds(proc.pid) if proc is not None else 0.0
        latencies, errors, sent, elapsed = asyncio.run(
            _run_load(url, token, args.survey, args.requests, args.concurrency, args.max_seconds)
        )
        cpu_used = _tree_cpu_seconds(proc.pid) - cpu_before if proc is not None else None
        stored = _count_stored(store_url) if store_url else None
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for name in (pg_name, ws_name):
            if name is not None:
                _drop_pg_database(args.pg_url, name)
        tmp.cleanup()

    ms = [x * 1000 for x in latencies]
    result = Result(
        store="running server" if args.url else args.store,
        workspace="postgres" if (args.workspace == "postgres" or args.workers > 1) else "duckdb",
        workers=args.workers,
        concurrency=args.concurrency,
        sent=sent,
        acknowledged=len(latencies),
        errors=errors,
        seconds=round(elapsed, 2),
        answers_per_s=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(statistics.median(ms), 1) if ms else float("nan"),
        p95_ms=round(_percentile(ms, 0.95), 1),
        p99_ms=round(_percentile(ms, 0.99), 1),
        max_ms=round(max(ms), 1) if ms else float("nan"),
        stored=stored,
        server_cpu_ms_per_answer=(
            round(1000 * cpu_used / len(latencies), 2) if cpu_used and latencies else None
        ),
        cpu_count=os.cpu_count() or 0,
        load_average_1m=round(os.getloadavg()[0], 2),
    )
    if args.json:
        print(json.dumps(asdict(result)))
    else:
        for key, value in asdict(result).items():
            print(f"{key:>16}: {value}")
    if stored is not None and stored < len(latencies):
        raise SystemExit(f"LOST ANSWERS: {len(latencies)} acknowledged, {stored} stored")


if __name__ == "__main__":
    main()
