"""Response rate on a real project: invitations issued and answered through the CLI and the
public answer path, synced, and counted by the metric as a plain count of what was done."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse import collect, store
from cxpulse.cli.app import app
from cxpulse.config import load_config
from cxpulse.workspace import Workspace

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CXPULSE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CXPULSE_WORKSPACE_URL", raising=False)
    monkeypatch.setenv("CXPULSE_BASE_URL", "https://cx.example")
    (tmp_path / "cxpulse.toml").write_text('[locale]\nlanguage = "en"\n', "utf-8")
    yield tmp_path
    store.dispose_engines()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _invite(project: Path, slug: str, accounts: list[str], *channel: str) -> list[str]:
    contacts = project / f"contacts-{slug}-{len(accounts)}.csv"
    contacts.write_text("account_id\n" + "\n".join(accounts) + "\n", "utf-8")
    out = _run("surveys", "invite", slug, str(contacts), *channel, "--project", str(project))
    rows = list(csv.DictReader(io.StringIO(out.split("\n" + str(len(accounts)))[0])))
    return [r["url"].rsplit("/", 1)[1] for r in rows]


def test_response_rate_by_survey_and_channel_counts_what_was_sent_and_answered(
    project: Path,
) -> None:
    p = ["--project", str(project)]
    _run("surveys", "create", "nps-rel", "--kind", "nps", *p)
    _run("surveys", "create", "csat-sup", "--kind", "csat", *p)
    plan = [  # survey, channel option, accounts invited, how many of them answer
        ("nps-rel", (), [f"a{i}" for i in range(9)], 4),
        ("nps-rel", ("--channel", "SMS"), [f"b{i}" for i in range(6)], 5),
        ("csat-sup", ("--channel", "whatsapp"), [f"c{i}" for i in range(7)], 0),
    ]
    done = []
    url = load_config(project).store_url()
    for slug, channel, accounts, answers in plan:
        tokens = _invite(project, slug, accounts, *channel)
        score = 9 if slug == "nps-rel" else 5
        with store.session(url) as s:
            for token in tokens[:answers]:
                collect.answer_invitation(s, token, score)
            if answers:  # a second submission changes the answer, not the count
                collect.answer_invitation(s, tokens[0], score - 1)
        name = channel[1].lower() if channel else "link"
        done += [(slug, name, i < answers) for i in range(len(accounts))]
    time.sleep(1.2)  # the sync takes rows once they are older than the settle time (1 s)
    assert "(22 invitations)" in _run("responses", "sync", *p)
    assert "(0 invitations)" in _run("responses", "sync", *p)

    truth = pd.DataFrame(done, columns=["survey_id", "channel", "answered"])
    for by in ("channel", "survey_id"):
        got = json.loads(
            _run("metrics", "show", "response_rate", "--by", by, "--format", "json", *p)
        )
        want = truth.groupby(by).answered.agg(["mean", "size"])
        assert {r[by] for r in got} == set(want.index)
        for r in got:
            assert r["n"] == want.loc[r[by], "size"]
            assert r["value"] == pytest.approx(100 * want.loc[r[by], "mean"], abs=1e-9)
            assert r["ci_low"] <= r["value"] <= r["ci_high"] and r["method"]
            assert r["small_sample"] is True  # every group has fewer than 30 invitations
    with Workspace.open(project) as ws:
        inv = ws.table("invitations").execute()
        resp = ws.table("responses").execute()
    # every answered invitation links to its synced answer, and nothing else does
    linked = inv.dropna(subset=["response_id"])
    assert set(linked.response_id) == set(resp.response_id)
    assert linked.answered.all() and not inv[inv.response_id.isna()].answered.any()
    assert (linked.responded_at >= linked.invited_at).all()


def test_e_mailed_invitations_are_counted_under_email(project: Path) -> None:
    p = ["--project", str(project)]
    _run("surveys", "create", "nps-rel", "--kind", "nps", *p)
    contacts = project / "contacts.csv"
    contacts.write_text("account_id,email\nacme,ana@acme.example\nbeta,\n", "utf-8")
    result = runner.invoke(app, ["surveys", "invite", "nps-rel", str(contacts), "--email", *p])
    assert result.exit_code == 0, result.output
    time.sleep(1.2)
    _run("responses", "sync", *p)
    got = json.loads(
        _run("metrics", "show", "response_rate", "--by", "channel", "--format", "json", *p)
    )
    assert {r["channel"]: r["n"] for r in got} == {"email": 1, "link": 1}
    assert all(r["value"] == 0.0 for r in got)
