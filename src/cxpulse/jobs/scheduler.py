"""The scheduler: APScheduler triggers, slots claimed in the operational store.

Each process (``cxpulse serve``, ``cxpulse worker``) runs its own APScheduler with the jobs of
``[jobs]``. APScheduler's job stores must not be shared between processes (its documentation
says so: jobs would run twice), so schedules come from cxpulse.toml in every process and the
*runs* are what is shared: a run starts by inserting its ``(job, slot)`` row, and of two
workers waking for one slot only one insert succeeds.

Missed slots (nothing was running at the time): on start, a job that has run before and
whose latest slot has no run yet runs once at once for that slot ("catch_up"); older missed
slots are not replayed, because every job works on the data as it is now. A job that never
ran waits for its first slot.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cxpulse.config import ProjectConfig, load_config
from cxpulse.jobs import runs
from cxpulse.jobs.config import JobSpec
from cxpulse.jobs.running import Outcome, jobs_config, run_job

log = logging.getLogger("cxpulse.jobs")
_WINDOWS = (
    timedelta(minutes=3), timedelta(hours=3), timedelta(days=2), timedelta(days=9),
    timedelta(days=40), timedelta(days=400),
)  # fmt: skip


def trigger_of(spec: JobSpec, timezone: str = "UTC") -> Any:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if spec.every is not None:
        # anchored at the epoch, so every worker computes the same slots
        return IntervalTrigger(
            seconds=int(spec.every.total_seconds()),
            start_date=datetime(2000, 1, 1, tzinfo=UTC),
            timezone=timezone,
        )
    return CronTrigger.from_crontab(str(spec.schedule), timezone=timezone)


def latest_slot(trigger: Any, now: datetime) -> datetime | None:
    """The newest fire time of ``trigger`` at or before ``now`` (the slot a run belongs to)."""
    for window in _WINDOWS:
        t = trigger.get_next_fire_time(None, now - window)
        if t is None or t > now:
            continue
        while True:
            nxt = trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
            if nxt is None or nxt > now:
                return t.astimezone(UTC)  # type: ignore[no-any-return]
            t = nxt
    return None


class Scheduler:
    """Runs the project's scheduled jobs in background threads until :meth:`stop`."""

    def __init__(self, project: str | Path | ProjectConfig, *, store_url: str | None = None):
        self.config = project if isinstance(project, ProjectConfig) else load_config(project)
        self.jobs = jobs_config(self.config)
        self.store_url = store_url or self.config.store_url()
        self._scheduler: Any = None
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()

    def _fire(self, name: str, trigger: str = "schedule") -> Outcome:
        spec = self.jobs.jobs[name]
        now = datetime.now(UTC) + timedelta(seconds=1)  # woken a hair early still counts
        slot = latest_slot(trigger_of(spec, self.jobs.timezone), now) or now
        outcome = run_job(name, self.config, slot=slot, trigger=trigger, store_url=self.store_url)
        with self._lock:
            self.outcomes.append(outcome)
            del self.outcomes[:-200]
        return outcome

    def catch_up(self) -> list[Outcome]:
        """Run once, now, each job whose latest slot passed while nothing was running."""
        from cxpulse import store

        store.migrate(self.store_url)
        done = []
        now = datetime.now(UTC)
        for name, spec in self.jobs.jobs.items():
            if not spec.scheduled or not runs.has_runs(self.store_url, name):
                continue
            slot = latest_slot(trigger_of(spec, self.jobs.timezone), now)
            last = runs.last_slot(self.store_url, name)
            if slot is not None and (last is None or last < slot):
                log.info("catching up job %s for its missed slot %s", name, slot.isoformat())
                done.append(
                    run_job(name, self.config, slot=slot, trigger="catch_up",
                            store_url=self.store_url)
                )  # fmt: skip
        return done

    def start(self, *, catch_up: bool = True) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        from cxpulse import store

        store.migrate(self.store_url)
        scheduler = BackgroundScheduler(timezone=self.jobs.timezone)
        for name, spec in self.jobs.jobs.items():
            if not spec.scheduled:
                continue
            scheduler.add_job(
                self._fire, trigger_of(spec, self.jobs.timezone), args=[name], id=name,
                coalesce=True, max_instances=1, misfire_grace_time=300,
            )  # fmt: skip
        scheduler.start()
        self._scheduler = scheduler
        if catch_up:
            threading.Thread(
                target=self._safe_catch_up, name="cxpulse-catch-up", daemon=True
            ).start()

    def _safe_catch_up(self) -> None:
        try:
            self.catch_up()
        except Exception:  # a store hiccup at start must not take the scheduler down
            log.exception("catching up missed job slots failed")

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    def next_runs(self) -> dict[str, datetime | None]:
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}
