"""SQLite's writer queue: re-entrant for its holder, releasable from another thread."""

from __future__ import annotations

import threading

from cxpulse.store.connections import WriteGate


def test_gate_taken_in_one_thread_can_be_released_in_another():
    gate = WriteGate()
    assert gate.acquire(timeout=1)
    releaser = threading.Thread(target=gate.release)
    releaser.start()
    releaser.join()
    # free again: another thread gets it at once
    got: list[bool] = []
    taker = threading.Thread(target=lambda: got.append(gate.acquire(timeout=1)))
    taker.start()
    taker.join()
    assert got == [True]


def test_gate_is_reentrant_for_its_holder_and_exclusive_for_others():
    gate = WriteGate()
    assert gate.acquire(timeout=1) and gate.acquire(timeout=1)  # nested session, same thread
    other: list[bool] = []
    waiter = threading.Thread(target=lambda: other.append(gate.acquire(timeout=0.2)))
    waiter.start()
    waiter.join()
    assert other == [False]  # held by this thread
    gate.release()
    waiter = threading.Thread(target=lambda: other.append(gate.acquire(timeout=0.2)))
    waiter.start()
    waiter.join()
    assert other == [False, False]  # still held once
    gate.release()
    waiter = threading.Thread(target=lambda: other.append(gate.acquire(timeout=0.2)))
    waiter.start()
    waiter.join()
    assert other == [False, False, True]
