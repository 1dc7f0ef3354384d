"""The weekly digest, sent through a real SMTP server on 127.0.0.1, in each recipient's
language, with the NPS trend as a PNG image and a plain-text part."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from cxpulse import Workspace, store
from cxpulse.jobs import run_job
from cxpulse.project import init_project
from tests.ops.conftest import Inbox, bank_accounts

SLOT = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # a Monday: the digest covers 23-29 Nov
OWNERS = ("ana@example.com", "bob@example.com")


def _answers(accounts: pd.DataFrame, bank: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for week_start in pd.date_range("2026-10-05", "2026-11-23", freq="7D"):
        for i, account in enumerate(accounts["account_id"]):
            # the bank's own satisfaction-like figure drives the score: credit score deciles
            score = int(np.clip(round(bank["CreditScore"].iloc[i] / 85) + rng.integers(-2, 2),
                                0, 10))  # fmt: skip
            rows.append(
                {"response_id": f"R-{week_start.date()}-{i}", "account_id": account,
                 "kind": "nps", "score": score,
                 "responded_at": week_start + pd.Timedelta(hours=10 + i % 48)}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _nps(scores: pd.Series) -> float:
    return 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_digest_reaches_owners_and_team_in_their_language_with_its_chart(
    tmp_path: Path, shared_data: Path, smtp: Inbox
) -> None:
    folder = tmp_path / "proj"
    init_project(folder, language="es")
    accounts = bank_accounts(shared_data, 40, owners=OWNERS)
    bank = pd.read_csv(shared_data / "bank_churn.csv", nrows=40)
    answers = _answers(accounts, bank)
    with Workspace.open(folder) as ws:
        ws.load("accounts", accounts)
        ws.load("responses", answers)
    url = f"sqlite:///{folder / 'cxpulse.sqlite'}"
    store.migrate(url)
    with store.session(url) as s:
        store.create_user(s, OWNERS[0], "pw-ana-123456", role="analyst", language="es")
        store.create_user(s, OWNERS[1], "pw-bob-123456", role="admin", language="en")

    outcome = run_job("digest", folder, slot=SLOT, trigger="schedule")
    assert outcome.outcome == "ok", outcome.error
    assert outcome.rows == 4  # two owners, two team members

    week = answers[(answers.responded_at >= "2026-11-23") & (answers.responded_at < "2026-11-30")]
    by_owner = week.merge(accounts[["account_id", "owner"]], on="account_id")
    received = {(m["To"], "equipo" in m["Subject"] or "team" in m["Subject"]): m
                for m in smtp.messages}  # fmt: skip
    assert len(received) == 4
    for (to, is_team), msg in received.items():
        spanish = to == OWNERS[0]
        assert ("Resumen semanal" in msg["Subject"]) == spanish
        assert ("weekly digest" in msg["Subject"]) == (not spanish)
        text = msg.get_body(preferencelist=("plain",)).get_content()
        html = msg.get_body(preferencelist=("html",)).get_content()
        images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
        assert len(images) == 1 and images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"cid:{images[0]['Content-ID'][1:-1]}" in html
        scores = week.score if is_team else by_owner[by_owner.owner == to].score
        expected = f"NPS: {_nps(scores):.1f} (n={len(scores)})"
        assert expected in text, (expected, text)
        assert ("Indicadores de la semana" in text) == spanish
        assert ("Indicators of the week" in text) == (not spanish)
        detractors = int((scores <= 6).sum())
        heading = "Nuevos detractores" if spanish else "New detractors"
        assert f"{heading} ({min(detractors, 10)})" in text


def test_digest_lists_accounts_that_turned_red_with_their_reasons(
    tmp_path: Path, smtp: Inbox
) -> None:
    from tests.web.webdata import add_scores, build_frames, make_project

    folder = make_project(tmp_path / "company", build_frames(), toml="")
    add_scores(folder)  # real snapshots on 2026-06-01 and 2026-09-01
    with Workspace.open(folder) as ws:
        snaps = ws.con.table("health_scores").to_pandas()
    snaps["as_of"] = pd.to_datetime(snaps["as_of"]).dt.date.astype(str)
    wide = snaps.pivot_table(index="account_id", columns="as_of", values="band", aggfunc="last")
    turned_red = sorted(wide.index[(wide["2026-09-01"] == "red") & (wide["2026-06-01"] != "red")])
    assert turned_red, "the test company should have accounts turning red"
    url = f"sqlite:///{folder / 'cxpulse.sqlite'}"
    store.migrate(url)
    with store.session(url) as s:
        store.create_user(s, "lead@example.com", "pw-lead-123456", role="admin", language="en")
    toml = folder / "cxpulse.toml"
    toml.write_text(toml.read_text() + '\n[jobs.digest]\nteam = ["lead@example.com"]\n')
    # the Monday after the 2026-09-01 snapshot: the digest covers 31 Aug - 6 Sep
    outcome = run_job("digest", folder, slot=datetime(2026, 9, 7, 7, 0, tzinfo=UTC))
    assert outcome.outcome == "ok", outcome.error
    team = [m for m in smtp.messages if m["To"] == "lead@example.com"]
    assert len(team) == 1
    text = team[0].get_body(preferencelist=("plain",)).get_content()
    assert f"Accounts that turned red ({len(turned_red)})" in text
    section = text.split("Accounts that turned red")[1].split("Overdue cases")[0]
    listed = sorted(line.split(":")[0].strip() for line in section.splitlines()[1:] if ":" in line)
    assert listed == turned_red
    # each listed account says why: at least one driver that pulled its score down
    assert all(". " in line and line.rstrip().split(". ", 1)[1]
               for line in section.splitlines()[1:] if ":" in line)  # fmt: skip
