"""Test data for the web and browser tests: a small company on real DuckDB/SQLite files."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient

from cxpulse import store
from cxpulse.workspace import Workspace

PASSWORD = "correct horse battery"
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
MONTHS = 6
FIRST_MONTH = date(2026, 3, 1)


def _month_start(i: int) -> date:
    index = FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1 + i
    return date(index // 12, index % 12 + 1, 1)


def build_frames(
    seed: int = 11, accounts: int = 90, per_month: int = 120
) -> dict[str, pd.DataFrame]:
    """Accounts in three segments and six months of NPS/CSAT/CES answers.

    Enterprise NPS collapses in the last month so a significant change exists.
    """
    rng = np.random.default_rng(seed)
    acc = pd.DataFrame(
        {
            "account_id": [f"A{i:03d}" for i in range(accounts)],
            "name": [f"Cliente {i:03d} S.A." for i in range(accounts)],
            "segment": [SEGMENTS[i % 3] for i in range(accounts)],
            "industry": ["software"] * accounts,
            "country": [["MX", "CO", "ES", "AR", "CL"][i % 5] for i in range(accounts)],
            "owner": [f"csm{i % 4}@example.com" for i in range(accounts)],
            "start_date": [date(2024, 1, 1) + timedelta(days=int(i) * 3) for i in range(accounts)],
            "mrr": rng.uniform(100, 5000, accounts).round(2),
        }
    )
    rows = []
    rid = 0
    for m in range(MONTHS):
        start = _month_start(m)
        for kind in ("nps", "csat", "ces"):
            for _ in range(per_month):
                a = int(rng.integers(0, accounts))
                seg = SEGMENTS[a % 3]
                if kind == "nps":
                    p = [0.02] * 7 + [0.08, 0.16, 0.36, 0.30]
                    if seg == "Enterprise" and m == MONTHS - 1:
                        p = [0.12] * 7 + [0.06, 0.05, 0.03, 0.02]
                    p = np.array(p) / sum(p)
                    score = int(rng.choice(11, p=p))
                elif kind == "csat":
                    score = int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.07, 0.13, 0.35, 0.40]))
                else:
                    score = int(
                        rng.choice(range(1, 8), p=[0.04, 0.05, 0.08, 0.13, 0.25, 0.25, 0.20])
                    )
                day = int(rng.integers(0, 27))
                rows.append(
                    {
                        "response_id": f"R{rid:06d}",
                        "account_id": f"A{a:03d}",
                        "kind": kind,
                        "score": score,
                        "responded_at": datetime(start.year, start.month, 1 + day, 12, tzinfo=UTC),
                        "touchpoint": ["support", "onboarding", "relationship"][rid % 3],
                        "channel": "email",
                        "language": "es" if rid % 2 else "en",
                        "comment": ("El soporte fue lento" if score < 5 else "Excelente atención")
                        if rid % 4 == 0
                        else None,
                    }
                )
                rid += 1
    resp = pd.DataFrame(rows)
    resp["responded_at"] = pd.to_datetime(resp["responded_at"]).dt.tz_convert(None)
    return {"accounts": acc, "responses": resp}


def make_project(folder: Path, frames: dict[str, pd.DataFrame] | None, *, toml: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cxpulse.toml").write_text(
        'name = "Test company"\n[locale]\nlanguage = "es"\n' + toml, encoding="utf-8"
    )
    if frames is not None:
        with Workspace.open(folder) as ws:
            for table, frame in frames.items():
                ws.load(table, frame)
    return folder


def add_users(folder: Path) -> str:
    """Create admin, analyst and agent users in the project's SQLite store; return its URL."""
    url = f"sqlite:///{folder / 'cxpulse.sqlite'}"
    store.migrate(url)
    with store.session(url) as s:
        store.create_user(s, "admin@example.com", PASSWORD, role="admin", name="Ana Admin")
        store.create_user(s, "analyst@example.com", PASSWORD, role="analyst", name="Luis Analista")
        store.create_user(s, "agent@example.com", PASSWORD, role="agent", language="en")
    return url


def add_scores(folder: Path, dates: tuple[str, ...] = ("2026-06-01", "2026-09-01")) -> None:
    """Score every account with the default expert model on each date (real snapshots)."""
    from cxpulse.health import ExpertModel, compute_features, score_accounts
    from cxpulse.health.features import health_config_of

    with Workspace.open(folder) as ws:
        cfg = health_config_of(ws)
        model = ExpertModel(cfg.signals).fit(compute_features(ws, dates[0], cfg.signals))
        for day in dates:
            score_accounts(ws, model, day)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client
