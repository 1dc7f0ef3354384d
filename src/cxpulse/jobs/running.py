"""Running one job: its context, the claim of its slot, and the record of its outcome.

>>> sorted(JOBS)
['deliver', 'digest', 'import', 'model_check', 'model_report', 'score', 'sync']
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxpulse.config import ProjectConfig, Settings, load_config
from cxpulse.errors import ConfigError
from cxpulse.jobs import runs
from cxpulse.jobs.config import JobsConfig, JobSpec, parse_jobs_config

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

log = logging.getLogger("cxpulse.jobs")


@dataclass
class JobContext:
    """What a job gets: the project, its stores and the job's own options."""

    config: ProjectConfig
    store_url: str
    spec: JobSpec
    slot: datetime
    settings: Settings = field(default_factory=Settings)
    _workspace: Workspace | None = None

    @property
    def project_dir(self) -> Path:
        return self.config.project_dir or Path(".")

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            from cxpulse.workspace import Workspace

            self._workspace = Workspace.connect(self.config.workspace_url(), config=self.config)
        return self._workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None


@dataclass(frozen=True)
class JobResult:
    rows: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[[JobContext], JobResult]


def _builtin(name: str) -> JobFunction:
    def run(ctx: JobContext) -> JobResult:
        from cxpulse.jobs import builtin

        fn: JobFunction = getattr(builtin, f"run_{name}")
        return fn(ctx)

    run.__name__ = f"run_{name}"
    return run


JOBS: dict[str, JobFunction] = {
    name: _builtin(name)
    for name in ("score", "sync", "deliver", "digest", "model_check", "model_report", "import")
}


@dataclass(frozen=True)
class Outcome:
    """What happened when a scheduler asked for a run."""

    job: str
    slot: datetime
    ran: bool  # False: another worker had claimed this slot
    outcome: str | None = None  # ok | failed
    rows: int | None = None
    error: str | None = None
    run_id: int | None = None


def jobs_config(config: ProjectConfig) -> JobsConfig:
    return parse_jobs_config(config.jobs)


def run_job(
    name: str,
    project: str | Path | ProjectConfig,
    *,
    slot: datetime | None = None,
    trigger: str = "manual",
    store_url: str | None = None,
) -> Outcome:
    """Claim ``slot`` for job ``name`` and run it once, recording start, end and outcome.

    A failing job is recorded as ``failed`` with its error and does not raise: the scheduler
    that called it goes on. Returns whether this call ran it (another worker may have).
    """
    config = project if isinstance(project, ProjectConfig) else load_config(project)
    if name not in JOBS:
        raise ConfigError(
            key="ops.jobs.unknown", values={"names": name, "known": ", ".join(sorted(JOBS))}
        )
    spec = jobs_config(config).jobs[name]
    url = store_url or config.store_url()
    from cxpulse import store

    store.migrate(url)
    when = slot or datetime.now(UTC)
    run_id = runs.claim(url, name, when, trigger)
    if run_id is None:
        log.info("job %s slot %s already claimed by another worker", name, when.isoformat())
        return Outcome(name, when, ran=False)
    ctx = JobContext(config=config, store_url=url, spec=spec, slot=when)
    try:
        result = JOBS[name](ctx)
    except Exception as exc:  # recorded and reported; a scheduler must keep running
        log.exception("job %s failed", name)
        runs.finish(url, run_id, error=exc)
        return Outcome(name, when, True, "failed", error=str(exc), run_id=run_id)
    finally:
        ctx.close()
    runs.finish(url, run_id, rows=result.rows, details=result.details or None)
    log.info("job %s done: %s rows", name, result.rows)
    return Outcome(name, when, True, "ok", rows=result.rows, run_id=run_id)


def start_job(
    name: str, config: ProjectConfig, *, store_url: str | None = None
) -> threading.Thread:
    """Run job ``name`` now in a background thread (a "manual" run, recorded like any other),
    so a web request that asks for it returns at once."""
    if name not in JOBS:
        raise ConfigError(
            key="ops.jobs.unknown", values={"names": name, "known": ", ".join(sorted(JOBS))}
        )
    thread = threading.Thread(
        target=run_job, args=(name, config), kwargs={"store_url": store_url},
        name=f"cxpulse-job-{name}", daemon=True,
    )  # fmt: skip
    thread.start()
    return thread
