"""Webhook alerts kept in the store until a receiver has taken them: the role and its record.

An alert is written once (``add``) and then goes round claim → post → ``delivered`` or
``failed``. A claim is a lease: it pushes ``nextAttemptAt`` forward by the lease and names
the claimer, with a conditional write, so two workers sharing a store never post the same
alert at once, and an alert whose claimer died is due again when the lease runs out.
Outcomes are conditioned on still holding the claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

ALERTS = "alerts"
# A message a receiver or the network gave, trimmed: it is ours to show, not a log dump.
ERROR_LIMIT = 200


@dataclass(frozen=True)
class Alert:
    id: str
    event: str
    body: str  # the JSON text that is signed and posted, byte for byte the same every try
    attempts: int
    next_attempt_at: datetime | None  # None once delivered
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    lease_owner: str | None = None


class AlertQueue(Protocol):
    """What the webhook notifier needs from a store (``store.alerts``)."""

    def add(self, alert_id: str, event: str, body: str, *, now: datetime) -> None: ...

    def claim_due(
        self, owner: str, *, now: datetime, lease: timedelta, limit: int
    ) -> list[Alert]: ...

    def delivered(self, alert_id: str, owner: str, *, now: datetime) -> bool: ...

    def failed(
        self, alert_id: str, owner: str, error: str, *, next_attempt_at: datetime
    ) -> bool: ...

    def get(self, alert_id: str) -> Alert | None: ...

    def undelivered(self, limit: int = 100) -> list[Alert]: ...

    def purge_delivered(self, before: datetime) -> int: ...
