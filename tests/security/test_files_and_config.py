"""Project files are private; cxpulse.toml is validated in full with one message format."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.config import load_config
from cxpulse.errors import ConfigError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_store_and_workspace_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a typical, permissive umask: cxpulse must not rely on it
    try:
        folder = tmp_path / "proj"
        assert CliRunner().invoke(app, ["init", str(folder)]).exit_code == 0
        from cxpulse import store
        from cxpulse.workspace import Workspace

        store.migrate(load_config(folder).store_url())
        with Workspace.open(folder):
            pass
    finally:
        os.umask(old)
    assert _mode(folder) == 0o700
    assert _mode(folder / "cxpulse.toml") == 0o600
    assert _mode(folder / "cxpulse.sqlite") == 0o600
    assert _mode(folder / "workspace.duckdb") == 0o600


def _project(tmp_path: Path, text: str | bytes) -> Path:
    folder = tmp_path / "p"
    folder.mkdir()
    target = folder / "cxpulse.toml"
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[surveys]\nsync_interval_s = 'soon'\n", "surveys.sync_interval_s"),
        ("[surveys]\nsync_interval_s = -5\n", "surveys.sync_interval_s"),
        ("[surveys]\nsync_intervall_s = 5\n", "surveys.sync_intervall_s: unknown key"),
        ("[web]\nhttps = 'yes please'\n", "web.https"),
        ("[web]\nport = 80\n", "web.port: unknown key"),
        ("[metrics]\nindustry = 'unicorns'\n", "unknown industry 'unicorns'"),
        ("[locale]\ntimezone = 'Mars/Olympus'\n", "unknown time zone 'Mars/Olympus'"),
        ("[locale]\ncurrency = 'pesos'\n", "locale.currency"),
        ("[workspace]\nurll = 'x'\n", "workspace.urll: unknown key"),
        ("colour = 'red'\n", "colour: unknown key"),
    ],
)
def test_bad_settings_are_named_with_their_key(tmp_path: Path, toml: str, expected: str) -> None:
    folder = _project(tmp_path, toml)
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    message = str(err.value)
    assert message.startswith(f"{folder / 'cxpulse.toml'} is not valid:")
    assert expected in message
    assert err.value.key == "sec.config.invalid"
    assert "no es válido" in err.value.message_in("es")


def test_status_and_serve_refuse_a_bad_sync_interval_without_a_traceback(tmp_path: Path) -> None:
    folder = _project(tmp_path, "[surveys]\nsync_interval_s = 'soon'\n")
    for command in (["status", "-p", str(folder)], ["serve", "-p", str(folder), "--port", "1"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code != 0, command
        assert "surveys.sync_interval_s" in result.output
        assert "Traceback" not in result.output


def test_a_latin1_file_gets_a_clear_error(tmp_path: Path) -> None:
    folder = _project(tmp_path, 'name = "Compañía"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    assert "is not UTF-8" in str(err.value) and "save it as UTF-8" in str(err.value)
    result = CliRunner().invoke(app, ["status", "-p", str(folder)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert "Traceback" not in result.output


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    folder = _project(tmp_path, "[web]\nupload_max_mb = 0\nfoo = 1\n[surveys]\nbar = 2\n")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    message = str(err.value)
    assert "web.upload_max_mb" in message and "web.foo" in message and "surveys.bar" in message
