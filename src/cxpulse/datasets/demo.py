"""A reproducible demo company with a known hidden health: generate it, load it.

``generate_demo`` writes one Parquet file per canonical table (or, when the company is too
big for one piece, a folder ``<table>/part-NNNNN.parquet`` of chunk files), plus two truth
files that nothing observable contains:

``truth_monthly.parquet`` — one row per account and month from the account's start month
(the first month for accounts that started before) to the last generated month, also after
it churned (the hazard it would have faced is needed for unbiased probabilities):

=============  =========  ===================================================================
column         type       meaning
=============  =========  ===================================================================
account_id     string     ``ACC-000001`` ...; same ids as ``accounts``
month_start    date32     first day of the month
health         float64    hidden health 0-100 (``100 * sigmoid(h)``, h the latent AR(1) state)
churn_hazard   float64    probability of churning in that month for a customer at its start
                          (0 in an account's first month); see ``truth.py``
customer       bool       the account was a customer during (part of) the month: from its
                          start month through its churn month
=============  =========  ===================================================================

``truth.parquet`` — one row per account:

=============  =========  ===================================================================
account_id     string     same ids as ``accounts``
base_health    float64    the account's long-run health level 0-100 (``100 * sigmoid(base)``)
churned        bool       churned inside the generated window
churn_date     date32     churn date (= ``accounts.end_date``); null if it did not churn
=============  =========  ===================================================================

``true_churn_probability(truth_monthly, as_of, horizon_days)`` turns the hazards into each
account's probability of churning in ``(as_of, as_of + horizon]``: the ceiling a health model
is measured against. Everything observable (usage, tickets, NPS/CSAT/CES and comments,
invoices and overdue payments, orders, CSM ratings, churn, renewals, expansions) is drawn from
the same monthly latent health, so a model that reads the tables can recover it.

Randomness: the company (accounts, health paths, outcomes) comes from one generator seeded
with ``seed``; the activity of each block of ``BLOCK`` accounts from a generator seeded with
``(seed, block, table)``. Chunks are whole blocks, so a chunked run writes exactly the rows a
one-shot run writes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cxpulse.datasets import activity, commerce
from cxpulse.datasets.activity import Block
from cxpulse.datasets.company import (
    TRUTH_MONTHLY_SCHEMA,
    Company,
    accounts_table,
    simulate_company,
    truth_monthly_table,
    truth_table,
)
from cxpulse.datasets.until import clip_table
from cxpulse.errors import CxpulseError
from cxpulse.schema.tables import TABLES
from cxpulse.schema.types import arrow_schema

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

BLOCK = 250
CHUNK_ROWS = 3_000_000  # target activity rows per chunk file (bounds memory)
# default expected rows per account-month (a customer for the whole month)
DEFAULT_RATES = {"usage_events": 25.0, "tickets": 0.8, "orders": 0.15, "touchpoints": 0.9}
ACTIVITY: dict[str, Callable[[Block, np.random.Generator, int], pa.Table]] = {
    "responses": activity.responses,
    "usage_events": activity.usage_events,
    "tickets": activity.tickets,
    "invoices": commerce.invoices,
    "orders": commerce.orders,
    "touchpoints": commerce.touchpoints,
}
TABLE_CODES = {name: i + 1 for i, name in enumerate(ACTIVITY)}
LOAD_ORDER = (
    "accounts",
    "outcomes",
    "invoices",
    "orders",
    "touchpoints",
    "tickets",
    "usage_events",
    "responses",
    "invitations",
)


class DemoError(CxpulseError):
    """The demo generator was asked for something it cannot make."""


@dataclass(frozen=True)
class DemoSize:
    """Counts for a named demo size."""

    accounts: int
    responses: int


SIZES = {
    "small": DemoSize(accounts=500, responses=20_000),
    "medium": DemoSize(accounts=5_000, responses=200_000),
    "large": DemoSize(accounts=20_000, responses=1_000_000),
}


def demo_size(size: str | int) -> dict[str, int]:
    """Keyword arguments of :func:`generate_demo` for a preset or a response count.

    Presets: ``small`` (500 accounts, 20k responses), ``medium`` (5k, 200k), ``large``
    (20k, 1M); usage and tickets follow the default rates per account-month. A number of
    responses (up to 100 million and beyond) gets one account per 100 responses (between
    500 and 1,000,000), as many usage events as responses and a tenth as many tickets: 100M
    gives the 1M accounts, 100M usage events and 10M tickets of the health benchmark.

    >>> demo_size("small")
    {'accounts': 500, 'responses': 20000}
    >>> demo_size(10_000_000)["accounts"], demo_size(10_000_000)["tickets"]
    (100000, 1000000)
    """
    if isinstance(size, str):
        if size not in SIZES:
            raise DemoError(f"unknown demo size {size!r}; use one of {', '.join(SIZES)} or a count")
        s = SIZES[size]
        return {"accounts": s.accounts, "responses": s.responses}
    if size < 1:
        raise DemoError(f"the number of responses must be positive, got {size}")
    return {
        "accounts": int(min(max(size // 100, 500), 1_000_000)),
        "responses": int(size),
        "usage_events": int(size),
        "tickets": int(size) // 10,
    }


@dataclass
class DemoFiles:
    """Where the demo was written and how many rows each table got."""

    out_dir: Path
    tables: dict[str, Path]  # canonical table -> Parquet file or folder of chunk files
    truth: Path
    truth_monthly: Path
    rows: dict[str, int]
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)
    loaded: dict[str, Any] = field(default_factory=dict)  # table -> LoadReport (load_demo)


class _Sink:
    """One table's output: a single Parquet file, or a folder of chunk files."""

    def __init__(self, out_dir: Path, name: str, chunked: bool, until: date | None = None) -> None:
        self.name = name
        self.until = until
        self.chunked = chunked
        self.path = out_dir / name if chunked else out_dir / f"{name}.parquet"
        self.parts = 0
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        # a previous run with the other layout must not leave a second copy behind
        if (out_dir / name).is_dir():
            shutil.rmtree(out_dir / name)
        (out_dir / f"{name}.parquet").unlink(missing_ok=True)
        if chunked:
            self.path.mkdir(parents=True)

    def write(self, table: pa.Table) -> None:
        if self.until is not None:
            table = clip_table(self.name, table, self.until)
        self.rows += table.num_rows
        if self.chunked:
            pq.write_table(table, self.path / f"part-{self.parts:05d}.parquet")
        else:
            if self._writer is None:
                self._writer = pq.ParquetWriter(self.path, table.schema)
            self._writer.write_table(table)
        self.parts += 1

    def close(self, schema: pa.Schema) -> None:
        if self._writer is not None:
            self._writer.close()
        elif not self.chunked:
            pq.write_table(schema.empty_table(), self.path)


def _scales(c: Company, targets: dict[str, float | None]) -> dict[str, float]:
    totals = dict.fromkeys(targets, 0.0)
    alive = 0.0
    for lo in range(0, c.n, 100_000):
        rows = slice(lo, min(lo + 100_000, c.n))
        alive += float(c.alive_frac[rows].sum(dtype=np.float64))
        for name in targets:
            totals[name] += float(activity.weights(c, name, rows).sum())
    scales = {}
    for name, target in targets.items():
        want = target if target is not None else DEFAULT_RATES[name] * alive
        scales[name] = want / totals[name] if totals[name] > 0 else 0.0
    return scales


@contextmanager
def _progress(enabled: bool, total: int, lang: str) -> Iterator[Callable[..., None]]:
    """``advance(n, key, **figures)``: the bar moves ``n`` and shows the catalogue message
    ``key`` in ``lang``."""
    if not enabled:
        yield lambda advance, key, **figures: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from cxpulse.locale import format_number, gettext

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("demo", total=total)

        def update(advance: int, key: str, **figures: int) -> None:
            shown = {k: format_number(v, lang, 0) for k, v in figures.items()}
            bar.update(task, advance=advance, description=gettext(key, lang, **shown))

        yield update


def _write_company(
    c: Company, out: Path, until: date | datetime | None = None
) -> tuple[dict[str, Path], dict[str, int]]:
    """Accounts, outcomes and the two truth files (account-level, written whole or in slices)."""
    files: dict[str, Path] = {}
    rows: dict[str, int] = {}
    for name, make in (("accounts", accounts_table), ("outcomes", lambda c: c.outcomes)):
        table = make(c)
        if until is not None:
            table = clip_table(name, table, until)
        files[name] = out / f"{name}.parquet"
        pq.write_table(table, files[name])
        rows[name] = table.num_rows
    pq.write_table(truth_table(c), out / "truth.parquet")
    with pq.ParquetWriter(out / "truth_monthly.parquet", TRUTH_MONTHLY_SCHEMA) as writer:
        for lo in range(0, c.n, 100_000):
            writer.write_table(truth_monthly_table(c, slice(lo, min(lo + 100_000, c.n))))
    return files, rows


def _write_activity(
    c: Company,
    out: Path,
    seed: int,
    scales: dict[str, float],
    chunk_accounts: int,
    advance: Callable[..., None],
    until: date | datetime | None = None,
) -> dict[str, _Sink]:
    """Activity tables, chunk by chunk; each block of accounts has its own random stream."""
    n_chunks = -(-c.n // chunk_accounts)
    names = [*ACTIVITY, "invitations"]
    sinks = {name: _Sink(out, name, n_chunks > 1, until) for name in names}
    next_id = dict.fromkeys(names, 1)
    done = 0
    for chunk in range(n_chunks):
        lo_c = chunk * chunk_accounts
        hi_c = min(lo_c + chunk_accounts, c.n)
        parts: dict[str, list[pa.Table]] = {name: [] for name in names}
        for lo in range(lo_c, hi_c, BLOCK):
            block = Block(c, lo, min(lo + BLOCK, hi_c), scales)
            for name, make in ACTIVITY.items():
                rng = np.random.default_rng([seed, lo // BLOCK, TABLE_CODES[name]])
                table = make(block, rng, next_id[name])
                next_id[name] += table.num_rows
                done += table.num_rows
                parts[name].append(table)
                if name == "responses":  # the invitations those answers came through
                    sent = activity.invitations(
                        table, next_id["invitations"], [seed, lo // BLOCK, 99]
                    )
                    next_id["invitations"] += sent.num_rows
                    parts["invitations"].append(sent)
            advance(block.hi - block.lo, "demo.progress.rows", rows=done)
        for name, tables in parts.items():
            sinks[name].write(pa.concat_tables(tables))
    return sinks


def generate_demo(
    out_dir: str | Path,
    *,
    accounts: int = 500,
    responses: int = 20_000,
    seed: int = 7,
    start: str = "2025-01-01",
    months: int = 18,
    progress: bool = True,
    lang: str = "es",
    usage_events: int | None = None,
    tickets: int | None = None,
    chunk_accounts: int | None = None,
    until: str | date | datetime | None = None,
) -> DemoFiles:
    """Write the demo company's canonical tables and truth files to ``out_dir``.

    ``until`` (a date) cuts the observable tables at that day (see :mod:`.until`): a demo
    built today has nothing dated after today.

    ``responses`` (and ``usage_events``/``tickets`` when given) are expected totals: counts
    are Poisson, so the files hold about that many rows. ``chunk_accounts`` (a multiple of
    ``BLOCK``) overrides how many accounts go into one chunk file; by default chunks hold about
    ``CHUNK_ROWS`` activity rows, so memory stays bounded at any size.

    >>> import tempfile
    >>> files = generate_demo(tempfile.mkdtemp(), accounts=50, responses=500, progress=False)
    >>> sorted(files.tables)[:3], files.rows["accounts"]
    (['accounts', 'invitations', 'invoices'], 50)
    """
    if accounts < 1 or responses < 0 or months < 1 or seed < 0:
        raise DemoError(
            f"need accounts >= 1, responses >= 0, months >= 1 and seed >= 0 "
            f"(got {accounts}, {responses}, {months}, {seed})"
        )
    if chunk_accounts is not None and (chunk_accounts < BLOCK or chunk_accounts % BLOCK):
        raise DemoError(
            f"chunk_accounts must be a positive multiple of {BLOCK}, got {chunk_accounts}"
        )
    cut: date | datetime | None = until  # type: ignore[assignment]
    if isinstance(until, str):  # a day (its end) or an instant
        cut = date.fromisoformat(until) if len(until) == 10 else datetime.fromisoformat(until)
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = {
        "accounts": accounts,
        "responses": responses,
        "seed": seed,
        "start": start,
        "months": months,
        "usage_events": usage_events,
        "tickets": tickets,
        "until": None if cut is None else cut.isoformat(),
    }
    with _progress(progress, accounts, lang) as advance:
        advance(0, "demo.progress.simulating")
        company = simulate_company(accounts, start, months, np.random.default_rng(seed))
        files, rows = _write_company(company, out, cut)
        targets = {
            "responses": float(responses),
            "usage_events": None if usage_events is None else float(usage_events),
            "tickets": None if tickets is None else float(tickets),
            "orders": None,
            "touchpoints": None,
        }
        scales = _scales(company, targets)
        if chunk_accounts is None:
            alive = float(company.alive_frac.sum(dtype=np.float64))
            expected = responses + (usage_events or DEFAULT_RATES["usage_events"] * alive)
            per_account = max((expected + (tickets or 0)) / accounts, 1.0)
            chunk_accounts = max(BLOCK, int(CHUNK_ROWS / per_account) // BLOCK * BLOCK)
        sinks = _write_activity(company, out, seed, scales, chunk_accounts, advance, cut)
    for name, sink in sinks.items():
        sink.close(arrow_schema(TABLES[name]))
        files[name] = sink.path
        rows[name] = sink.rows
    seconds = time.perf_counter() - started
    chunks = -(-accounts // chunk_accounts)
    manifest = {"params": params, "rows": rows, "seconds": round(seconds, 3), "chunks": chunks}
    (out / "demo.json").write_text(json.dumps(manifest, indent=2))
    return DemoFiles(
        out_dir=out,
        tables=files,
        truth=out / "truth.parquet",
        truth_monthly=out / "truth_monthly.parquet",
        rows=rows,
        seconds=seconds,
        params=params,
    )


def load_demo(
    ws: Workspace,
    out_dir: str | Path | None = None,
    **options: Any,
) -> DemoFiles:
    """Generate the demo (same options as :func:`generate_demo`) and load every table into ``ws``.

    Without ``out_dir`` the files go to a new temporary folder that is kept (the truth files
    are needed to check a health model against the known answer).

    >>> from cxpulse.workspace import Workspace
    >>> ws = Workspace.connect("duckdb://")
    >>> files = load_demo(ws, accounts=30, responses=300, progress=False)
    >>> ws.count("accounts")
    30
    """
    target = (
        Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="cxpulse-demo-"))
    )
    files = generate_demo(target, **options)
    for name in LOAD_ORDER:
        files.loaded[name] = ws.load(name, str(files.tables[name]))
    return files
