"""A background delivery loop for the outbox (the web app runs one; so can ``cxpulse cases
deliver --watch``).

>>> import threading
>>> stop = threading.Event(); stop.set()
>>> run_delivery(lambda: None, stop=stop)  # returns at once when asked to stop
0
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from cxpulse.config import Settings
from cxpulse.loop.outbox import BASE_DELAY, DEFAULT_MAX_ATTEMPTS, deliver_pending

log = logging.getLogger(__name__)


def deliver_once(
    store_url: str | Engine,
    settings: Settings | None = None,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base: timedelta = BASE_DELAY,
) -> int:
    """Deliver every due message of a store once; returns how many were attempted."""
    from cxpulse import store

    worker = store.session_factory(store_url)()
    try:
        report = deliver_pending(
            worker, settings or Settings(), max_attempts=max_attempts, retry_base=retry_base
        )
    finally:
        worker.close()
    return report.attempted


def run_delivery(
    step: Callable[[], object], *, stop: threading.Event, interval_s: float = 5.0
) -> int:
    """Call ``step`` every ``interval_s`` seconds until ``stop`` is set; returns the rounds run.

    A failing round is logged and retried next time: the outbox keeps every message.
    """
    rounds = 0
    while not stop.is_set():
        try:
            step()
        except Exception:  # keep the loop alive; the messages stay pending
            log.exception("outbox delivery round failed")
        rounds += 1
        stop.wait(interval_s)
    return rounds


def start_delivery_thread(
    store_url: str | Engine,
    settings: Settings | None = None,
    *,
    interval_s: float = 5.0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base: timedelta = BASE_DELAY,
) -> tuple[threading.Thread, threading.Event]:
    """Start a daemon thread delivering the outbox; set the returned event to stop it."""
    stop = threading.Event()
    chosen = settings or Settings()

    def step() -> None:
        deliver_once(store_url, chosen, max_attempts=max_attempts, retry_base=retry_base)

    thread = threading.Thread(
        target=run_delivery,
        args=(step,),
        kwargs={"stop": stop, "interval_s": interval_s},
        name="cxpulse-outbox",
        daemon=True,
    )
    thread.start()
    return thread, stop
