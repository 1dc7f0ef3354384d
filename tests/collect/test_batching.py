"""Group commit: answers queued together commit in one transaction, each acknowledged only
after that commit; invalid or failing answers are refused alone, idempotency holds inside a
batch, and the closed loop still opens its case for each stored detractor."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from cxpulse import collect, store
from cxpulse.collect.batching import GroupCommitter, _Pending, submit_response
from cxpulse.collect.errors import IdempotencyConflictError, InvalidAnswerError, UnknownSurveyError
from cxpulse.store.tables import SurveyResponse


def _answer(score: int, account: str = "acme", survey: str = "nps-rel") -> collect.ResponseInput:
    return collect.parse_response_input({"survey": survey, "score": score, "account_id": account})


def _run_as_one_batch(url: str, items: list[_Pending]) -> None:
    """Queue every item before the writer starts, so it takes them as one batch."""
    committer = GroupCommitter(store.engine(url))
    for item in items:
        committer.queue.put(item)
    committer.thread.start()
    for item in items:
        item.future.exception(timeout=30)  # wait, whatever the outcome


def _stored_keys(url: str) -> dict[str, int]:
    with store.read_session(url) as s:
        rows = s.execute(select(SurveyResponse.idempotency_key, SurveyResponse.score)).all()
    return {key: score for key, score in rows}


def test_a_batch_stores_valid_answers_and_refuses_invalid_ones_alone(
    store_url: str, nps_survey: str
) -> None:
    items = [
        _Pending(_answer(9), "k-1", "api"),
        _Pending(_answer(11), "k-bad-score", "api"),  # off the NPS scale
        _Pending(_answer(3, survey="no-such-survey"), "k-unknown", "api"),
        _Pending(_answer(4), "k-2", "api"),
        _Pending(_answer(4), "k-2", "api"),  # the same request again: a replay
        _Pending(_answer(5), "k-2", "api"),  # the same key, another answer: refused
    ]
    _run_as_one_batch(store_url, items)

    first, bad, unknown, second, replay, conflict = (item.future for item in items)
    assert first.result().created and second.result().created
    assert isinstance(bad.exception(), InvalidAnswerError)
    assert isinstance(unknown.exception(), UnknownSurveyError)
    assert replay.result().created is False
    assert replay.result().response.id == second.result().response.id
    assert isinstance(conflict.exception(), IdempotencyConflictError)
    assert _stored_keys(store_url) == {"k-1": 9, "k-2": 4}


def test_an_unexpected_failure_fails_only_its_answer(store_url: str, nps_survey: str) -> None:
    # a real database error in the middle of a batch (not a validation error)
    with store.session(store_url) as s:
        if s.get_bind().dialect.name == "sqlite":
            s.execute(
                text(
                    "CREATE TRIGGER refuse_boom BEFORE INSERT ON survey_responses "
                    "WHEN NEW.account_id = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END"
                )
            )
        else:
            s.execute(
                text(
                    "CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.account_id = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            s.execute(
                text(
                    "CREATE TRIGGER refuse_boom BEFORE INSERT ON survey_responses "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_boom()"
                )
            )
    items = [
        _Pending(_answer(10, "a"), "k-a", "api"),
        _Pending(_answer(10, "boom"), "k-boom", "api"),
        _Pending(_answer(10, "b"), "k-b", "api"),
    ]
    _run_as_one_batch(store_url, items)

    assert items[0].future.result().created and items[2].future.result().created
    failure = items[1].future.exception()
    assert failure is not None and "boom" in str(failure)
    assert _stored_keys(store_url) == {"k-a": 10, "k-b": 10}


def test_concurrent_answers_are_visible_once_acknowledged(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    engine = store.engine(store_url)
    seen_after_ack: list[bool] = []

    def send(i: int) -> None:
        future: Future[collect.RecordResult] = submit_response(
            engine, _answer(i % 11, f"acc-{i}"), f"c-{i}"
        )
        result = future.result(timeout=60)
        # acknowledged: another connection must already see it committed
        with store.read_session(store_url) as s:
            found = s.scalar(
                select(func.count())
                .select_from(SurveyResponse)
                .where(SurveyResponse.id == result.response.id)
            )
        seen_after_ack.append(found == 1)

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(send, range(120)))

    assert seen_after_ack == [True] * 120
    assert stored() == 120
    assert len(_stored_keys(store_url)) == 120


def test_the_closed_loop_opens_a_case_per_detractor_in_a_batch(
    store_url: str, nps_survey: str
) -> None:
    pytest.importorskip("cxpulse.loop")
    from cxpulse.store.tables import Case

    items = [_Pending(_answer(score, f"acc-{score}"), f"d-{score}", "api") for score in range(11)]
    _run_as_one_batch(store_url, items)
    detractor_ids = {item.future.result().response.id for item in items[:7]}

    with store.read_session(store_url) as s:
        case_response_ids = set(s.scalars(select(Case.response_id)))
    assert detractor_ids <= case_response_ids
    assert len(case_response_ids & {item.future.result().response.id for item in items}) == 7


def test_a_session_without_sql_does_not_queue_behind_a_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gate.sqlite'}"
    store.migrate(url)
    writing, release = threading.Event(), threading.Event()

    def long_writer() -> None:
        with store.session(url) as s:
            s.execute(text("UPDATE surveys SET active = active"))
            writing.set()
            release.wait(30)

    writer = threading.Thread(target=long_writer)
    writer.start()
    try:
        assert writing.wait(30)
        started = time.monotonic()
        with store.session(url):
            pass  # no statement: takes neither SQLite's lock nor the writers' queue
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        writer.join(30)


def test_nested_sessions_release_the_writer_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested.sqlite'}"
    store.migrate(url)
    with store.session(url) as outer:
        with store.session(url) as inner:
            inner.execute(text("SELECT 1"))
        outer.execute(text("UPDATE surveys SET active = active"))  # begins after inner ended
    done = threading.Event()

    def other_writer() -> None:
        with store.session(url) as s:
            s.execute(text("UPDATE surveys SET active = active"))
        done.set()

    threading.Thread(target=other_writer, daemon=True).start()
    assert done.wait(10), "the writer lock was left held by a nested session"
    store.dispose_engines()
