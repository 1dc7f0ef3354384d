"""``cxpulse metrics`` on a DuckDB project folder, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxpulse.cli.app import app
from cxpulse.workspace import Workspace

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so that table cells are not wrapped or cropped."""
    from cxpulse.cli.common import console

    monkeypatch.setattr(console, "width", 220)


@pytest.fixture
def project(tmp_path: Path, company) -> Path:  # type: ignore[no-untyped-def]
    (tmp_path / "cxpulse.toml").write_text(
        '[metrics]\nindustry = "Legal services"\n\n[locale]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    with Workspace.open(tmp_path) as ws:
        for name in ("accounts", "responses", "tickets"):
            ws.load(name, company[name])
    return tmp_path


def _invoke(*args: str) -> str:
    result = runner.invoke(app, ["metrics", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_names_without_subcommand_show_the_json_table(project: Path) -> None:
    out = _invoke(
        "nps", "csat", "--by", "segment", "--grain", "month", "-f", "json", "-p", str(project)
    )
    records = json.loads(out)
    with Workspace.open(project) as ws:
        want = ws.metrics(["nps", "csat"], by="segment", grain="month").rows
    assert len(records) == len(want)
    first = records[0]
    assert first["metric"] == "nps" and first["value"] == pytest.approx(want[0].value)
    assert first["benchmark_nps"] == want[0].extra["benchmark_nps"]
    assert {"n", "ci_low", "ci_high", "method", "small_sample", "period"} <= set(first)


def test_table_shows_value_interval_method_and_benchmark(project: Path) -> None:
    out = _invoke("show", "nps", "ces", "-p", str(project))
    for text in ("NPS", "CES mean", "Tango score", "student t", "Industry NPS", "2022"):
        assert text in out
    out_es = _invoke("nps", "--lang", "es", "-p", str(project))
    assert "Indicador" in out_es and "Valor" in out_es


def test_csv_range_filters(project: Path, company) -> None:  # type: ignore[no-untyped-def]
    out = _invoke(
        "csat", "--from", "2026-02-01", "--to", "2026-02-28", "-f", "csv", "-p", str(project)
    )
    header, row = out.strip().splitlines()[:2]
    r = company["responses"]
    n = ((r.kind == "csat") & (r.responded_at.dt.month == 2)).sum()
    assert header.startswith("metric,") and f",{n}," in row


def test_explain_prints_sql(project: Path) -> None:
    out = _invoke("explain", "nps", "--by", "segment", "-p", str(project))
    assert out.startswith("-- nps") and "GROUP BY" in out and '"segment"' in out


def test_compare_prints_verdict(project: Path) -> None:
    out = _invoke("compare", "nps", "--period", "2026-03", "--vs", "2026-02", "-p", str(project))
    assert "2026-03" in out and "significant" in out
    data = json.loads(
        _invoke(
            "compare",
            "csat",
            "--period",
            "2026-03",
            "--vs",
            "2026-02",
            "--by",
            "segment",
            "-f",
            "json",
            "-p",
            str(project),
        )
    )
    assert data and {"difference", "p_value", "significant", "segment"} <= set(data[0])


def test_list_names_every_metric() -> None:
    out = _invoke("list", "--lang", "en")
    for name in ("nps", "churn_rate", "grr", "time_to_resolution", "touchpoint_frequency"):
        assert name in out


def test_unknown_metric_exits_non_zero_with_help(project: Path) -> None:
    result = runner.invoke(app, ["metrics", "npz", "-p", str(project)])
    assert result.exit_code == 2
    assert "unknown metric 'npz'" in result.output
    result = runner.invoke(app, ["metrics", "nps", "--by", "colour", "-p", str(project)])
    assert result.exit_code == 2 and "colour" in result.output


def test_every_metric_is_described_in_spanish_and_english() -> None:
    from cxpulse.locale import catalog
    from cxpulse.metrics import list_definitions

    for lang in ("es", "en"):
        texts = catalog(lang)
        for d in list_definitions():
            assert texts.get(f"metrics.desc.{d.name}"), (lang, d.name)
            assert d.label(lang)
        assert all(k in texts for k in ("metrics.col.value", "metrics.cli.significant"))


def _settings(project: Path, extra: str) -> None:
    path = project / "cxpulse.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("[metrics]\n", f"[metrics]\n{extra}"))


def test_labels_follow_the_confidence_and_thresholds_in_use(project: Path) -> None:
    _settings(project, "confidence = 0.9\ncsat_top_box = 5\n")
    out = _invoke("show", "csat", "nps", "-p", str(project))
    assert "90 % CI" in out and "95" not in out.split("\n", 3)[1]
    assert "CSAT (top-box)" in out and "top-2-box" not in out
    out_es = _invoke("csat", "--lang", "es", "-p", str(project))
    assert "IC 90 %" in out_es
    rows = json.loads(_invoke("csat", "-f", "json", "-p", str(project)))
    assert rows[0]["confidence"] == 0.9


def test_a_narrow_interval_never_prints_as_a_point() -> None:
    from cxpulse.cli.metrics import interval_text

    assert interval_text(4.1012, 4.1389, 1) == "[4.10, 4.14]"
    assert interval_text(4.10001, 4.10004, 1) == "[4.10001, 4.10004]"
    assert interval_text(float("nan"), float("nan"), 1) == "[-, -]"


def test_json_types_are_stable_when_metrics_are_combined(project: Path, company) -> None:  # type: ignore[no-untyped-def]
    alone = json.loads(_invoke("csat", "-f", "json", "-p", str(project)))
    mixed = json.loads(
        _invoke(
            "nps", "csat", "csat_mean", "aht", "-f", "json", "--by", "segment", "-p", str(project)
        )
    )
    assert {type(r["successes"]) for r in alone} == {int}
    keys = set(mixed[0])
    for r in mixed:
        assert set(r) == keys  # every row has every key
        assert isinstance(r["n"], int) and isinstance(r["small_sample"], bool)
        assert r["successes"] is None or isinstance(r["successes"], int)
        assert r["pct_promoters"] is None or isinstance(r["pct_promoters"], float)
    csat = [r for r in mixed if r["metric"] == "csat"]
    total = company["responses"].query("kind == 'csat'")
    assert sum(r["n"] for r in csat) == len(total)


def test_compare_shows_each_sides_small_sample_flag_and_the_test(project: Path) -> None:
    args = ["compare", "nps", "--period", "2026-03", "--vs", "2026-02", "--by", "segment"]
    out = _invoke(*args, "-p", str(project))
    assert "exact conditional permutation" in out or "z test" in out
    data = json.loads(_invoke(*args, "-f", "json", "-p", str(project)))
    for c in data:
        assert c["small_sample_a"] == (c["n_a"] < 30) and c["small_sample_b"] == (c["n_b"] < 30)
        if c["n_a"] == 0 or c["n_b"] == 0:
            assert c["method"] == "no data (n=0)" and c["p_value"] is None
        elif min(c["n_a"], c["n_b"]) < 30:
            assert "exact conditional permutation" in c["method"]
        else:
            assert "z test" in c["method"]


def test_describe_prints_the_reference_in_the_language_and_settings_in_use(project: Path) -> None:
    from cxpulse.metrics import list_definitions
    from cxpulse.metrics.reference import describe

    _settings(project, "csat_top_box = 5\n")
    out = _invoke("describe", "csat", "-p", str(project))  # the project's language: en
    assert out.startswith("csat — CSAT (top-box)") and "Clopper-Pearson" in out
    out_es = _invoke("describe", "net_revenue", "--lang", "es")
    assert out_es == describe("net_revenue", "es") and "Casos límite" in out_es
    every = _invoke("describe", "--all", "--lang", "en")
    assert every.count(" — ") == len(list_definitions()) and "## " not in every
    result = runner.invoke(app, ["metrics", "describe"])
    assert result.exit_code == 2 and "--all" in result.output
