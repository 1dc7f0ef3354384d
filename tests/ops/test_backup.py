"""Backup and restore round trip: project folder, operational store and workspace, from the
embedded files to PostgreSQL and back, with every table identical."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from cxpulse import Workspace, store
from cxpulse.backup import BackupError, backup_project, restore_project
from tests.ops.conftest import bank_accounts
from tests.web.webdata import add_users, build_frames, make_project


def _workspace_frames(folder: Path) -> dict[str, pd.DataFrame]:
    with Workspace.open(folder) as ws:
        out = {}
        for name in sorted(ws.con.list_tables()):
            frame = ws.con.table(name).to_pandas()
            out[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return out


def _users(url: str) -> list[tuple[str, str, str, str]]:
    with store.read_session(url) as s:
        return [(u.email, u.role, u.language, u.password_hash)
                for u in s.scalars(select(store.User).order_by(store.User.email))]  # fmt: skip


def _same_frames(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        left, right = a[name], b[name]
        assert len(left) == len(right), name
        for col in left.columns:
            x, y = left[col], right[col]
            if pd.api.types.is_datetime64_any_dtype(x):
                x, y = pd.to_datetime(x, utc=True), pd.to_datetime(y, utc=True)
            pd.testing.assert_series_equal(x, y, check_dtype=False, check_names=False, obj=name)


@pytest.mark.postgres
def test_backup_restores_into_postgresql_and_back_identically(
    tmp_path: Path, shared_data: Path, pg_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    for name in ("CXPULSE_WORKSPACE_URL", "CXPULSE_DATABASE_URL", "CXPULSE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    frames = build_frames()
    bank = bank_accounts(shared_data, 25)
    bank["start_date"] = pd.to_datetime(bank["start_date"]).dt.date
    frames["accounts"] = pd.concat([frames["accounts"], bank], ignore_index=True)
    original = make_project(tmp_path / "original", frames)
    url = add_users(original)
    (original / "models").mkdir()
    (original / "models" / "note.txt").write_text("saved model here\n")
    (original / ".cxpulse_secret").write_text("s" * 64)
    before_ws, before_users = _workspace_frames(original), _users(url)

    first = backup_project(original, tmp_path / "first.tar.gz")

    base, _, _ = pg_server_url.rpartition("/")
    names = ["t_bk_ws_" + tmp_path.name[-8:].lower(), "t_bk_st_" + tmp_path.name[-8:].lower()]
    names = [n.replace("-", "_") for n in names]
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        for n in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{n}"')
            conn.execute(f'CREATE DATABASE "{n}"')
    try:
        pg_store = f"{base}/{names[1]}".replace("postgresql://", "postgresql+psycopg://")
        monkeypatch.setenv("CXPULSE_WORKSPACE_URL", f"{base}/{names[0]}")
        monkeypatch.setenv("CXPULSE_DATABASE_URL", pg_store)
        on_pg = restore_project(first, tmp_path / "on_pg")
        assert sum(on_pg.workspace_rows.values()) == sum(len(f) for f in before_ws.values())
        assert _users(pg_store) == before_users
        _same_frames(_workspace_frames(tmp_path / "on_pg"), before_ws)
        second = backup_project(tmp_path / "on_pg", tmp_path / "second.tar.gz")
    finally:
        monkeypatch.delenv("CXPULSE_WORKSPACE_URL")
        monkeypatch.delenv("CXPULSE_DATABASE_URL")
        store.dispose_engines()
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            for n in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')

    back = tmp_path / "back"
    restore_project(second, back)
    assert _users(f"sqlite:///{back / 'cxpulse.sqlite'}") == before_users
    _same_frames(_workspace_frames(back), before_ws)
    assert (back / "models" / "note.txt").read_text() == "saved model here\n"
    assert (back / ".cxpulse_secret").read_text() == "s" * 64
    assert (back / "cxpulse.toml").read_text() == (original / "cxpulse.toml").read_text()

    with pytest.raises(BackupError, match="already has files"):
        restore_project(first, back)
