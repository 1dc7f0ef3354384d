"""Small seeded SaaS data with a known hidden health, for health-score tests.

Each account has a latent health ``h`` ~ N(0, 1). Usage, tickets, surveys, touchpoints and
invoices depend on it, and so does the monthly churn hazard, so a model that reads the
signals well should recover the ranking that ``h`` implies.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from cxpulse.schema import TABLES
from cxpulse.schema.types import arrow_schema
from cxpulse.workspace import Workspace

START = dt.date(2024, 1, 1)


def insert(ws: Workspace, table: str, frame: pd.DataFrame) -> None:
    """Load rows into a canonical table through the validated loader (missing columns null)."""
    spec = TABLES[table]
    frame = frame.copy()
    for col in spec.column_names:
        if col not in frame.columns:
            frame[col] = None
    data = pa.Table.from_pandas(
        frame[list(spec.column_names)], schema=arrow_schema(spec), preserve_index=False
    )
    if len(frame):
        ws.load(table, data)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def make_data(n_accounts: int = 60, months: int = 12, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Seeded canonical tables; also returns ``truth`` (account_id, h, churn_date)."""
    rng = np.random.default_rng(seed)
    ids = [f"A{i:04d}" for i in range(n_accounts)]
    h = rng.normal(size=n_accounts)
    start = [START + dt.timedelta(days=int(d)) for d in rng.integers(0, 60, n_accounts)]
    licenses = rng.integers(5, 30, n_accounts)
    end_limit = START + dt.timedelta(days=30 * (months + 2))
    churn: list[dt.date | None] = []
    for i in range(n_accounts):
        day, when = start[i] + dt.timedelta(days=90), None
        while day < end_limit:
            if rng.random() < _sigmoid(-3.4 - 1.5 * h[i]):
                when = day + dt.timedelta(days=int(rng.integers(0, 30)))
                break
            day += dt.timedelta(days=30)
        churn.append(when)
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "name": [f"Cuenta {i}" for i in ids],
            "segment": rng.choice(["SMB", "Mid-Market", "Enterprise"], n_accounts),
            "start_date": start,
            "end_date": churn,
            "mrr": np.round(rng.uniform(100, 3000, n_accounts), 2),
            "licenses": licenses,
        }
    )
    outcomes = pd.DataFrame(
        [
            {"account_id": a, "outcome": "churn", "occurred_at": c}
            for a, c in zip(ids, churn, strict=True)
            if c
        ]
    )
    usage, tickets, responses, touch, invoices = [], [], [], [], []
    features = ["dashboards", "reports", "alerts", "api", "exports", "sso", "billing"]
    for i, acc in enumerate(ids):
        last = churn[i] or end_limit
        day = start[i]
        k = 0
        while day < last:
            month_end = min(day + dt.timedelta(days=30), last)
            span = max((month_end - day).days, 1)

            def at(frac: float, base: dt.date = day, width: int = span) -> dt.datetime:
                return dt.datetime.combine(base, dt.time()) + dt.timedelta(days=frac * width)

            n_ev = rng.poisson(np.exp(1.6 + 0.6 * h[i]))
            n_feat = int(np.clip(round(3 + 1.5 * h[i]), 1, len(features)))
            users = max(int(licenses[i] * _sigmoid(h[i])), 1)
            for _ in range(n_ev):
                usage.append(
                    (
                        f"{acc}-u{k}",
                        acc,
                        f"{acc}-user{rng.integers(0, users)}",
                        at(rng.random()),
                        features[rng.integers(0, n_feat)],
                        1.0,
                    )
                )
                k += 1
            for _ in range(rng.poisson(np.exp(-0.3 - 0.5 * h[i]))):
                opened = at(rng.random())
                hours = float(rng.exponential(np.exp(3.0 - 0.4 * h[i])))
                resolved = opened + dt.timedelta(hours=hours)
                tickets.append(
                    (
                        f"{acc}-t{k}",
                        acc,
                        opened,
                        resolved if resolved < at(1.0, last, 0) else None,
                        "resolved",
                        str(rng.choice(["low", "normal", "high", "urgent"])),
                    )
                )
                k += 1
            if rng.random() < 0.5:
                nps = int(np.clip(round(7 + 2 * h[i] + rng.normal()), 0, 10))
                responses.append((f"{acc}-r{k}", acc, "nps", nps, at(rng.random())))
                csat = int(np.clip(round(3.8 + 0.8 * h[i] + rng.normal(0, 0.5)), 1, 5))
                responses.append((f"{acc}-c{k}", acc, "csat", csat, at(rng.random())))
                k += 1
            if rng.random() < 0.4:
                rating = int(np.clip(round(3.5 + h[i] + rng.normal(0, 0.5)), 1, 5))
                touch.append((f"{acc}-p{k}", acc, at(rng.random()), "call", rating))
                k += 1
            amount = float(licenses[i] * 20)
            due = day + dt.timedelta(days=15)
            late = rng.random() < _sigmoid(-2.0 - 1.2 * h[i])
            paid = None if late else due - dt.timedelta(days=2)
            invoices.append(
                (f"{acc}-i{k}", acc, day, day, due, paid, amount, "paid" if paid else "open")
            )
            k += 1
            day = month_end
    return {
        "accounts": accounts,
        "outcomes": outcomes,
        "usage_events": pd.DataFrame(
            usage,
            columns=["event_id", "account_id", "user_id", "occurred_at", "feature", "quantity"],
        ),
        "tickets": pd.DataFrame(
            tickets,
            columns=["ticket_id", "account_id", "opened_at", "resolved_at", "status", "priority"],
        ),
        "responses": pd.DataFrame(
            responses, columns=["response_id", "account_id", "kind", "score", "responded_at"]
        ),
        "touchpoints": pd.DataFrame(
            touch, columns=["touchpoint_id", "account_id", "occurred_at", "kind", "rating"]
        ),
        "invoices": pd.DataFrame(
            invoices,
            columns=[
                "invoice_id",
                "account_id",
                "issued_at",
                "period_start",
                "due_date",
                "paid_at",
                "amount",
                "status",
            ],
        ),
        "truth": pd.DataFrame({"account_id": ids, "h": h, "churn_date": churn}),
    }


def seed(ws: Workspace, data: dict[str, pd.DataFrame]) -> None:
    """Insert every canonical table of ``data`` into the workspace."""
    for name, frame in data.items():
        if name in TABLES:
            insert(ws, name, frame.copy())
