"""Jobs: runs recorded, a failing job recorded without stopping the scheduler, missed slots
caught up once, watched-folder imports, and one run per slot with two workers on PostgreSQL."""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cxpulse import Workspace, store
from cxpulse.jobs import Scheduler, history, latest_slot, run_job
from cxpulse.jobs.config import parse_jobs_config
from cxpulse.jobs.scheduler import trigger_of
from cxpulse.project import init_project
from tests.ops import procs
from tests.ops.conftest import bank_accounts


def _project(tmp_path: Path, jobs_toml: str, language: str = "en") -> Path:
    folder = tmp_path / "proj"
    init_project(folder, language=language)
    with (folder / "cxpulse.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n" + jobs_toml)
    return folder


def test_jobs_section_is_validated_with_the_fix() -> None:
    from cxpulse.errors import ConfigError

    with pytest.raises(ConfigError, match="not a valid cron"):
        parse_jobs_config({"score": {"schedule": "every day"}})
    with pytest.raises(ConfigError, match="Unknown job: scroe"):
        parse_jobs_config({"scroe": {}})
    assert parse_jobs_config({"sync": {"every": "30s"}}).jobs["sync"].every == timedelta(seconds=30)


def test_latest_slot_is_the_newest_fire_time_not_after_now() -> None:
    spec = parse_jobs_config({"digest": {"schedule": "0 7 * * mon"}}).jobs["digest"]
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday
    assert latest_slot(trigger_of(spec), now) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    every = parse_jobs_config({"sync": {"every": "30s"}}).jobs["sync"]
    at = datetime(2026, 12, 2, 15, 0, 47, tzinfo=UTC)
    assert latest_slot(trigger_of(every), at) == datetime(2026, 12, 2, 15, 0, 30, tzinfo=UTC)


def test_a_failing_job_is_recorded_and_the_scheduler_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the digest goes to an SMTP port where nothing listens: every run fails
    monkeypatch.setenv("CXPULSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXPULSE_SMTP_PORT", str(procs.free_port()))
    folder = _project(
        tmp_path,
        '[jobs.digest]\nevery = "1s"\nteam = ["team@example.com"]\n[jobs.deliver]\nevery = "1s"\n',
    )
    scheduler = Scheduler(folder)
    scheduler.start(catch_up=False)
    try:
        time.sleep(6)
    finally:
        scheduler.stop()
    url = scheduler.store_url
    digest = [r for r in history(url, "digest") if r.outcome != "running"]
    deliver = history(url, "deliver")
    assert len(digest) >= 2 and all(r.outcome == "failed" for r in digest)
    assert all("refused" in (r.error or "").lower() for r in digest), digest[0].error
    assert len(deliver) >= 2 and all(r.outcome == "ok" for r in deliver)
    assert max(r.started_at for r in deliver) > min(r.started_at for r in digest)


def test_a_missed_slot_is_caught_up_once(tmp_path: Path) -> None:
    folder = _project(tmp_path, '[jobs.deliver]\nschedule = "0 * * * *"\n')
    long_ago = datetime.now(UTC) - timedelta(days=3)
    first = run_job("deliver", folder, slot=long_ago, trigger="schedule")
    assert first.ran and first.outcome == "ok"
    scheduler = Scheduler(folder)
    caught = scheduler.catch_up()
    assert [(o.job, o.ran) for o in caught] == [("deliver", True)]
    assert caught[0].slot == latest_slot(
        trigger_of(scheduler.jobs.jobs["deliver"]), datetime.now(UTC)
    )
    assert scheduler.catch_up() == []  # that slot has its run now
    triggers = [r.trigger for r in history(scheduler.store_url, "deliver")]
    assert triggers == ["catch_up", "schedule"]


def test_a_job_that_never_ran_waits_for_its_first_slot(tmp_path: Path) -> None:
    folder = _project(tmp_path, '[jobs.deliver]\nschedule = "0 * * * *"\n')
    assert Scheduler(folder).catch_up() == []


def test_import_loads_watched_files_and_moves_rejected_ones_aside(
    tmp_path: Path, shared_data: Path
) -> None:
    folder = _project(
        tmp_path,
        '[jobs.import]\nevery = "5m"\n[[jobs.import.watch]]\ntable = "accounts"\n'
        'pattern = "inbox/*.csv"\n',
    )
    inbox = folder / "inbox"
    inbox.mkdir()
    good = bank_accounts(shared_data, 30)
    good.to_csv(inbox / "good.csv", index=False)
    bad = good.head(5).copy()
    bad.loc[2, "start_date"] = "not a date"
    bad.to_csv(inbox / "bad.csv", index=False)
    outcome = run_job("import", folder)
    assert outcome.outcome == "ok" and outcome.rows == len(good)
    with Workspace.open(folder) as ws:
        assert ws.count("accounts") == good["account_id"].nunique() == 30
    assert not list(inbox.glob("*.csv"))
    (loaded,) = (inbox / "loaded").glob("*good.csv")
    (rejected,) = (inbox / "rejected").glob("*bad.csv")
    report = rejected.with_name(rejected.name + ".errors.txt").read_text("utf-8")
    assert "start_date" in report and "not a date" in report
    assert loaded.exists()


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_on_postgresql_run_each_slot_exactly_once(tmp_path: Path, pg_url: str) -> None:
    folder = _project(tmp_path, '[jobs.deliver]\nevery = "2s"\n')
    store_url = pg_url.replace("postgresql://", "postgresql+psycopg://")
    environ = procs.env(CXPULSE_DATABASE_URL=store_url, CXPULSE_LOG_FORMAT="json")
    store.migrate(store_url)
    workers = [
        procs.start([*procs.CXPULSE, "worker", "-p", str(folder)], environ,
                    tmp_path / f"worker{i}.log")
        for i in range(2)
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(history(store_url, "deliver", 500)) < 8:
            time.sleep(1)
    finally:
        for w in workers:
            procs.stop(w)
    runs = history(store_url, "deliver", limit=500)
    slots = sorted(r.slot for r in runs)
    assert len(runs) >= 8
    assert len(slots) == len(set(slots))  # one run per slot
    gaps = {(b - a).total_seconds() for a, b in itertools.pairwise(slots)}
    # slots on the 2 s grid; a busy machine may skip slots (they are coalesced, never run late
    # twice), but most runs are back to back
    steps = [(b - a).total_seconds() for a, b in itertools.pairwise(slots)]
    assert all(g % 2.0 == 0 for g in gaps), gaps
    assert steps.count(2.0) >= len(steps) / 2, steps
    assert {r.worker.split(":")[1] for r in runs} <= {str(w.pid) for w in workers}
    taken = sum(
        "already claimed" in line
        for i in range(2)
        for line in (tmp_path / f"worker{i}.log").read_text(errors="replace").splitlines()
    )
    assert taken >= 1, "the two workers never contended for a slot"
    lines = (tmp_path / "worker0.log").read_text().splitlines()
    assert any(json.loads(x).get("logger") == "cxpulse.jobs" for x in lines if x.startswith("{"))
