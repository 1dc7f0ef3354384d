"""The demo generator: reproducible, chunk-independent, canonical, loadable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpulse.datasets import (
    BLOCK,
    DemoError,
    DemoFiles,
    demo_size,
    generate_demo,
    load_demo,
)
from cxpulse.datasets.phrases import COMMENTS, comment_labels
from cxpulse.schema import SCORE_RANGES, TABLES
from cxpulse.schema.types import arrow_schema
from cxpulse.workspace import Workspace

TINY = {"accounts": 600, "responses": 3_000, "months": 8, "progress": False}
LOADED = {"accounts": 300, "responses": 1_000, "months": 4, "progress": False}


def read(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def test_same_seed_writes_identical_tables(tmp_path: Path) -> None:
    a = generate_demo(tmp_path / "a", seed=11, **TINY)  # type: ignore[arg-type]
    b = generate_demo(tmp_path / "b", seed=11, **TINY)  # type: ignore[arg-type]
    assert a.rows == b.rows
    for name in a.tables:
        assert pq.read_table(a.tables[name]).equals(pq.read_table(b.tables[name])), name
    assert pq.read_table(a.truth_monthly).equals(pq.read_table(b.truth_monthly))
    assert pq.read_table(a.truth).equals(pq.read_table(b.truth))


def test_another_seed_gives_another_company(tmp_path: Path) -> None:
    a = generate_demo(tmp_path / "a", seed=1, **TINY)  # type: ignore[arg-type]
    b = generate_demo(tmp_path / "b", seed=2, **TINY)  # type: ignore[arg-type]
    assert not pq.read_table(a.tables["responses"]).equals(pq.read_table(b.tables["responses"]))
    assert not pq.read_table(a.truth).equals(pq.read_table(b.truth))


def test_chunked_generation_writes_the_rows_of_one_shot(tmp_path: Path) -> None:
    whole = generate_demo(tmp_path / "whole", seed=5, **TINY)  # type: ignore[arg-type]
    parts = generate_demo(
        tmp_path / "parts",
        seed=5,
        chunk_accounts=BLOCK,
        **TINY,  # type: ignore[arg-type]
    )
    assert whole.tables["responses"].is_file()
    assert parts.tables["responses"].is_dir()
    assert len(list(parts.tables["responses"].glob("part-*.parquet"))) == 3  # 600 / 250
    assert whole.rows == parts.rows
    for name in whole.tables:
        spec = TABLES[name]
        left = read(whole.tables[name]).sort_values(list(spec.key)).reset_index(drop=True)
        right = read(parts.tables[name]).sort_values(list(spec.key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, obj=name)


def test_rewriting_a_folder_leaves_no_stale_layout(tmp_path: Path) -> None:
    generate_demo(tmp_path, chunk_accounts=BLOCK, **TINY)  # type: ignore[arg-type]
    assert (tmp_path / "responses").is_dir()
    again = generate_demo(tmp_path, **TINY)  # type: ignore[arg-type]
    assert again.tables["responses"] == tmp_path / "responses.parquet"
    assert not (tmp_path / "responses").exists()
    generate_demo(tmp_path, chunk_accounts=BLOCK, **TINY)  # type: ignore[arg-type]
    assert not (tmp_path / "responses.parquet").exists()


def test_every_table_has_the_exact_canonical_arrow_schema(demo: DemoFiles) -> None:
    assert set(demo.tables) == set(TABLES)
    for name, path in demo.tables.items():
        assert pq.read_schema(path).remove_metadata() == arrow_schema(TABLES[name]), name
        assert demo.rows[name] > 0, name


def test_rows_respect_keys_required_columns_and_ranges(frames: dict[str, pd.DataFrame]) -> None:
    for name, spec in TABLES.items():
        df = frames[name]
        assert not df.duplicated(list(spec.key)).any(), name
        for col in spec.columns:
            if col.required:
                assert df[col.name].notna().all(), (name, col.name)
            if col.allowed is not None:
                assert set(df[col.name].dropna()) <= set(col.allowed), (name, col.name)
            if col.minimum is not None:
                assert (df[col.name].dropna() >= col.minimum).all(), (name, col.name)
    r = frames["responses"]
    for kind, (lo, hi) in SCORE_RANGES.items():
        scores = r.loc[r.kind == kind, "score"]
        assert len(scores) > 0 and scores.between(lo, hi).all(), kind
    acc = frames["accounts"].set_index("account_id")
    for name in ("responses", "tickets", "usage_events", "invoices", "orders", "touchpoints"):
        assert frames[name].account_id.isin(acc.index).all(), name


def test_no_activity_before_start_or_after_churn(frames: dict[str, pd.DataFrame]) -> None:
    acc = frames["accounts"].set_index("account_id")
    start = pd.to_datetime(acc.start_date)
    end = pd.to_datetime(acc.end_date).fillna(pd.Timestamp.max)
    for name, col in (
        ("responses", "responded_at"),
        ("tickets", "opened_at"),
        ("usage_events", "occurred_at"),
        ("orders", "ordered_at"),
        ("touchpoints", "occurred_at"),
    ):
        df = frames[name]
        at = pd.to_datetime(df[col])
        assert (at >= start.loc[df.account_id].to_numpy()).all(), name
        assert (at < end.loc[df.account_id].to_numpy()).all(), name


def test_total_responses_are_close_to_the_requested_count(demo: DemoFiles) -> None:
    # Poisson total with mean 20,000: sd ~141
    assert abs(demo.rows["responses"] - 20_000) < 700


def test_explicit_usage_and_ticket_targets_are_met(tmp_path: Path) -> None:
    files = generate_demo(
        tmp_path,
        usage_events=40_000,
        tickets=2_000,
        **TINY,  # type: ignore[arg-type]
    )
    assert abs(files.rows["usage_events"] - 40_000) < 4 * 200
    assert abs(files.rows["tickets"] - 2_000) < 4 * 45


def test_comments_match_the_sentiment_of_their_score(frames: dict[str, pd.DataFrame]) -> None:
    bank = pd.DataFrame(comment_labels(), columns=["comment", "lang", "theme", "sentiment"])
    assert len(bank) == len(COMMENTS) == len(set(COMMENTS))
    r = frames["responses"].merge(bank, on="comment", how="inner")
    assert len(r) == frames["responses"].comment.notna().sum()
    assert (r.language == r.lang).all()
    nps = r[r.kind == "nps"]
    assert (nps.loc[nps.score <= 6, "sentiment"] == "negative").all()
    assert (nps.loc[nps.score >= 9, "sentiment"] == "positive").all()
    shares = frames["responses"].language.value_counts(normalize=True)
    assert shares["es"] > 0.6 and shares["en"] > 0.05 and shares["pt"] > 0.03
    assert set(r.theme) == {
        "price",
        "support",
        "onboarding",
        "bugs",
        "ease_of_use",
        "billing",
        "performance",
    }


def test_manifest_records_parameters_and_rows(demo: DemoFiles) -> None:
    manifest = json.loads((demo.out_dir / "demo.json").read_text())
    assert manifest["params"]["seed"] == 7
    assert manifest["rows"] == demo.rows


def test_size_presets_and_response_counts() -> None:
    assert demo_size("small") == {"accounts": 500, "responses": 20_000}
    assert demo_size("large")["responses"] == 1_000_000
    assert demo_size(100_000_000) == {
        "accounts": 1_000_000,
        "responses": 100_000_000,
        "usage_events": 100_000_000,
        "tickets": 10_000_000,
    }
    assert demo_size(1_000)["accounts"] == 500
    with pytest.raises(DemoError, match="unknown demo size"):
        demo_size("huge")


def test_bad_chunk_size_is_rejected_before_writing(tmp_path: Path) -> None:
    with pytest.raises(DemoError, match="multiple of"):
        generate_demo(tmp_path / "x", chunk_accounts=100, **TINY)  # type: ignore[arg-type]
    assert not (tmp_path / "x").exists()


def test_progress_bar_reports_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generate_demo(tmp_path, **{**TINY, "progress": True})  # type: ignore[arg-type]
    assert "filas" in capsys.readouterr().out  # in the language asked for, Spanish by default
    generate_demo(tmp_path / "en", **{**TINY, "progress": True, "lang": "en"})  # type: ignore[arg-type]
    assert "rows" in capsys.readouterr().out


def test_load_demo_validates_and_loads_every_table(duck: Workspace, tmp_path: Path) -> None:
    files = load_demo(duck, tmp_path, **LOADED)
    for name in TABLES:
        assert duck.count(name) == files.rows[name], name
        assert files.loaded[name].rows == files.rows[name]
    again = load_demo(duck, tmp_path, **LOADED)  # same seed: an idempotent reload
    assert all(duck.count(n) == again.rows[n] for n in TABLES)


def test_chunk_folders_load_like_files(duck: Workspace, tmp_path: Path) -> None:
    files = load_demo(duck, tmp_path, chunk_accounts=BLOCK, **LOADED)
    assert files.tables["usage_events"].is_dir()
    assert duck.count("usage_events") == files.rows["usage_events"]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    accounts=st.integers(1, 80),
    responses=st.integers(0, 400),
    months=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_small_company_is_canonical_and_consistent(
    tmp_path_factory: pytest.TempPathFactory, accounts: int, responses: int, months: int, seed: int
) -> None:
    files = generate_demo(
        tmp_path_factory.mktemp("h"),
        accounts=accounts,
        responses=responses,
        months=months,
        seed=seed,
        progress=False,
    )
    assert files.rows["accounts"] == accounts
    for name, path in files.tables.items():
        assert pq.read_schema(path).remove_metadata() == arrow_schema(TABLES[name]), name
    truth = pq.read_table(files.truth).to_pandas()
    acc = pq.read_table(files.tables["accounts"]).to_pandas()
    assert (truth.churned == acc.end_date.notna()).all()
    tm = pq.read_table(files.truth_monthly).to_pandas()
    assert tm.groupby("account_id").size().max() <= months


def test_demo_loads_into_sqlite_too(workspace_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = workspace_factory("sqlite")
    files = load_demo(ws, tmp_path, accounts=80, responses=500, months=4, progress=False)
    assert ws.count("responses") == files.rows["responses"]
    assert ws.count("tickets") == files.rows["tickets"]


@pytest.mark.postgres
def test_demo_loads_into_postgres(workspace_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = workspace_factory("postgres")
    files = load_demo(ws, tmp_path, accounts=80, responses=500, months=4, progress=False)
    for name in TABLES:
        assert ws.count(name) == files.rows[name], name
