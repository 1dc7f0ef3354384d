"""Throttled sign-in: failed attempts are counted per account and per client (``limits``).

A guessing run is stopped twice over. Each account allows :data:`ACCOUNT_LIMITS` failures
(5 in 15 minutes, 20 in a day) and each client address :data:`CLIENT_LIMITS` (30 in 15
minutes, 300 in a day); past a limit every attempt is refused, the right password too,
until the oldest counted failure leaves its window. The tiers are the backoff: a few
mistakes cost minutes, a sustained run costs a day. Successful sign-ins are not counted, and
one clears the account's short window (never the client's).

The counters live in the process (``memory://``); several processes behind one address set
``[web] rate_limit_storage`` to a shared ``limits`` storage (``redis://...``).

>>> guard = SigninGuard(account_limits="2/minute", client_limits="10/minute")
>>> guard.wait_seconds("ana@example.com", "198.51.100.7")
0
>>> guard.failed("ana@example.com", "198.51.100.7"), guard.failed("ana@example.com", "x")
(False, True)
>>> guard.wait_seconds("ana@example.com", "198.51.100.7") > 0
True
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

ACCOUNT_LIMITS = "5/15 minutes;20/day"
CLIENT_LIMITS = "30/15 minutes;300/day"


def _normalize(email: str) -> str:
    return email.strip().lower()[:320]


class SigninGuard:
    """Counts failed sign-ins and says how long an account or a client must wait."""

    def __init__(
        self,
        *,
        account_limits: str = ACCOUNT_LIMITS,
        client_limits: str = CLIENT_LIMITS,
        storage: str = "memory://",
    ) -> None:
        self.account_items: list[RateLimitItem] = parse_many(account_limits)
        self.client_items: list[RateLimitItem] = parse_many(client_limits)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))

    def _pairs(self, email: str, client: str) -> list[tuple[RateLimitItem, str, str]]:
        pairs = [(item, "account", _normalize(email)) for item in self.account_items]
        return pairs + [(item, "client", client or "?") for item in self.client_items]

    def wait_seconds(self, email: str, client: str) -> int:
        """0 when a sign-in may be tried now, else how many seconds to wait."""
        now = time.time()
        wait = 0.0
        for item, kind, who in self._pairs(email, client):
            if not self.limiter.test(item, kind, who):
                reset = self.limiter.get_window_stats(item, kind, who).reset_time
                wait = max(wait, reset - now, 1.0)
        return math.ceil(wait)

    def failed(self, email: str, client: str) -> bool:
        """Count a failed attempt; whether it used up a limit (a lockout starts now)."""
        locked = False
        for item, kind, who in self._pairs(email, client):
            self.limiter.hit(item, kind, who)
            if not self.limiter.test(item, kind, who):
                locked = True
        return locked

    def succeeded(self, email: str) -> None:
        """A right password: forget the account's recent failures (not the daily ones)."""
        if self.account_items:
            self.limiter.clear(self.account_items[0], "account", _normalize(email))
