"""The closed-loop hook's savepoint is paid only by answers a rule reacts to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select

from cxpulse import collect, store
from cxpulse.store import Case


def _answer(score: int) -> collect.ResponseInput:
    return collect.parse_response_input({"survey": "nps-rel", "score": score, "account_id": "acme"})


def test_only_answers_that_open_a_case_take_a_savepoint(store_url: str, nps_survey: str) -> None:
    engine = store.engine(store_url)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.strip().split()[0].upper())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with store.session(engine) as s:
            collect.record_response(s, _answer(10), idempotency_key="promoter")
            collect.record_response(s, _answer(8), idempotency_key="passive")
        assert "SAVEPOINT" not in statements
        statements.clear()
        with store.session(engine) as s:
            collect.record_response(s, _answer(1), idempotency_key="detractor")
        assert "SAVEPOINT" in statements  # the hook still runs isolated for a case
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with store.session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
