"""Schemathesis against the whole JSON API of a throw-away project, served on 127.0.0.1.

Every operation, every phase (examples, coverage, fuzzing, and stateful sequences that
create surveys, cases and tokens and use them), every check (server errors, undocumented
status codes, schema-valid requests refused, invalid ones accepted, Allow on a wrong method,
response schemas...). Zero failures is the bar. The seed is fixed so CI is reproducible;
``CXPULSE_FUZZ_EXAMPLES`` and ``CXPULSE_FUZZ_SEED`` widen a run by hand.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.security.conftest import LiveServer, csrf_of, signed_in
from tests.web.webdata import add_scores, add_users, build_frames, make_project

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = os.environ.get("CXPULSE_FUZZ_EXAMPLES", "10")
SEED = os.environ.get("CXPULSE_FUZZ_SEED", "20261201")


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from cxpulse.web import create_app

    folder = make_project(
        tmp_path_factory.mktemp("fuzz") / "proj", build_frames(accounts=30, per_month=30)
    )
    add_users(folder)
    add_scores(folder)
    server = LiveServer(create_app(folder)).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_the_api_has_zero_schemathesis_failures(throwaway: LiveServer, tmp_path: Path) -> None:
    # a browser session, not a token: the run revokes tokens (DELETE /api/v1/tokens/{id})
    # and must not revoke its own way in
    client: httpx.Client = signed_in(throwaway.url, "admin@example.com")
    cookie = client.cookies["cxpulse_session"]
    csrf = csrf_of(client.get("/admin/users").text)
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{throwaway.url}/openapi.json",
        "-H",
        f"Cookie: cxpulse_session={cookie}",
        "-H",
        f"X-CSRF-Token: {csrf}",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--request-timeout",
        "60",
    ]
    # run in a scratch folder: schemathesis keeps its cache in the working directory
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=1200, check=False, cwd=tmp_path
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", output)
    assert selected and selected.group(1) == selected.group(2), output[-2000:]
    assert int(selected.group(1)) >= 30  # every operation of the API
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in output, (phase, output[-2000:])
