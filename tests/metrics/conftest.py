"""Small seeded company data for the metric suite, loaded into each backend in turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

SEGMENTS = np.array(["SMB", "Mid-Market", "Enterprise"], dtype=object)
LOAD_ORDER = (
    "accounts",
    "responses",
    "tickets",
    "invoices",
    "orders",
    "touchpoints",
    "invitations",
    "usage_events",
)


@dataclass
class Company:
    """The frames loaded into the workspace, kept for the independent pandas computation."""

    frames: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


def build_company(seed: int = 11, accounts: int = 30, responses: int = 360) -> Company:
    """Accounts in three segments (one without segment), survey answers, tickets, invoices,
    orders and touchpoints over 2025-10..2026-06, some accounts churned."""
    rng = np.random.default_rng(seed)
    ids = [f"A{i:03d}" for i in range(accounts)]
    seg = rng.choice(SEGMENTS, accounts)
    seg[0] = None
    start = [date(2024, 6, 1) + timedelta(days=int(d)) for d in rng.integers(0, 640, accounts)]
    end: list[date | None] = []
    for s in start:
        if rng.random() < 0.35:
            e = s + timedelta(days=int(rng.integers(20, 500)))
            end.append(e if e <= date(2026, 6, 30) else None)
        else:
            end.append(None)
    acc = pd.DataFrame(
        {
            "account_id": ids,
            "segment": seg,
            "country": rng.choice(["MX", "CO", "ES"], accounts),
            "start_date": start,
            "end_date": end,
            "mrr": rng.uniform(100, 2000, accounts).round(2),
        }
    )

    t0 = pd.Timestamp("2026-01-01")
    kinds = rng.choice(["nps", "csat", "ces"], responses, p=[0.5, 0.3, 0.2])
    hi = np.where(kinds == "nps", 11, np.where(kinds == "csat", 6, 8))
    lo = np.where(kinds == "nps", 0, 1)
    resp = pd.DataFrame(
        {
            "response_id": [f"R{i:05d}" for i in range(responses)],
            "account_id": rng.choice(ids, responses),
            "kind": kinds,
            "score": rng.integers(lo, hi),
            "responded_at": t0 + pd.to_timedelta(rng.integers(0, 181 * 24 * 60, responses), "m"),
            "touchpoint": rng.choice(["support", "onboarding"], responses),
        }
    )

    n_t = 160
    opened = t0 + pd.to_timedelta(rng.integers(0, 181 * 24 * 60, n_t), "m")
    first = opened + pd.to_timedelta(rng.exponential(6.0, n_t) * 60, "m").round("s")
    has_first = rng.random(n_t) < 0.9
    resolved = opened + pd.to_timedelta(rng.exponential(40.0, n_t) * 60, "m").round("s")
    is_resolved = rng.random(n_t) < 0.75
    status = np.where(
        is_resolved, rng.choice(["resolved", "closed"], n_t), rng.choice(["open", "pending"], n_t)
    )
    fcr = pd.array(rng.random(n_t) < 0.6, dtype="boolean")
    fcr[rng.random(n_t) < 0.1] = pd.NA
    handle = pd.Series(rng.gamma(2.0, 12.0, n_t).round(1))
    handle[rng.random(n_t) < 0.1] = np.nan
    tick = pd.DataFrame(
        {
            "ticket_id": [f"T{i:04d}" for i in range(n_t)],
            "account_id": rng.choice(ids, n_t),
            "opened_at": opened,
            "first_response_at": pd.Series(first).where(has_first),
            "resolved_at": pd.Series(resolved).where(is_resolved),
            "status": status,
            "priority": rng.choice(["low", "normal", "high", "urgent"], n_t),
            "channel": rng.choice(["email", "chat"], n_t),
            "handle_time_minutes": handle,
            "first_contact_resolution": fcr,
        }
    )

    inv_rows = []
    months = pd.date_range("2025-10-01", "2026-06-01", freq="MS").date
    k = 0
    for a, s, e, mrr in zip(ids, start, end, acc["mrr"], strict=True):
        level = float(mrr)
        for m in months:
            if m < s.replace(day=1) or (e is not None and m > e):
                continue
            level = max(0.0, level * float(rng.choice([1.0, 1.0, 1.0, 1.1, 0.85])))
            inv_rows.append(
                {
                    "invoice_id": f"I{k:05d}",
                    "account_id": a,
                    "issued_at": m,
                    "period_start": m,
                    "amount": round(level, 2),
                    "status": "void" if rng.random() < 0.04 else "paid",
                }
            )
            k += 1
    inv = pd.DataFrame(inv_rows)

    n_o = 140
    # statuses as exports write them: case and spaces vary, some missing; refunds signed
    # negative, cancellations positive (both must be subtracted), pending counts for nothing
    status = rng.choice(
        np.array(
            ["completed", "Paid ", "DELIVERED", "", None, "cancelled", "refunded", "pending"],
            dtype=object,
        ),
        n_o,
        p=[0.4, 0.1, 0.1, 0.05, 0.12, 0.1, 0.08, 0.05],
    )
    amount = rng.uniform(10, 300, n_o).round(2)
    amount = np.where(status == "refunded", -amount, amount)
    amount_col = pd.Series(amount)
    amount_col[rng.random(n_o) < 0.05] = np.nan
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i:04d}" for i in range(n_o)],
            "account_id": rng.choice(ids[:18], n_o),
            "ordered_at": t0 + pd.to_timedelta(rng.integers(0, 181 * 24 * 60, n_o), "m"),
            "amount": amount_col,
            "status": status,
        }
    )
    n_p = 90
    tps = pd.DataFrame(
        {
            "touchpoint_id": [f"P{i:04d}" for i in range(n_p)],
            "account_id": rng.choice(ids, n_p),
            "occurred_at": t0 + pd.to_timedelta(rng.integers(0, 181 * 24 * 60, n_p), "m"),
            "kind": rng.choice(["meeting", "call", "qbr"], n_p),
        }
    )
    # drawn after everything above, so the frames above stay what they were
    reopens = pd.array(rng.poisson(0.3, n_t), dtype="Int64")
    reopens[rng.random(n_t) < 0.1] = pd.NA
    tick["reopen_count"] = reopens
    n_y = 70
    yes_no = pd.DataFrame(
        {
            "response_id": [f"Y{i:04d}" for i in range(n_y)],
            "account_id": rng.choice(ids, n_y),
            "kind": "yes_no",
            "score": (rng.random(n_y) < 0.7).astype(int),
            "responded_at": t0 + pd.to_timedelta(rng.integers(0, 181 * 24 * 60, n_y), "m"),
            "touchpoint": "support",
        }
    )
    resp = pd.concat([resp, yes_no], ignore_index=True)
    n_i = 220
    answered = rng.random(n_i) < 0.4
    invited = t0 + pd.to_timedelta(rng.integers(0, 181 * 24 * 60, n_i), "m")
    invitations = pd.DataFrame(
        {
            "invitation_id": [f"V{i:04d}" for i in range(n_i)],
            "account_id": rng.choice(ids, n_i),
            "survey_id": rng.choice(["nps-rel", "csat-support"], n_i),
            "channel": rng.choice(np.array(["email", "link", "sms", None], dtype=object), n_i),
            "invited_at": invited,
            "answered": answered,
            "responded_at": pd.Series(invited + pd.Timedelta(hours=5)).where(answered),
        }
    )
    n_u = 400
    users = ids[:20]
    usage = pd.DataFrame(
        {
            "event_id": [f"U{i:05d}" for i in range(n_u)],
            "account_id": rng.choice(users, n_u),
            "occurred_at": pd.Timestamp("2025-09-01")
            + pd.to_timedelta(rng.integers(0, 300 * 24 * 60, n_u), "m"),
            "feature": rng.choice(["reports", "export"], n_u),
            "quantity": rng.integers(1, 5, n_u).astype(float),
        }
    )
    return Company(
        {
            "invitations": invitations,
            "usage_events": usage,
            "accounts": acc,
            "responses": resp,
            "tickets": tick,
            "invoices": inv,
            "orders": orders,
            "touchpoints": tps,
        }
    )


@pytest.fixture(scope="session")
def company() -> Company:
    return build_company()


_SPARK: dict[str, object] = {}


@pytest.fixture
def loaded(request: pytest.FixtureRequest, backend_name: str, company: Company):  # type: ignore[no-untyped-def]
    """The workspace of the current backend with the company loaded (validated load).

    Spark is slow to load, so its loaded workspace is reused by every test (read only).
    """
    if backend_name == "pyspark" and "ws" in _SPARK:
        return _SPARK["ws"]
    ws = request.getfixturevalue("workspace")
    for name in LOAD_ORDER:
        frame = company[name]
        if backend_name == "sqlite":
            # ws.load on SQLite cannot bind missing timestamps (NaT) yet; insert the same rows
            # with None for missing values instead
            ws.con.insert(name, frame.astype(object).where(frame.notna(), None))
        else:
            ws.load(name, frame)
    if backend_name == "pyspark":
        _SPARK["ws"] = ws
    return ws


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend_name") == "pyspark":
            item.add_marker(pytest.mark.xdist_group("spark"))
            item.add_marker(pytest.mark.spark)
