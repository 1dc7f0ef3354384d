"""Answers are validated against their survey, stored once, and never duplicated."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cxpulse import collect, store
from cxpulse.store import SurveyResponse


def _answer(survey: str = "nps-rel", score: Any = 9, **extra: Any) -> collect.ResponseInput:
    return collect.parse_response_input(
        {"survey": survey, "score": score, "account_id": "acme", **extra}
    )


def test_answer_is_stored_with_survey_kind_and_touchpoint(store_url: str, nps_survey: str) -> None:
    with store.session(store_url) as s:
        result = collect.record_response(s, _answer(comment="  muy bien  ", language="es"))
    assert result.created
    with store.session(store_url) as s:
        row = s.scalars(select(SurveyResponse)).one()
    assert (row.kind, row.score, row.touchpoint, row.comment) == (
        "nps",
        9,
        "relationship",
        "muy bien",
    )
    assert row.source == "api" and row.account_id == "acme"
    assert row.responded_at.tzinfo is not None


@pytest.mark.parametrize(
    ("survey", "score", "ok"),
    [
        ("nps-rel", 0, True),
        ("nps-rel", 10, True),
        ("nps-rel", 11, False),
        ("nps-rel", -1, False),
        ("csat-support", 1, True),
        ("csat-support", 5, True),
        ("csat-support", 0, False),
        ("csat-support", 6, False),
        ("ces-onboarding", 7, True),
        ("ces-onboarding", 8, False),
    ],
)
def test_score_must_be_on_the_scale_of_the_survey_kind(
    store_url: str, nps_survey: str, stored: Callable[[], int], survey: str, score: int, ok: bool
) -> None:
    if ok:
        with store.session(store_url) as s:
            collect.record_response(s, _answer(survey, score))
        assert stored() == 1
    else:
        with (
            pytest.raises(collect.InvalidAnswerError, match="outside"),
            store.session(store_url) as s,
        ):
            collect.record_response(s, _answer(survey, score))
        assert stored() == 0


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"survey": "nps-rel", "score": "nine", "account_id": "a"}, "score"),
        ({"survey": "nps-rel", "score": 9.5, "account_id": "a"}, "score"),
        ({"survey": "nps-rel", "score": 9}, "account_id"),
        ({"survey": "nps-rel", "score": 9, "account_id": "a", "comment": "x" * 5001}, "comment"),
        ({"survey": "nps-rel", "score": 9, "account_id": "a", "colour": "red"}, "colour"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_malformed_answers_are_refused_with_the_field_named(body: Any, fragment: str) -> None:
    with pytest.raises(collect.InvalidAnswerError, match=fragment):
        collect.parse_response_input(body)


def test_comment_of_exactly_5000_chars_is_accepted(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    with store.session(store_url) as s:
        collect.record_response(s, _answer(comment="é" * 5000))
    assert stored() == 1


def test_unknown_or_closed_survey_stores_nothing(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    with pytest.raises(collect.UnknownSurveyError), store.session(store_url) as s:
        collect.record_response(s, _answer("missing"))
    with store.session(store_url) as s:
        collect.set_survey_active(s, nps_survey, False)
    with (
        pytest.raises(collect.InvitationExpiredError, match="closed"),
        store.session(store_url) as s,
    ):
        collect.record_response(s, _answer())
    assert stored() == 0


def test_future_answer_time_is_refused(store_url: str, nps_survey: str) -> None:
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    with pytest.raises(collect.InvalidAnswerError, match="future"), store.session(store_url) as s:
        collect.record_response(s, _answer(responded_at=later))


def test_same_idempotency_key_and_body_returns_the_same_answer(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    with store.session(store_url) as s:
        first = collect.record_response(s, _answer(), idempotency_key="abc")
    with store.session(store_url) as s:
        again = collect.record_response(s, _answer(), idempotency_key="abc")
    assert first.created and not again.created
    assert first.response.id == again.response.id
    assert stored() == 1


def test_same_idempotency_key_with_another_body_is_a_conflict(
    store_url: str, nps_survey: str
) -> None:
    with store.session(store_url) as s:
        collect.record_response(s, _answer(score=9), idempotency_key="abc")
    with (
        pytest.raises(collect.IdempotencyConflictError, match="abc"),
        store.session(store_url) as s,
    ):
        collect.record_response(s, _answer(score=2), idempotency_key="abc")
    with store.session(store_url) as s:
        assert s.scalars(select(SurveyResponse.score)).all() == [9]


def test_concurrent_retries_with_one_key_store_one_answer(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        try:
            barrier.wait()
            with store.session(store_url) as s:
                ids.append(collect.record_response(s, _answer(), idempotency_key="k").response.id)
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1 and len(ids) == 6
    assert stored() == 1


def test_loop_hook_failure_keeps_the_answer(
    store_url: str, nps_survey: str, stored: Callable[[], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cxpulse.loop as loop

    calls: list[int] = []

    def broken(session: Any, response: SurveyResponse) -> None:
        calls.append(response.score)
        raise RuntimeError("rule engine down")

    monkeypatch.setattr(loop, "on_response", broken, raising=False)
    with store.session(store_url) as s:
        collect.record_response(s, _answer(score=1))
    assert calls == [1]
    assert stored() == 1


def test_api_detractor_opens_one_closed_loop_case(store_url: str, nps_survey: str) -> None:
    from cxpulse.store import Case

    with store.session(store_url) as s:
        first = collect.record_response(s, _answer(score=1), idempotency_key="det-1")
    with store.session(store_url) as s:
        collect.record_response(s, _answer(score=1), idempotency_key="det-1")  # replay
        cases = s.scalars(select(Case)).all()
    assert [(c.response_id, c.trigger, c.account_id) for c in cases] == [
        (first.response.id, "detractor", "acme")
    ]
