"""Reads and writes for a claimed batch at once: the roles a store takes on when one call
for many tasks saves round trips (Firestore, where each call is one round trip away).

``get_many`` reads the suppression list for every recipient of a batch in one call.

``complete_many`` writes what ``task_rules.complete`` decides for each task, exactly the
fields ``complete`` writes one task at a time, each conditioned on its own lease. It is
all or nothing: one task whose lease is gone, or whose booking is not in the store, makes
it write nothing and answer False, and the caller completes each task alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from parking_desk.bounce import Suppression
from parking_desk.task import DeliveryOutcome, NotificationTask


@runtime_checkable
class SuppressionsAtOnce(Protocol):
    def get_many(self, addresses: Iterable[str]) -> dict[str, Suppression | None]:
        """``get`` for each of *addresses*, keyed by the address as given, in one read."""


@runtime_checkable
class GroupedCompletions(Protocol):
    def complete_many(
        self,
        done: Sequence[tuple[NotificationTask, DeliveryOutcome]],
        worker_id: str,
        *,
        now: datetime | None = None,
    ) -> bool:
        """Complete every task of *done* (with its booking's fields) in one atomic commit,
        only if *worker_id* still holds each lease. True once written; False when nothing
        was written because one of them cannot be written in the group (complete each
        alone: its own write says which). Raises ``StoreUnavailable`` (nothing written)."""
