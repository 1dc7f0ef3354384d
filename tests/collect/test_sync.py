"""Stored answers reach the analytics workspace incrementally and exactly once."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from cxpulse import collect, store
from cxpulse.collect.sync import decode_watermark
from cxpulse.workspace import Workspace

NOW = timedelta(0)


def _record(url: str, survey: str, score: int, account: str, key: str | None = None) -> int:
    with store.session(url) as s:
        data = collect.parse_response_input(
            {"survey": survey, "score": score, "account_id": account}
        )
        return collect.record_response(s, data, idempotency_key=key).response.id


def _frame(ws: Workspace) -> pd.DataFrame:
    return ws.table("responses").order_by("response_id").execute()


def test_sync_loads_new_answers_once_and_moves_the_watermark(
    store_url: str, nps_survey: str, duck_ws: Workspace
) -> None:
    ids = [_record(store_url, "nps-rel", s, f"a{s}") for s in (0, 6, 7, 9, 10)]
    first = collect.sync(store_url, duck_ws, settle=NOW)
    assert first.rows == 5 and first.watermark_before is None
    wm = decode_watermark(first.watermark_after)
    assert wm is not None and wm[1] == max(ids)
    frame = _frame(duck_ws)
    assert sorted(frame["response_id"]) == sorted(f"op-{i}" for i in ids)
    assert set(frame["survey_id"]) == {"nps-rel"} and set(frame["kind"]) == {"nps"}
    again = collect.sync(store_url, duck_ws, settle=NOW)
    assert again.rows == 0 and again.watermark_after == first.watermark_after
    assert duck_ws.count("responses") == 5


def test_changed_answer_is_resynced_in_place(
    store_url: str, nps_survey: str, duck_ws: Workspace
) -> None:
    with store.session(store_url) as s:
        survey = collect.get_survey(s, "csat-support")
        link = collect.create_invitation(s, survey, account_id="acme", base_url="http://h")
    with store.session(store_url) as s:
        collect.answer_invitation(s, link.token, 2)
    collect.sync(store_url, duck_ws, settle=NOW)
    with store.session(store_url) as s:
        collect.answer_invitation(s, link.token, 5, comment="fixed now")
    report = collect.sync(store_url, duck_ws, settle=NOW)
    assert report.rows == 1
    frame = _frame(duck_ws)
    assert len(frame) == 1
    assert (frame.loc[0, "score"], frame.loc[0, "comment"]) == (5, "fixed now")


def test_indicator_counts_match_the_store_after_many_batches(
    store_url: str, nps_survey: str, duck_ws: Workspace
) -> None:
    scores = [i % 11 for i in range(57)]
    for i, score in enumerate(scores):
        _record(store_url, "nps-rel", score, f"acc{i % 4}")
    report = collect.sync(store_url, duck_ws, settle=NOW, batch_size=10)
    assert (report.rows, report.batches) == (57, 6)
    t = duck_ws.table("responses")
    got = (
        t.group_by("account_id")
        .aggregate(n=t.count(), promoters=(t.score >= 9).sum(), detractors=(t.score <= 6).sum())
        .order_by("account_id")
        .execute()
    )
    expected = pd.DataFrame({"account_id": [f"acc{i % 4}" for i in range(57)], "score": scores})
    ref = (
        expected.groupby("account_id")["score"]
        .agg(
            n="size",
            promoters=lambda x: int((x >= 9).sum()),
            detractors=lambda x: int((x <= 6).sum()),
        )
        .reset_index()
    )
    pd.testing.assert_frame_equal(got, ref, check_dtype=False)


def test_answers_younger_than_the_settle_time_wait_for_the_next_sync(
    store_url: str, nps_survey: str, duck_ws: Workspace
) -> None:
    _record(store_url, "nps-rel", 9, "acme")
    assert collect.sync(store_url, duck_ws, settle=timedelta(hours=1)).rows == 0
    assert collect.sync(store_url, duck_ws, settle=NOW).rows == 1


def test_sync_into_a_postgres_workspace(
    pg_url: str, tmp_path, nps_survey: str, store_url: str
) -> None:  # type: ignore[no-untyped-def]
    _record(store_url, "nps-rel", 4, "acme")
    ws = Workspace.connect(pg_url)
    try:
        assert collect.sync(store_url, ws, settle=NOW).rows == 1
        assert ws.count("responses") == 1
    finally:
        ws.close()
