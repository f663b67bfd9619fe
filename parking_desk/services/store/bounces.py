"""What the bounce reader keeps in the store: where it got to in each mailbox, which
messages are being or have been handled, and the suppression list.

- The cursor, per mailbox *and* UIDVALIDITY (a mailbox whose UIDVALIDITY changed numbers
  its messages anew): the highest UID below which every message is handled. It only grows.
- A marker per message, written create-only with a lease: of several workers reading the
  same mailbox one claims a message and handles it; a claimer that dies leaves a lease that
  runs out. ``finish`` records the outcome; a finished message is never claimed again.
- The bounce itself: the task's transition (``task_rules.bounce`` or ``note_delay``) and the
  bounced address on the suppression list, in one commit.
- Suppressions: ``suppressions/{address id}``; clearing one is a supervisor's act, audited in
  the same commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from parking_desk.bounce import Bounce, Suppression
from parking_desk.task import NotificationTask

CURSORS = "bounceCursors"
MESSAGES = "bounceMessages"
SUPPRESSIONS = "suppressions"

CLAIMED, DONE, BUSY = "claimed", "done", "busy"
CLEAR_ACTION = "clear_suppression"


class BounceLedger(Protocol):
    """``store.bounces``: the reader's cursor and claims, and the bounce's writes."""

    def cursor(self, mailbox: str) -> int:
        """The highest UID of *mailbox* (its key, UIDVALIDITY included) fully handled; 0."""

    def advance(self, mailbox: str, uid: int, *, now: datetime) -> None:
        """Raise the cursor to *uid* (never lowers it)."""

    def claim(self, mailbox: str, uid: int, owner: str, *, lease: timedelta, now: datetime) -> str:
        """``CLAIMED`` (now *owner*'s to handle), ``DONE`` (handled already) or ``BUSY``
        (another reader holds an unexpired claim)."""

    def finish(self, mailbox: str, uid: int, owner: str, outcome: str, *, now: datetime) -> bool:
        """Record *outcome* on a message *owner* claimed; False if the claim was lost."""

    def find_task(self, message_id: str) -> NotificationTask | None:
        """The task whose ``messageId`` is *message_id*."""

    def record_bounce(
        self, task_id: str, report: Bounce, who: str, *, now: datetime
    ) -> NotificationTask | None:
        """Suppress the bounced address and, if the task still went to it and is
        ``completed``, move it to ``bounced`` (with its booking), in one commit. The task
        as written, or None when it did not change."""

    def record_delay(self, task_id: str, report: Bounce, who: str, *, now: datetime) -> bool:
        """Note a delay notice in the task's history; False if the task is gone."""


class SuppressionList(Protocol):
    """``store.suppressions``: addresses not to send to."""

    def get(self, address: str) -> Suppression | None: ...

    def all(self, limit: int = 500) -> list[Suppression]:
        """Newest first."""

    def clear(self, address: str, *, operator: str, now: datetime) -> bool:
        """Take *address* off the list, audited (``clear_suppression``); False if it was not
        on it."""
