"""The ``[jobs]`` section of cxpulse.toml: which jobs run, when, and with what options.

>>> cfg = parse_jobs_config({"score": {"schedule": "0 6 * * *"}})
>>> cfg.jobs["score"].schedule
'0 6 * * *'
>>> parse_jobs_config({}).jobs["digest"].schedule
'0 7 * * mon'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cxpulse.errors import ConfigError

# name -> default schedule (None: runs only when scheduled in cxpulse.toml or by hand)
DEFAULT_SCHEDULES: dict[str, str | None] = {
    "score": "0 6 * * *",
    "digest": "0 7 * * mon",
    "model_check": "0 5 * * mon",
    "sync": None,  # the app syncs answers every few seconds itself; a worker may take over
    "deliver": None,  # likewise the app's outbox thread
    "import": None,  # needs [[jobs.import.watch]] folders
    "model_report": None,  # the fit stores the report; schedule it after regular data loads
}
KNOWN = tuple(DEFAULT_SCHEDULES)
_EVERY = re.compile(r"^\s*(\d+)\s*(s|m|h)\s*$")

DEFAULT_JOBS_TOML = """\
[jobs]
# Scheduled work, run by 'cxpulse serve' (in_app = true) and by 'cxpulse worker'.
# Several processes may run schedulers: each slot runs exactly once (see docs/internals.md).
# in_app = true             # run the scheduler inside 'cxpulse serve'
# timezone = "UTC"          # of the cron schedules
# [jobs.score]              # daily health snapshot; band drops open cases
# schedule = "0 6 * * *"    # cron: minute hour day month weekday
# [jobs.digest]             # weekly e-mail per account owner and for the team
# schedule = "0 7 * * mon"
# team = ["cx-team@example.com"]   # default: every active admin and analyst
# [jobs.model_check]        # backtest the active model; warn when it degrades
# schedule = "0 5 * * mon"
# max_auc_drop = 0.05
# max_brier_rise = 0.02
# [jobs.model_report]       # recompute the stored model report (the fit stores one)
# schedule = "0 4 * * mon"
# [jobs.sync]               # answers from the store into the workspace
# every = "30s"
# [jobs.deliver]            # the e-mail / webhook outbox
# every = "30s"
# [jobs.import]             # files dropped in a folder, loaded with the same validation
# every = "5m"
# [[jobs.import.watch]]
# table = "responses"
# pattern = "inbox/responses/*.csv"   # relative to the project folder
"""


@dataclass(frozen=True)
class JobSpec:
    """One job's schedule (cron text or an interval) and its options."""

    name: str
    schedule: str | None = None
    every: timedelta | None = None
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def scheduled(self) -> bool:
        return self.enabled and (self.schedule is not None or self.every is not None)

    def describe(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds())}s"
        return self.schedule or "-"


@dataclass(frozen=True)
class JobsConfig:
    in_app: bool = True
    timezone: str = "UTC"
    jobs: dict[str, JobSpec] = field(default_factory=dict)


def _every(name: str, text: str) -> timedelta:
    match = _EVERY.match(str(text))
    if not match:
        raise ConfigError(key="ops.jobs.bad_every", values={"job": name, "value": text})
    n, unit = int(match.group(1)), match.group(2)
    return timedelta(seconds=n * {"s": 1, "m": 60, "h": 3600}[unit])


def parse_jobs_config(raw: dict[str, Any] | None) -> JobsConfig:
    """Validate ``[jobs]``; unknown job names and bad schedules are refused with the fix."""
    from apscheduler.triggers.cron import CronTrigger

    data = dict(raw or {})
    in_app = bool(data.pop("in_app", True))
    timezone = str(data.pop("timezone", "UTC"))
    jobs: dict[str, JobSpec] = {}
    for name, default in DEFAULT_SCHEDULES.items():
        section = dict(data.pop(name, {}) or {})
        schedule = section.pop("schedule", None)
        every = section.pop("every", None)
        enabled = bool(section.pop("enabled", True))
        if schedule is None and every is None:
            schedule = default
        if schedule is not None:
            try:
                CronTrigger.from_crontab(str(schedule), timezone=timezone)
            except ValueError as exc:
                raise ConfigError(
                    key="ops.jobs.bad_cron",
                    values={"job": name, "value": schedule, "reason": str(exc)},
                ) from None
        jobs[name] = JobSpec(
            name=name,
            schedule=None if every is not None else schedule,
            every=_every(name, every) if every is not None else None,
            enabled=enabled,
            options=section,
        )
    if data:
        raise ConfigError(
            key="ops.jobs.unknown",
            values={"names": ", ".join(sorted(data)), "known": ", ".join(KNOWN)},
        )
    return JobsConfig(in_app=in_app, timezone=timezone, jobs=jobs)
