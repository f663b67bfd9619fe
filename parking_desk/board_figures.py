"""The kiosk board's live figures, counted from one short listing of the unfinished tasks.

The board shows how many tasks wait (pending, of them retrying), how many are being sent,
and how long the oldest due one has waited. Both stores list the tasks in ``LIVE_STATES``
(a few fields each; normally a small part of the queue, whose sent and cancelled tasks
are most of it and are never listed) and count them here, so the rules are the same for
both. Dead and bounced tasks are counted by the stores, not listed: they can pile up.

A website document without a state is pending and due since its ``createdAt``: the stores
say how many there are and how long the oldest has waited, and count them in here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from parking_desk.task import TaskState

# Waiting or being sent: what the board lists one by one.
LIVE_STATES = frozenset({TaskState.PENDING, TaskState.PROCESSING})


@dataclass(frozen=True)
class LiveTask:
    """The fields of an unfinished task the board's figures need, nothing that names anyone."""

    status: TaskState
    attempts: int
    next_attempt_at: datetime | None  # None: due now
    created_at: datetime | None


@dataclass(frozen=True)
class LiveCounts:
    counts: dict[TaskState, int]  # LIVE_STATES only; the unstated counted as pending
    retrying: int  # pending after at least one attempt
    oldest_due_age: timedelta | None  # None: nothing pending is due


def waited(task: LiveTask, now: datetime) -> timedelta | None:
    """How long a pending task has been due at *now*; None if it is not due yet. Without a
    next attempt time it is due now, waiting since it was created (never less than zero)."""
    due = task.next_attempt_at
    if due is None:
        return max(timedelta(0), now - task.created_at) if task.created_at else timedelta(0)
    return max(timedelta(0), now - due) if due <= now else None


def live_counts(
    tasks: Iterable[LiveTask],
    *,
    now: datetime,
    unstated: int = 0,
    unstated_age: timedelta | None = None,
) -> LiveCounts:
    """The board's live figures from the listed tasks, and *unstated* website documents
    whose oldest has waited *unstated_age* (they are pending, never tried, and due)."""
    counts = {state: 0 for state in LIVE_STATES}
    retrying = 0
    oldest = (unstated_age or timedelta(0)) if unstated else None
    for task in tasks:
        if task.status not in counts:
            continue
        counts[task.status] += 1
        if task.status == TaskState.PENDING:
            retrying += task.attempts > 0
            age = waited(task, now)
            if age is not None:
                oldest = age if oldest is None else max(oldest, age)
    counts[TaskState.PENDING] += unstated
    return LiveCounts(counts, retrying, oldest)
