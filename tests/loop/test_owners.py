"""Account owners for the closed loop: loaded once from the workspace, never read per answer."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cxpulse import store
from cxpulse.loop.context import (
    LoopContext,
    OwnerDirectory,
    prepare_context,
    register_context,
    unregister_context,
)
from cxpulse.loop.rules import parse_loop_config
from cxpulse.workspace import Workspace


def _accounts(owners: dict[str, str | None], start: date = date(2025, 1, 1)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": list(owners),
            "owner": list(owners.values()),
            "start_date": [start] * len(owners),
        }
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.connect(f"duckdb:///{tmp_path / 'ws.duckdb'}")
    workspace.load("accounts", _accounts({"ACME": "ana@acme.example", "BETA": None}), mapping={})
    return workspace


def _wait_for(check: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_owners_come_from_one_load_and_answer_from_memory(ws: Workspace) -> None:
    lock = threading.RLock()
    owners = OwnerDirectory(ws, lock, check_s=3600)
    assert owners("ACME") == "ana@acme.example"
    assert owners("BETA") is None  # no owner in the table
    assert owners("NOPE") is None  # not an account
    # the workspace is busy (another thread holds its lock): lookups still answer at once
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        started = time.monotonic()
        answers = [owners("ACME") for _ in range(1000)]
        assert time.monotonic() - started < 1.0
        assert set(answers) == {"ana@acme.example"}
    finally:
        release.set()
        holder.join()


def test_new_accounts_are_picked_up_when_the_table_changes(ws: Workspace) -> None:
    owners = OwnerDirectory(ws, threading.RLock(), check_s=0.0)
    assert owners("GAMMA") is None
    ws.load("accounts", _accounts({"GAMMA": "gil@gamma.example"}, date(2025, 6, 1)), mapping={})
    # the fingerprint (rows, latest start date) changed: a background refresh reloads the map
    _wait_for(lambda: owners("GAMMA") == "gil@gamma.example")
    assert owners("ACME") == "ana@acme.example"


def test_an_owner_edited_in_place_shows_after_the_ttl(ws: Workspace) -> None:
    long_ttl = OwnerDirectory(ws, threading.RLock(), check_s=0.0, ttl_s=3600)
    short_ttl = OwnerDirectory(ws, threading.RLock(), check_s=0.0, ttl_s=0.0)
    assert long_ttl("ACME") == short_ttl("ACME") == "ana@acme.example"
    ws.load("accounts", _accounts({"ACME": "bea@acme.example"}), mapping={})  # same fingerprint
    long_ttl.refresh()
    short_ttl.refresh()
    assert long_ttl("ACME") == "ana@acme.example"  # the fingerprint alone misses an edit
    assert short_ttl("ACME") == "bea@acme.example"  # the TTL catches it


def test_first_lookup_never_waits_for_a_busy_workspace(ws: Workspace) -> None:
    lock = threading.RLock()
    owners = OwnerDirectory(ws, lock)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        started = time.monotonic()
        assert owners("ACME") is None  # unknown for now rather than waiting under a lock
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        holder.join()
    _wait_for(lambda: owners("ACME") == "ana@acme.example")  # loaded in the background


def test_a_workspace_without_accounts_means_no_owner(tmp_path: Path) -> None:
    workspace = Workspace.connect(f"duckdb:///{tmp_path / 'empty.duckdb'}")
    owners = OwnerDirectory(workspace, threading.RLock())
    assert owners("ACME") is None
    assert owners.loaded
    workspace.close()
    owners.refresh(force=True)  # a closed workspace is an error: still no owner, no raise
    assert owners("ACME") is None


def test_prepare_context_loads_owners_for_the_store(ws: Workspace, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    owners = OwnerDirectory(ws, threading.RLock())
    register_context(url, LoopContext(config=parse_loop_config({}), owner_of=owners))
    try:
        assert not owners.loaded
        prepare_context(store.engine(url))
        assert owners.loaded
        assert owners("ACME") == "ana@acme.example"
    finally:
        unregister_context(url)
        store.dispose_engines()
