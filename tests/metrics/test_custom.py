"""Custom indicators declared in [[metrics.custom]]: validated, listed, explained and computed
on every backend like the built-ins, checked against pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from cxpulse.cli.app import app
from cxpulse.config import MetricsConfig
from cxpulse.metrics import MetricQueryError, explain, query
from cxpulse.workspace import Workspace

CUSTOM = [
    {
        "name": "support_csat",
        "label_es": "CSAT de soporte",
        "label_en": "Support CSAT",
        "table": "responses",
        "statistic": "proportion",
        "filters": [
            {"column": "kind", "op": "==", "value": "csat"},
            {"column": "touchpoint", "op": "==", "value": "support"},
        ],
        "value_column": "score",
        "success": {"column": "score", "op": ">=", "value": 4},
        "description_es": "% de respuestas CSAT de soporte con 4 o 5.",
        "description_en": "% of support CSAT answers scoring 4 or 5.",
    },
    {
        "name": "urgent_handle_time",
        "label_es": "Tiempo de atención urgente",
        "label_en": "Urgent handle time",
        "table": "tickets",
        "statistic": "mean",
        "filters": [
            {"column": "priority", "op": "in", "value": ["high", "urgent"]},
            {"column": "handle_time_minutes", "op": "notnull"},
        ],
        "value_column": "handle_time_minutes",
        "unit": "minutes",
    },
    {
        "name": "onboarding_nps",
        "label_es": "NPS de onboarding",
        "label_en": "Onboarding NPS",
        "table": "responses",
        "statistic": "nps",
        "filters": [
            {"column": "kind", "op": "==", "value": "nps"},
            {"column": "touchpoint", "op": "==", "value": "onboarding"},
        ],
        "value_column": "score",
    },
]


@pytest.fixture
def custom_ws(loaded):  # type: ignore[no-untyped-def]
    loaded.config.metrics = MetricsConfig.model_validate({"custom": CUSTOM})
    yield loaded
    loaded.config.metrics = MetricsConfig()


def test_custom_metrics_match_pandas_on_every_backend(custom_ws, company) -> None:  # type: ignore[no-untyped-def]
    r = company["responses"].merge(company["accounts"][["account_id", "segment"]], how="left")
    support = r[(r.kind == "csat") & (r.touchpoint == "support")]
    got = query(custom_ws, "support_csat", by="segment").to_pandas()
    want = support.groupby("segment", dropna=False).score.agg(
        value=lambda s: 100 * (s >= 4).mean(), n="size"
    )
    assert len(got) == len(want)
    for row in got.itertuples():
        key = row.segment if isinstance(row.segment, str) else np.nan
        expected = want.loc[key] if isinstance(key, str) else want[want.index.isna()].iloc[0]
        assert row.value == pytest.approx(expected.value) and row.n == expected.n

    t = company["tickets"]
    urgent = t[t.priority.isin(["high", "urgent"]) & t.handle_time_minutes.notna()]
    row = query(custom_ws, "urgent_handle_time").rows[0]
    assert row.value == pytest.approx(urgent.handle_time_minutes.mean())
    assert row.n == len(urgent) and row.unit == "minutes" and row.method == "student t"

    onboarding = r[(r.kind == "nps") & (r.touchpoint == "onboarding")].score
    row = query(custom_ws, ["onboarding_nps", "nps"]).rows[0]
    assert row.metric == "onboarding_nps"
    assert row.value == pytest.approx(100 * ((onboarding >= 9).mean() - (onboarding <= 6).mean()))


def test_custom_metrics_are_explained_and_compared(custom_ws) -> None:  # type: ignore[no-untyped-def]
    sql = explain(custom_ws, "support_csat", by="segment")
    assert "support" in sql and "GROUP BY" in sql
    (c, *_) = __import__("cxpulse.metrics", fromlist=["compare"]).compare(
        custom_ws, "support_csat", period="2026-03", vs="2026-02"
    )
    assert c.metric == "support_csat" and c.n_a > 0 and c.n_b > 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"statistic": "median"}, "not a built-in statistic"),
        ({"table": "orderz"}, "not a canonical table"),
        ({"success": None}, "needs success"),
        ({"filters": [{"column": "kind", "op": "like", "value": "c%"}]}, "unknown op"),
        ({"filters": [{"column": "kind", "op": "in", "value": "csat"}]}, "needs a list"),
        ({"filters": [{"column": "score", "op": ">=", "value": "4"}]}, "needs a number"),
        ({"name": "Support CSAT"}, "String should match pattern"),
    ],
)
def test_custom_metric_mistakes_are_refused_clearly(change: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError, match=message):
        MetricsConfig.model_validate({"custom": [{**CUSTOM[0], **change}]})


def test_unknown_columns_and_clashing_names_are_refused(duck) -> None:  # type: ignore[no-untyped-def]
    bad = {**CUSTOM[0], "filters": [{"column": "channel_group", "op": "==", "value": "x"}]}
    duck.config.metrics = MetricsConfig.model_validate({"custom": [bad]})
    with pytest.raises(MetricQueryError, match=r"channel_group.*not a column of 'responses'"):
        query(duck, "support_csat")
    duck.config.metrics = MetricsConfig.model_validate({"custom": [{**CUSTOM[0], "name": "nps"}]})
    with pytest.raises(MetricQueryError, match="name of a built-in"):
        query(duck, "nps")
    with pytest.raises(ValidationError, match="unique"):
        MetricsConfig.model_validate({"custom": [CUSTOM[0], CUSTOM[0]]})


def test_cli_lists_describes_and_computes_custom_metrics(tmp_path: Path, company) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "cxpulse.toml").write_text(
        """
[locale]
language = "en"

[[metrics.custom]]
name = "support_csat"
label_es = "CSAT de soporte"
label_en = "Support CSAT"
table = "responses"
statistic = "proportion"
filters = [
  { column = "kind", op = "==", value = "csat" },
  { column = "touchpoint", op = "==", value = "support" },
]
value_column = "score"
success = { column = "score", op = ">=", value = 4 }
description_en = "% of support CSAT answers scoring 4 or 5."
""",
        encoding="utf-8",
    )
    with Workspace.open(tmp_path) as ws:
        for name in ("accounts", "responses", "tickets"):
            ws.load(name, company[name])
    runner = CliRunner()
    listed = runner.invoke(app, ["metrics", "list", "-p", str(tmp_path)])
    assert listed.exit_code == 0 and "support_csat" in listed.output
    described = runner.invoke(app, ["metrics", "describe", "support_csat", "-p", str(tmp_path)])
    assert described.exit_code == 0, described.output
    assert "Support CSAT" in described.output and "touchpoint == 'support'" in described.output
    shown = runner.invoke(app, ["metrics", "support_csat", "-f", "json", "-p", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert '"metric": "support_csat"' in shown.output


def test_a_bad_custom_metric_in_the_file_is_reported_with_where_and_what(tmp_path: Path) -> None:
    (tmp_path / "cxpulse.toml").write_text(
        '[[metrics.custom]]\nname = "x_rate"\nlabel_es = "x"\nlabel_en = "x"\n'
        'table = "responses"\nstatistic = "proportion"\nvalue_column = "score"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["metrics", "list", "-p", str(tmp_path)])
    assert result.exit_code != 0
    assert "metrics.custom.0" in result.output and "needs success" in result.output
    assert "Traceback" not in result.output
