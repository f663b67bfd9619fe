"""The retry schedule: ``delay = min(cap, base · 2^(attempt−1))`` plus up to 20 % jitter.

And the attempt budget. A claim counts an attempt before anything is sent, so ``attempts``
also counts claims that never recorded an outcome (a lost lease, a crash, a failed write):
a task claimed more often than its budget goes dead instead of being sent again, like a
queue's maximum receive count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from parking_desk.messages import message
from parking_desk.task import LastError

CLAIMED_TOO_OFTEN = "task.claimed_too_often"


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

    def budget(self, task_max_attempts: int | None = None) -> int:
        """The task's own budget, capped by this installation's setting."""
        if not task_max_attempts or task_max_attempts <= 0:
            return self.max_attempts
        return min(task_max_attempts, self.max_attempts)

    def claimed_too_often(self, attempts: int, task_max_attempts: int | None = None) -> bool:
        """True for a claimed task (its ``attempts`` already counts this claim) that has
        been claimed more times than its budget allows: it must not be sent again."""
        return attempts > self.budget(task_max_attempts)


def claimed_too_often_error(attempts: int) -> LastError:
    """Why such a task is dead, as a code a supervisor reads in either language."""
    return LastError(CLAIMED_TOO_OFTEN, message(CLAIMED_TOO_OFTEN, "en", count=attempts), False)
