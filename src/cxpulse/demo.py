"""A complete demo project: a generated company loaded, scored, analysed and ready to serve.

``make demo`` runs ``cxpulse demo``, which calls :func:`build_demo`: every step goes through
the same public API a user would call (load, metrics, health, comments, surveys, cases).

>>> import tempfile
>>> report = build_demo(tempfile.mkdtemp(), size="tiny", progress=False)  # doctest: +SKIP
>>> report.rows["accounts"] > 0  # doctest: +SKIP
True
"""

from __future__ import annotations

import logging
import re
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

PARTS = ("health", "comments", "store")

DEMO_SURVEYS = (
    ("nps-relacional", "nps", "relationship"),
    ("csat-soporte", "csat", "support"),
    ("ces-onboarding", "ces", "onboarding"),
)


@dataclass(frozen=True)
class DemoStep:
    """One step of the build: a catalogue key and its figures, shown in any language."""

    key: str
    values: dict[str, int] = field(default_factory=dict)

    def text_in(self, lang: str) -> str:
        from cxpulse.locale import format_number, gettext

        shown = {k: format_number(v, lang, 0) for k, v in self.values.items()}
        return gettext(self.key, lang, **shown)

    def __str__(self) -> str:
        return self.text_in("en")


@dataclass
class DemoReport:
    """What :func:`build_demo` did."""

    project_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    steps: list[DemoStep] = field(default_factory=list)
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
    parts: tuple[str, ...] = PARTS,
    lang: str = "es",
) -> DemoReport:
    """Create (or refresh) a demo project in ``project_dir`` and compute everything
    (``lang``: the language of the progress bar).

    ``parts`` limits the build to some steps after loading the data (``health``,
    ``comments``, ``store``: users, surveys and cases), e.g. to check the health models fast.
    """
    from cxpulse.datasets import load_demo

    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; use one of: {', '.join(SIZES)}")
    folder = Path(project_dir)
    if not (folder / CONFIG_FILE).exists():
        init_project(folder)
        _demo_settings(folder / CONFIG_FILE, "it_vendors")
    report = DemoReport(project_dir=folder.resolve())
    now = datetime.now(UTC)
    today = today or now.date()
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
            lang=lang,
            # nothing observable after now (a given day: after its end)
            until=now if today == now.date() else today.isoformat(),
        )
        report.rows = dict(files.rows)
        report.steps.append(DemoStep("demo.step.loaded", {"rows": sum(files.rows.values())}))
        if "health" in parts:
            _health(ws, folder, today, report)
        if "comments" in parts:
            _comments(ws, report)
        if "store" not in parts:
            return report
        store_url = ws.config.store_url()
        _store(store_url, folder, report)
        # the demo's "now": this moment when built for today, else the evening of that day
        clock = (
            now
            if today == now.date()
            else datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=18)
        )
        _surveys_and_cases(store_url, ws, today, report, clock)
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


DEMO_BRAND = {"name": "Andes Cloud", "color": "#0f766e"}


def _demo_settings(path: Path, industry: str) -> None:
    """The demo compares NPS with an industry, follows up low CSAT and health drops, sends a
    follow-up survey after a detractor's case is resolved, keeps its e-mails in the outbox
    (its addresses are not real), and brands its survey pages."""
    text = path.read_text(encoding="utf-8")
    text = text.replace('# industry = "software"', f'industry = "{industry}"')
    # invoices fall due on the same day every month: as-of dates on the 1st and the 16th cover
    # the billing cycle, so the bands hold on whatever day the accounts are scored
    text = text.replace('training_dates = "monthly"', 'training_dates = "semimonthly"', 1)
    # a SaaS book churning 5 % a quarter has a thin risky tail: 1.5x the base rate marks
    # about 10 % of accounts late in a billing cycle; 1.3x keeps the riskiest ~15 % in red
    # (still churning over twice the average in the backtest)
    text = text.replace("red_ratio = 1.5 ", "red_ratio = 1.3 ", 1)
    for rule in ("low-csat", "health-red"):
        text = _uncomment_rule(text, rule)
    text = text.replace(
        'action = { priority = "high", sla_hours = 48, notify = ["email"] }',
        'action = { priority = "high", sla_hours = 48, notify = ["email"], '
        'followup_survey = "nps-relacional" }',
        1,
    )
    text = text.replace(
        'action = { priority = "normal", sla_hours = 72, notify = ["email", "webhook"] }',
        'action = { priority = "normal", sla_hours = 72, notify = ["email"] }',
        1,
    )
    text = text.replace("deliver_in_app = true", "deliver_in_app = false", 1)
    text = re.sub(r'^name = ".*"$', f'name = "{DEMO_BRAND["name"]}"', text, count=1, flags=re.M)
    text += (
        "\n[surveys]\n"
        f'brand_name = "{DEMO_BRAND["name"]}"\n'
        f'brand_color = "{DEMO_BRAND["color"]}"\n'
        'formality = "tu"\n'
    )
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
    report.steps.append(DemoStep("demo.step.health", {"n": result.n, "scored": scored}))


def _comments(ws: Workspace, report: DemoReport) -> None:
    try:
        from cxpulse.text import comment_analysis
    except ImportError:
        return
    analysis = comment_analysis(ws, by="segment", grain="month")
    themes = getattr(analysis, "themes", None)
    count = len(themes) if themes is not None else 0
    report.steps.append(DemoStep("demo.step.comments", {"count": count}))


def _store(store_url: str, folder: Path, report: DemoReport) -> None:
    from cxpulse import store
    from cxpulse.store.tables import User

    store.migrate(store_url)
    with store.session(store_url) as session:
        existing = {u.email for u in session.query(User).all()}
        from cxpulse.datasets.catalog import CSM_EMAILS, CSMS

        people = [*DEMO_USERS, *((e, "agent", n) for e, n in zip(CSM_EMAILS, CSMS, strict=True))]
        for email, role, name in people:
            if email not in existing:
                store.create_user(session, email, DEMO_PASSWORD, role=role, name=name)
            if role != "agent" or email == DEMO_USERS[2][0] or email == CSM_EMAILS[0]:
                report.users.append((email, role))
        session.commit()
    report.steps.append(DemoStep("demo.step.store"))


FIRST_NAMES = (
    "María",
    "José",
    "Carmen",
    "Juan",
    "Lucía",
    "Carlos",
    "Ana",
    "Pedro",
    "Laura",
    "Miguel",
    "Paula",
    "Jorge",
    "Elena",
    "Diego",
    "Sara",
    "Pablo",
    "Marta",
    "Andrés",
    "Rosa",
    "Tomás",
)
FIRST_NAMES_EN = ("Emily", "James", "Olivia", "Michael", "Sarah", "David", "Emma", "Daniel")
LAST_NAMES = (
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Romero",
    "Navarro",
    "Torres",
    "Ruiz",
    "Vargas",
    "Castro",
    "Méndez",
    "Silva",
    "Rojas",
    "Morales",
    "Herrera",
    "Ortiz",
    "Delgado",
    "Ramos",
)
LAST_NAMES_EN = ("Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark")
ROLES = ("sponsor", "admin", "user")
CONTACTS_PER_ACCOUNT = 3
FRESH_ANSWERS = 48  # answers of the last 30 days collected through the app


def _slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", plain)


def _demo_contacts(ws: Workspace) -> list[Any]:
    """Three people per account (a sponsor, an admin, a user) with e-mails at the customer's
    domain; English speakers at US accounts, Spanish elsewhere (Brazilians get the project's
    language: the app speaks es and en)."""
    import numpy as np

    from cxpulse.loop.contacts import ContactInfo

    accounts = ws.table("accounts").select("account_id", "name", "country").execute()
    rng = np.random.default_rng(17)
    out: list[ContactInfo] = []
    for row in accounts.itertuples(index=False):
        english = row.country == "US" or rng.random() < 0.08
        firsts, lasts = (FIRST_NAMES_EN, LAST_NAMES_EN) if english else (FIRST_NAMES, LAST_NAMES)
        domain = _slug(str(row.name).split(" ")[0] + str(row.name).split(" ")[1]) or "cliente"
        for k in range(CONTACTS_PER_ACCOUNT):
            first = firsts[int(rng.integers(len(firsts)))]
            last = lasts[int(rng.integers(len(lasts)))]
            out.append(
                ContactInfo(
                    contact_id=f"{row.account_id}-C{k:03d}",
                    account_id=str(row.account_id),
                    name=f"{first} {last}",
                    email=f"{_slug(first)}.{_slug(last)}@{domain}.example",
                    language="en" if english else ("es" if row.country != "BR" else None),
                    role=ROLES[k],
                )
            )
    return out


def _surveys_and_cases(
    store_url: str, ws: Workspace, today: date, report: DemoReport, now: datetime
) -> None:
    """Surveys to answer; contacts; a month of answers collected through the app, whose
    detractors and low CSATs opened cases at the time they came in; the team working those
    cases (assigned, contacted, some late, resolved, follow-up surveys sent and answered), so
    every closed-loop indicator has a value."""
    import numpy as np

    from cxpulse import store
    from cxpulse.collect.answers import ResponseInput, answer_invitation, record_response
    from cxpulse.collect.surveys import create_survey, list_surveys
    from cxpulse.collect.sync import sync
    from cxpulse.loop.contacts import save_contacts
    from cxpulse.loop.context import LoopContext, register_context
    from cxpulse.loop.hooks import on_response
    from cxpulse.loop.rules import parse_loop_config
    from cxpulse.store.tables import OutboxMessage, SurveyResponse

    context = LoopContext.from_project(ws.config, ws)  # account owners from the workspace
    quiet = LoopContext(
        config=parse_loop_config({"rules": []}),
        language=context.language,
        base_url=context.base_url,
        owner_of=context.owner_of,
    )
    with store.session(store_url) as session:
        known = {s.slug for s in list_surveys(session)}
        for slug, kind, touchpoint in DEMO_SURVEYS:
            if slug not in known:
                create_survey(session, slug, kind, touchpoint=touchpoint, language="es")
        contacts = save_contacts(session, _demo_contacts(ws))
        session.commit()
    accounts = ws.table("accounts")
    live = accounts.filter(accounts.end_date.isnull()).order_by("account_id")
    ids = [str(a) for a in live.account_id.execute()]
    rng = np.random.default_rng(23)
    comments = {
        "nps": (
            [
                "El soporte tardó días en responder",
                "Nos cobraron dos veces la factura",
                "La plataforma se cae en cierre de mes",
                "Support takes days to answer",
            ],
            [
                "Muy buen producto y el equipo responde rápido",
                "Great product, fast support",
                "La integración con el ERP nos ahorra horas",
            ],
        ),
        "csat": (
            ["No resolvieron mi problema de facturación", "Me pasaron de un agente a otro"],
            ["Atención excelente", "Resolvieron todo en una llamada"],
        ),
    }
    answers: list[tuple[dict[str, Any], datetime]] = []
    for i in range(min(FRESH_ANSWERS, 4 * len(ids))):
        account = ids[int(rng.integers(len(ids)))]
        kind, slug = ("nps", "nps-relacional") if i % 3 else ("csat", "csat-soporte")
        low = rng.random() < 0.45
        score = (
            int(rng.integers(1, 6) if kind == "nps" else rng.integers(1, 3))
            if low
            else (int(rng.integers(9, 11)) if kind == "nps" else int(rng.integers(4, 6)))
        )
        when = now - timedelta(hours=float(rng.uniform(2, 30 * 24)))
        texts = comments[kind][0 if low else 1]
        answers.append(
            (
                {
                    "survey": slug,
                    "score": score,
                    "account_id": account,
                    "contact_id": f"{account}-C{int(rng.integers(CONTACTS_PER_ACCOUNT)):03d}",
                    "comment": texts[int(rng.integers(len(texts)))],
                    "channel": "email",
                    "responded_at": when,
                },
                when,
            )
        )
    register_context(store_url, quiet)  # the cases open below, at the time each answer came
    with store.session(store_url) as session:
        stored = []
        for i, (answer, _) in enumerate(answers):
            result = record_response(
                session,
                ResponseInput.model_validate(answer),
                idempotency_key=f"demo-{today.isoformat()}-{i}",
                source="demo",
            )
            stored.append(result.response)
        session.commit()
    register_context(store_url, context)
    worked = resolved = answered = 0
    with store.session(store_url) as session:
        for response, (_, when) in zip(stored, answers, strict=True):
            row = session.get(SurveyResponse, response.id)
            for case in on_response(session, row, context, now=when):
                worked += _work_case(session, case.id, when, now, rng, context)
    with store.session(store_url) as session:
        resolved, answered = _answer_followups(session, rng, answer_invitation, OutboxMessage)
    synced = sync(store_url, ws, settle=timedelta(0))  # nothing else writes during the build
    counts = {"surveys": len(DEMO_SURVEYS), "contacts": contacts, "answers": len(answers)}
    counts |= {"synced": synced.rows, "worked": worked, "resolved": resolved}
    report.steps.append(DemoStep("demo.step.surveys", {**counts, "answered": answered}))
    import pandas as pd

    from cxpulse.health import band_changes
    from cxpulse.loop.hooks import on_band_changes

    opened = health_worked = 0
    with store.session(store_url) as session:
        for change in band_changes(ws, _first_of_month(today, 2)):
            day = pd.Timestamp(change.at).date()  # snapshot dates
            when = min(datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9), now)
            for case in on_band_changes(session, [change], context, now=when):
                opened += 1
                health_worked += _work_case(session, case.id, when, now, rng, context)
    report.steps.append(
        DemoStep("demo.step.health_cases", {"opened": opened, "worked": health_worked})
    )


def _work_case(
    session: Any, case_id: int, opened: datetime, now: datetime, rng: Any, ctx: Any
) -> int:
    """What a CS team did with one case since it opened: most are contacted (a few after the
    SLA), most of those resolved with a root cause; the rest wait."""
    from cxpulse.loop.cases import comment_case, get_case
    from cxpulse.loop.followup import resolve_and_follow_up

    age = (now - opened).total_seconds() / 3600
    if age < 6 or rng.random() < 0.2:
        return 0  # still new, or not picked up yet
    case = get_case(session, case_id)
    if case.status != "open" or case.first_contact_at is not None:
        return 0  # worked by an earlier build of this demo
    actor = case.owner or DEMO_USERS[2][0]
    contact_after = float(rng.uniform(1, 40) if rng.random() < 0.8 else rng.uniform(50, 90))
    if contact_after >= age:
        return 0
    at = opened + timedelta(hours=contact_after)
    comment_case(
        session,
        case_id,
        "Llamé al cliente y acordamos próximos pasos",
        actor=actor,
        at=at,
        contact=True,
    )
    resolve_after = contact_after + float(rng.uniform(2, 72))
    if resolve_after < age and rng.random() < 0.75:
        category = ("billing", "support", "performance", "onboarding")[int(rng.integers(4))]
        resolve_and_follow_up(
            session,
            case_id,
            actor=actor,
            context=ctx,
            text="Resuelto con el cliente",
            category=category,
            at=opened + timedelta(hours=resolve_after),
        )
    return 1


def _answer_followups(
    session: Any, rng: Any, answer_invitation: Any, outbox: Any
) -> tuple[int, int]:
    """Contacts who got a follow-up survey answer most of them through their link (the one
    in the e-mail waiting in the outbox); many detractors come back as promoters."""
    from sqlalchemy import select

    sent = answered = 0
    for message in session.scalars(select(outbox).where(outbox.channel == "email")):
        found = re.search(r"/s/([A-Za-z0-9_-]{20,})", str(message.payload.get("body", "")))
        if not found:
            continue
        sent += 1
        if rng.random() < 0.7:
            score = int(rng.choice([10, 9, 9, 8, 7, 5]))
            answer_invitation(session, found.group(1), score, comment=None)
            answered += 1
    return sent, answered
