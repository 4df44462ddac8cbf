"""Per-user token buckets: a burst of questions, then a steady rate."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Allows `burst` questions at once per user, refilled at `per_minute`."""

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, last refill)

    def take(self, user: str) -> float:
        """Spend one token; 0 when allowed, else the seconds until the next token."""
        now = self.clock()
        tokens, last = self._buckets.get(user, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[user] = (tokens - 1.0, now)
            return 0.0
        self._buckets[user] = (tokens, now)
        if len(self._buckets) > 10_000:  # forget users whose bucket is full again
            full = [u for u, (t, s) in self._buckets.items() if t + (now - s) * self.rate >= 1]
            for stale in full[: len(full) // 2]:
                del self._buckets[stale]
        return (1.0 - tokens) / self.rate
