"""The built-in jobs. Each calls the public function of the package that owns the work."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxpulse.jobs.running import JobContext, JobResult

log = logging.getLogger("cxpulse.jobs")


def _active_model(ctx: JobContext) -> Any:
    from cxpulse.health import parse_health_config, project_model

    cfg = parse_health_config(ctx.config.health)
    return project_model(ctx.project_dir, cfg, ctx.spec.options.get("model"))


def run_score(ctx: JobContext) -> JobResult:
    """Daily health snapshot with the active model; band drops open cases by the rules."""
    from cxpulse import store
    from cxpulse.health import band_changes, score_accounts
    from cxpulse.loop import on_band_changes
    from cxpulse.loop.context import LoopContext

    ws = ctx.workspace
    saved = _active_model(ctx)
    frame = score_accounts(ws, saved.model, None, signals=saved.signals)
    if frame.empty:
        return JobResult(rows=0, details={"model": saved.name})
    as_of = frame["as_of"].iloc[0]
    day = as_of.date() if hasattr(as_of, "date") else as_of
    changes = [c for c in band_changes(ws, since=day, model=saved.name) if c.at == day]
    loop_ctx = LoopContext.from_project(ctx.config, ws)
    with store.session(ctx.store_url) as s:
        opened = on_band_changes(s, changes, loop_ctx)
        case_ids = [c.id for c in opened]
    return JobResult(
        rows=len(frame),
        details={"model": saved.name, "band_changes": len(changes), "cases": case_ids},
    )


def run_sync(ctx: JobContext) -> JobResult:
    """Answers stored by the app, upserted into the workspace (incremental, idempotent)."""
    from cxpulse.collect import sync

    report = sync(ctx.store_url, ctx.workspace)
    return JobResult(
        rows=report.rows, details={"batches": report.batches, "invitations": report.invitations}
    )


def run_deliver(ctx: JobContext) -> JobResult:
    """The outbox: due e-mails and webhooks sent, failures retried with backoff."""
    from cxpulse.loop import deliver_once

    return JobResult(rows=deliver_once(ctx.store_url, ctx.settings))


def run_model_check(ctx: JobContext) -> JobResult:
    """Backtest the active model on the latest closed horizons; warn when it degrades."""
    from cxpulse.health import evaluate
    from cxpulse.jobs import runs
    from cxpulse.jobs.notices import notify_team

    saved = _active_model(ctx)
    report = evaluate(ctx.workspace, {saved.name: saved.model}, signals=saved.signals)
    result = report[saved.name]
    figures = {"model": saved.name, "auc": result.roc_auc, "brier": result.brier, "n": result.n}
    baseline = _baseline(runs.history(ctx.store_url, "model_check", limit=100), saved.fitted_at)
    figures["baseline_auc"] = baseline.get("auc") if baseline else None
    figures["baseline_brier"] = baseline.get("brier") if baseline else None
    degraded = degradation(
        result.roc_auc,
        result.brier,
        baseline,
        max_auc_drop=float(ctx.spec.options.get("max_auc_drop", 0.05)),
        max_brier_rise=float(ctx.spec.options.get("max_brier_rise", 0.02)),
    )
    figures["degraded"] = degraded
    figures["fitted_at"] = saved.fitted_at
    if degraded:
        figures["notified"] = notify_team(ctx, "ops.model_check", figures)
    return JobResult(rows=result.n, details=figures)


def run_model_report(ctx: JobContext) -> JobResult:
    """Recompute the active model's stored report (what ``/health/report`` shows), as
    ``cxpulse health report --refresh`` does, with the options of the report stored before."""
    from cxpulse.health import active_model_name
    from cxpulse.health.stored_report import refresh_reports, stored_options

    ws = ctx.workspace
    name = str(ctx.spec.options.get("model") or active_model_name(ws))
    kept = stored_options(ctx.project_dir, name)
    stored = refresh_reports(
        ws, [name], holdout=kept.get("holdout"), seed=int(kept.get("seed") or 0)
    )[0]
    rows = [m["n"] for m in stored.figures["evaluation"]["models"] if m["model"] == name]
    return JobResult(
        rows=int(rows[0]) if rows else None,
        details={"model": name, "computed_at": stored.computed_at, "seconds": stored.seconds},
    )


def degradation(
    auc: float,
    brier: float,
    baseline: dict[str, Any] | None,
    *,
    max_auc_drop: float = 0.05,
    max_brier_rise: float = 0.02,
) -> bool:
    """Whether a backtest is worse than the model's reference check by more than allowed.

    >>> degradation(0.70, 0.20, {"auc": 0.80, "brier": 0.19})
    True
    >>> degradation(0.78, 0.20, {"auc": 0.80, "brier": 0.19}), degradation(0.7, 0.2, None)
    (False, False)
    """
    if not baseline:
        return False
    return bool(
        auc < float(baseline["auc"]) - max_auc_drop
        or brier > float(baseline["brier"]) + max_brier_rise
    )


def _baseline(history: list[Any], fitted_at: str) -> dict[str, Any] | None:
    """The first successful check of the model fitted at ``fitted_at`` (its reference)."""
    for record in reversed(history):  # oldest first
        details = getattr(record, "details", None)
        if record.outcome == "ok" and details and details.get("fitted_at") == fitted_at:
            return dict(details)
    return None


def run_import(ctx: JobContext) -> JobResult:
    """Files matching each watched pattern, loaded like ``cxpulse load``; a rejected file is
    moved to ``rejected/`` beside it with its report, a loaded one to ``loaded/``."""
    from cxpulse.errors import CxpulseError

    watches = ctx.spec.options.get("watch") or []
    total = 0
    loaded: list[str] = []
    rejected: list[str] = []
    for watch in watches:
        table = str(watch["table"])
        pattern = str(watch["pattern"])
        for path in sorted(ctx.project_dir.glob(pattern)):
            if not path.is_file():
                continue
            try:
                report = ctx.workspace.load(table, path)
            except CxpulseError as exc:
                target = _move(path, "rejected")
                report_text = exc.message_in(ctx.config.locale.language)
                target.with_name(target.name + ".errors.txt").write_text(
                    report_text + "\n", encoding="utf-8"
                )
                rejected.append(path.name)
                continue
            _move(path, "loaded")
            total += report.rows
            loaded.append(path.name)
    if rejected:
        log.warning("import rejected %d file(s): %s", len(rejected), ", ".join(rejected))
    return JobResult(rows=total, details={"loaded": loaded, "rejected": rejected})


def _move(path: Path, folder: str) -> Path:
    target_dir = path.parent / folder
    target_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = target_dir / f"{stamp}-{path.name}"
    shutil.move(str(path), target)
    return target


def run_digest(ctx: JobContext) -> JobResult:
    from cxpulse.jobs.digest import send_digests

    return send_digests(ctx)
