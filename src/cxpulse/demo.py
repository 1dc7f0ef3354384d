"""A complete demo project: a generated company loaded, scored, analysed and ready to serve.

``make demo`` runs ``cxpulse demo``, which calls :func:`build_demo`: every step goes through
the same public API a user would call (load, metrics, health, comments, surveys, cases).

>>> import tempfile
>>> report = build_demo(tempfile.mkdtemp(), size="tiny", progress=False)
>>> report.rows["accounts"] > 0
True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cxpulse.config import CONFIG_FILE
from cxpulse.project import init_project
from cxpulse.workspace import Workspace

log = logging.getLogger(__name__)

SIZES: dict[str, dict[str, int]] = {
    "tiny": {"accounts": 60, "responses": 1_500, "months": 12},
    "small": {"accounts": 600, "responses": 30_000, "months": 18},
    "medium": {"accounts": 5_000, "responses": 300_000, "months": 24},
    "large": {"accounts": 20_000, "responses": 1_000_000, "months": 24},
}

# Demo sign-in; the app listens on 127.0.0.1 only. Change them with `cxpulse users`.
DEMO_USERS = (
    ("admin@example.com", "admin", "Ana Admin"),
    ("analyst@example.com", "analyst", "Luis Analista"),
    ("agent@example.com", "agent", "Marta Agente"),
)
DEMO_PASSWORD = "cxpulse-demo"

DEMO_SURVEYS = (
    ("nps-relacional", "nps", "relationship"),
    ("csat-soporte", "csat", "support"),
    ("ces-onboarding", "ces", "onboarding"),
)


@dataclass
class DemoReport:
    """What :func:`build_demo` did."""

    project_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEMO_PASSWORD


def _first_of_month(day: date, months_back: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months_back
    return date(month_index // 12, month_index % 12 + 1, 1)


def _snapshot_dates(today: date, count: int) -> list[date]:
    """The first day of each of the last ``count - 1`` months, oldest first, then today."""
    firsts = [_first_of_month(today, k) for k in range(count - 2, -1, -1)]
    return [d for d in firsts if d < today] + [today]


def build_demo(
    project_dir: str | Path,
    *,
    size: str = "small",
    seed: int = 7,
    today: date | None = None,
    progress: bool = True,
) -> DemoReport:
    """Create (or refresh) a demo project in ``project_dir`` and compute everything."""
    from cxpulse.datasets import load_demo

    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; use one of: {', '.join(SIZES)}")
    folder = Path(project_dir)
    if not (folder / CONFIG_FILE).exists():
        init_project(folder)
        _demo_settings(folder / CONFIG_FILE, "it_vendors")
    report = DemoReport(project_dir=folder.resolve())
    today = today or datetime.now(UTC).date()
    options = SIZES[size]
    start = _first_of_month(today, options["months"] - 1)
    with Workspace.open(folder) as ws:
        files = load_demo(
            ws,
            folder / "data",
            accounts=options["accounts"],
            responses=options["responses"],
            months=options["months"],
            start=start.isoformat(),
            seed=seed,
            progress=progress,
        )
        report.rows = dict(files.rows)
        report.steps.append(f"loaded {sum(files.rows.values()):,} rows into the workspace")
        _health(ws, folder, today, report)
        _comments(ws, report)
        store_url = ws.config.store_url()
        _store(store_url, folder, report)
        _surveys_and_cases(store_url, ws, today, report)
    return report


def _uncomment_rule(text: str, name: str) -> str:
    """Turn on a rule that the default cxpulse.toml ships commented out."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        if (
            lines[i] == "# [[loop.rules]]"
            and i + 1 < len(lines)
            and lines[i + 1] == (f'# name = "{name}"')
        ):
            while i < len(lines) and lines[i].startswith("# "):
                out.append(lines[i][2:])
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out) + "\n"


def _demo_settings(path: Path, industry: str) -> None:
    """The demo compares NPS with an industry and also follows up low CSAT and health drops."""
    text = path.read_text(encoding="utf-8")
    text = text.replace('# industry = "software"', f'industry = "{industry}"')
    for rule in ("low-csat", "health-red"):
        text = _uncomment_rule(text, rule)
    path.write_text(text, encoding="utf-8")


def _health(ws: Workspace, folder: Path, today: date, report: DemoReport) -> None:
    from cxpulse.health import fit_model, save_model, score_accounts

    result = fit_model(ws, "logistic", outcome="churn", horizon_days=90)
    save_model(
        folder,
        result.model,
        signals=result.signals,
        outcome=result.outcome,
        horizon_days=result.horizon_days,
        info=result.info(),
    )
    # Both models keep a history: the learned one is a calibrated probability of staying
    # (mostly high when few accounts churn in 90 days); the expert one is the CS team's
    # banded view that [health] model = "expert" shows first.
    expert = fit_model(ws, "expert", outcome="churn", horizon_days=90)
    scored = 0
    for as_of in _snapshot_dates(today, 6):
        frame = score_accounts(ws, result.model, as_of, signals=result.signals)
        score_accounts(ws, expert.model, as_of, signals=expert.signals)
        scored = len(frame)
    report.steps.append(
        f"health models fitted ({result.n:,} account-dates); {scored:,} accounts scored "
        "monthly for 6 months by the learned and the expert model"
    )


def _comments(ws: Workspace, report: DemoReport) -> None:
    try:
        from cxpulse.text import comment_analysis
    except ImportError:
        return
    analysis = comment_analysis(ws, by="segment", grain="month")
    themes = getattr(analysis, "themes", None)
    count = len(themes) if themes is not None else 0
    report.steps.append(f"comments analysed into {count} themes")


def _store(store_url: str, folder: Path, report: DemoReport) -> None:
    from cxpulse import store
    from cxpulse.store.tables import User

    store.migrate(store_url)
    with store.session(store_url) as session:
        existing = {u.email for u in session.query(User).all()}
        for email, role, name in DEMO_USERS:
            if email not in existing:
                store.create_user(session, email, DEMO_PASSWORD, role=role, name=name)
            report.users.append((email, role))
        session.commit()
    report.steps.append("operational store migrated; demo users ready")


def _surveys_and_cases(store_url: str, ws: Workspace, today: date, report: DemoReport) -> None:
    """Surveys to answer, and a few fresh answers through the collector (detractors open
    follow-up cases through the closed-loop rules), synced into the workspace."""
    from cxpulse import store
    from cxpulse.collect.answers import ResponseInput, record_response
    from cxpulse.collect.surveys import create_survey, list_surveys
    from cxpulse.collect.sync import sync

    try:
        from cxpulse.loop.context import LoopContext, register_context

        if ws.config.project_dir is not None:
            register_context(store_url, LoopContext.from_project(ws.config))
    except ImportError:
        pass
    with store.session(store_url) as session:
        known = {s.slug for s in list_surveys(session)}
        for slug, kind, touchpoint in DEMO_SURVEYS:
            if slug not in known:
                create_survey(session, slug, kind, touchpoint=touchpoint, language="es")
        session.commit()
    accounts = ws.table("accounts")
    live = accounts.filter(accounts.end_date.isnull()).order_by("account_id").limit(12)
    ids = [str(a) for a in live.account_id.execute()]
    answers: list[dict[str, Any]] = []
    comments = {
        "nps": ["El soporte tardó días en responder", "Great product, fast support"],
        "csat": ["No resolvieron mi problema de facturación", "Atención excelente"],
    }
    for i, account in enumerate(ids):
        kind, slug = ("nps", "nps-relacional") if i % 2 == 0 else ("csat", "csat-soporte")
        low = i % 3 == 0
        score = (3 if kind == "nps" else 2) if low else (9 if kind == "nps" else 5)
        answers.append(
            {
                "survey": slug,
                "score": score,
                "account_id": account,
                "contact_id": f"{account}-c1",
                "comment": comments[kind][0 if low else 1],
                "channel": "email",
                "responded_at": datetime.combine(today, datetime.min.time())
                - timedelta(hours=i + 1),
            }
        )
    with store.session(store_url) as session:
        for i, answer in enumerate(answers):
            record_response(
                session,
                ResponseInput.model_validate(answer),
                idempotency_key=f"demo-{today.isoformat()}-{i}",
                source="demo",
            )
        session.commit()
    synced = sync(store_url, ws, settle=timedelta(0))  # nothing else writes during the build
    report.steps.append(
        f"{len(DEMO_SURVEYS)} surveys ready; {len(answers)} fresh answers collected and synced "
        f"({synced.rows} rows)"
    )
    try:
        from cxpulse.loop.hooks import check_health

        with store.session(store_url) as session:
            opened = check_health(session, ws, _first_of_month(today, 2))
            session.commit()
        report.steps.append(f"{len(opened)} follow-up cases opened for accounts that fell into red")
    except ImportError:
        pass
