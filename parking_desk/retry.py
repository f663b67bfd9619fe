"""The retry schedule: ``delay = min(cap, base · 2^(attempt−1))`` plus up to 20 % jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    jitter: float = 0.2
    max_attempts: int = 10

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        """Delay before the next try after *attempt* (1-based) failed transiently."""
        attempt = max(1, attempt)
        raw = min(self.cap_seconds, self.base_seconds * 2 ** min(attempt - 1, 40))
        spread = (rng or random).uniform(0.0, self.jitter) if self.jitter > 0 else 0.0
        return timedelta(seconds=raw * (1.0 + spread))

    def exhausted(self, attempts: int, max_attempts: int | None = None) -> bool:
        return attempts >= (max_attempts or self.max_attempts)
