"""Group commit of API answers: one writer per store commits small batches.

An invalid answer (unknown or closed survey, score off the scale, key reused for another
answer) writes nothing and is refused alone; the others go on. Should anything else fail,
the batch is rolled back and its answers are recorded one transaction each, so only the
faulty answer fails. A caller's future is resolved only after the batch's transaction has
committed: an acknowledged answer is as durable as with one transaction per answer, and the
commit (the lock, the WAL write, the PostgreSQL round trip and flush) is paid once per batch
instead of once per answer.
Answers with the same ``Idempotency-Key`` in one batch behave as if sent one after the
other (the second is a replay of the first).

>>> from cxpulse import store
>>> from cxpulse.collect.surveys import create_survey
>>> from cxpulse.collect.answers import parse_response_input
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     _ = create_survey(s, "nps-b", "nps")
>>> data = parse_response_input({"survey": "nps-b", "score": 10, "account_id": "acme"})
>>> result = submit_response(store.engine("sqlite://"), data, "key-b").result(timeout=10)
>>> result.created, result.response.score
(True, 10)
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import Engine

from cxpulse import store
from cxpulse.collect.answers import RecordResult, ResponseInput, record_response
from cxpulse.collect.errors import CollectError
from cxpulse.store.tables import Survey

log = logging.getLogger(__name__)

MAX_BATCH = 64
# a writer with nothing to do for this long ends its thread (a new one starts on demand)
IDLE_SECONDS = 5.0


@dataclass
class _Pending:
    data: ResponseInput
    key: str | None
    source: str
    future: Future[RecordResult] = field(default_factory=Future)


class GroupCommitter:
    """The single writer of API answers for one engine (use :func:`submit_response`)."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self.thread = threading.Thread(
            target=self._run, name=f"cxpulse-group-commit-{id(engine):x}", daemon=True
        )

    def _run(self) -> None:
        while True:
            try:
                first = self.queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with _LOCK:
                    if self.queue.empty():
                        if _COMMITTERS.get(self.engine) is self:
                            del _COMMITTERS[self.engine]
                        return
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(batch)
            except BaseException as exc:  # the thread is going down: nobody may wait forever
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)
                raise

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            done, failed = self._record(batch)
        except Exception:
            # An unexpected error (not an invalid answer) may have left part of an answer
            # written: the whole batch was rolled back; record each answer on its own so
            # only the faulty one fails.
            log.warning("group commit of %d answers failed; one by one", len(batch))
            for item in batch:
                self._commit_alone(item)
            return
        # the transaction has committed: only now may anybody be told
        for item, result in done:
            item.future.set_result(result)
        for item, error in failed:
            item.future.set_exception(error)

    def _record(
        self, batch: list[_Pending]
    ) -> tuple[list[tuple[_Pending, RecordResult]], list[tuple[_Pending, CollectError]]]:
        """Record every answer of ``batch`` in one transaction and commit it.

        An invalid answer raises :class:`CollectError` before it writes anything
        (:func:`record_response` guarantees it), so it needs no savepoint: it is set aside
        and the others go on.
        """
        done: list[tuple[_Pending, RecordResult]] = []
        failed: list[tuple[_Pending, CollectError]] = []
        surveys: dict[str, Survey] = {}
        _prepare_loop(self.engine)
        with store.session(self.engine) as s:
            for item in batch:
                try:
                    result = record_response(
                        s, item.data, idempotency_key=item.key, source=item.source, surveys=surveys
                    )
                except CollectError as exc:
                    failed.append((item, exc))
                else:
                    done.append((item, result))
        return done, failed

    def _commit_alone(self, item: _Pending) -> None:
        try:
            _prepare_loop(self.engine)
            with store.session(self.engine) as s:
                result = record_response(s, item.data, idempotency_key=item.key, source=item.source)
        except Exception as exc:
            if not isinstance(exc, CollectError):
                log.error("answer could not be stored", exc_info=exc)
            item.future.set_exception(exc)
        else:
            item.future.set_result(result)


def _prepare_loop(engine: Engine) -> None:
    """Let the closed loop load what its hook reads (account owners from the workspace)
    now, while this thread holds no store lock: inside the transaction the hook must not
    wait for the workspace."""
    try:
        from cxpulse.loop.context import prepare_context
    except ImportError:
        return
    try:
        prepare_context(engine)
    except Exception:  # the hook still works without it (owners may be unknown)
        log.exception("preparing the closed loop failed")


_COMMITTERS: dict[Engine, GroupCommitter] = {}
_LOCK = threading.Lock()


def submit_response(
    engine: Engine, data: ResponseInput, idempotency_key: str | None, source: str = "api"
) -> Future[RecordResult]:
    """Queue one validated answer for the store's writer; the future resolves after commit.

    The result is :func:`record_response`'s (``created`` False for a replay); a
    :class:`CollectError` (unknown or closed survey, score off the scale, key reused for
    another answer) is raised by the future and nothing of that answer is stored.
    """
    pending = _Pending(data, idempotency_key, source)
    with _LOCK:
        committer = _COMMITTERS.get(engine)
        if committer is None:
            committer = GroupCommitter(engine)
            _COMMITTERS[engine] = committer
            committer.thread.start()
        committer.queue.put(pending)
    return pending.future
