"""Scheduled jobs: score, sync, deliver, digest, model_check, model_report and import.

Declared in ``[jobs]`` of cxpulse.toml, run by the scheduler inside ``cxpulse serve`` and by
``cxpulse worker``; every run is recorded in the operational store (``job_runs``).

>>> from cxpulse.jobs import JOBS
>>> "digest" in JOBS
True
"""

from cxpulse.jobs.config import DEFAULT_JOBS_TOML, JobsConfig, JobSpec, parse_jobs_config
from cxpulse.jobs.running import JOBS, JobContext, JobResult, Outcome, run_job
from cxpulse.jobs.runs import RunRecord, history, latest_by_job
from cxpulse.jobs.scheduler import Scheduler, latest_slot

__all__ = [
    "DEFAULT_JOBS_TOML",
    "JOBS",
    "JobContext",
    "JobResult",
    "JobSpec",
    "JobsConfig",
    "Outcome",
    "RunRecord",
    "Scheduler",
    "history",
    "latest_by_job",
    "latest_slot",
    "parse_jobs_config",
    "run_job",
]
