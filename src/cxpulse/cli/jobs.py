"""``cxpulse jobs list|run|history`` and ``cxpulse worker`` (the scheduler on its own)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, fail, reported_errors
from cxpulse.cli.i18n import cli_language, tr
from cxpulse.locale import format_number

JOB_NAMES = ("score", "sync", "deliver", "digest", "model_check", "model_report", "import")
app = typer.Typer(help=tr("ops.cli.jobs_help"), no_args_is_help=True)


def _when(value: object) -> str:
    return "" if value is None else str(value)[:19].replace("T", " ")


@app.command("list", help=tr("ops.cli.jobs_list"))
def list_jobs(project: ProjectOption = Path(".")) -> None:
    """The jobs, their schedule and their last run."""
    from cxpulse import store
    from cxpulse.config import load_config
    from cxpulse.jobs import latest_by_job
    from cxpulse.jobs.running import jobs_config
    from cxpulse.locale import term

    lang = cli_language()
    with reported_errors():
        config = load_config(project)
        url = config.store_url()
        store.migrate(url)
        specs = jobs_config(config).jobs
        last = latest_by_job(url)
    grid = Table(*(tr(f"ops.cli.col.{c}") for c in ("job", "schedule", "last", "outcome", "rows")))
    for name, spec in specs.items():
        run = last.get(name)
        grid.add_row(
            name,
            spec.describe() if spec.scheduled else "-",
            _when(run.started_at) if run else tr("ops.cli.never"),
            term("job_outcome", run.outcome, lang) if run else "",
            "" if run is None or run.rows is None else format_number(run.rows, lang, 0),
        )
    console.print(grid)


@app.command("run", help=tr("ops.cli.jobs_run"))
def run(
    name: Annotated[str, typer.Argument(help=tr("ops.cli.jobs_name", names=", ".join(JOB_NAMES)))],
    project: ProjectOption = Path("."),
) -> None:
    """Run a job now (the run is recorded)."""
    from cxpulse.jobs import run_job

    with reported_errors():
        outcome = run_job(name, project)
    if not outcome.ran:
        console.print(tr("ops.cli.run_taken", job=name))
        return
    if outcome.outcome == "failed":
        raise fail(tr("ops.cli.run_failed", job=name, error=outcome.error), code=1)
    rows = "-" if outcome.rows is None else format_number(outcome.rows, cli_language(project), 0)
    console.print(f"[green]{escape(tr('ops.cli.run_ok', job=name, rows=rows))}[/]")


@app.command("history", help=tr("ops.cli.jobs_history"))
def history(
    name: Annotated[str | None, typer.Argument(help=tr("ops.cli.jobs_name", names="…"))] = None,
    limit: Annotated[int, typer.Option(help=tr("ops.cli.jobs_limit"))] = 20,
    project: ProjectOption = Path("."),
) -> None:
    """The latest runs, newest first."""
    from cxpulse import store
    from cxpulse.config import load_config
    from cxpulse.jobs import history as job_history
    from cxpulse.locale import term

    lang = cli_language()
    with reported_errors():
        url = load_config(project).store_url()
        store.migrate(url)
        records = job_history(url, name, limit)
    cols = ("job", "started", "trigger", "outcome", "rows", "seconds", "worker", "error")
    grid = Table(*(tr(f"ops.cli.col.{c}") for c in cols))
    for r in records:
        grid.add_row(
            r.job,
            _when(r.started_at),
            term("job_trigger", r.trigger, lang),
            term("job_outcome", r.outcome, lang),
            "" if r.rows is None else format_number(r.rows, lang, 0),
            "" if r.seconds is None else format_number(r.seconds, lang, 1),
            r.worker,
            escape((r.error or "")[:80]),
        )
    console.print(grid)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def worker(project: ProjectOption = Path(".")) -> None:
    """Run the job scheduler in the foreground (without the web app)."""
    from cxpulse.jobs import Scheduler
    from cxpulse.logs import configure_logging

    configure_logging()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with reported_errors():
        scheduler = Scheduler(project)
        scheduler.start()
    names = [n for n, s in scheduler.jobs.jobs.items() if s.scheduled]
    console.print(tr("ops.cli.worker_started", project=project, jobs=", ".join(names) or "-"))
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="jobs")
    root.command("worker", help=tr("ops.cli.worker"))(worker)
