"""The kiosk board's figures, counted from one short listing of the unfinished tasks or
from a tally of every task (``board_totals``).

The board shows how many tasks wait (pending, of them retrying), how many are being sent,
and how long the oldest due one has waited. Both stores list the tasks in ``LIVE_STATES``
(a few fields each; normally a small part of the queue, whose sent and cancelled tasks
are most of it and are never listed) and count them here, so the rules are the same for
both. Dead and bounced tasks are counted by the stores, not listed: they can pile up.

A website document without a state is pending and due since its ``createdAt``: the stores
say how many there are and how long the oldest has waited, and count them in here too.

A store that keeps the whole queue's figures current (Firestore: a small projection of each
task, ``BoardTask``, updated from the tasks written since its last look) counts every figure
here with ``board_totals``: the live ones by ``live_counts``, the dead and bounced, the
failures and the sends, by the same rules the stores' queries follow.
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


def waited(task: LiveTask | BoardTask, now: datetime) -> timedelta | None:
    """How long a pending task has been due at *now*; None if it is not due yet. Without a
    next attempt time it is due now, waiting since it was created (never less than zero)."""
    due = task.next_attempt_at
    if due is None:
        return max(timedelta(0), now - task.created_at) if task.created_at else timedelta(0)
    return max(timedelta(0), now - due) if due <= now else None


def live_counts(
    tasks: Iterable[LiveTask | BoardTask],
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


@dataclass(frozen=True, slots=True)
class BoardTask:
    """What the board counts of one task, whatever its state: only the fields its state's
    figures need are kept (``board_task``), so a tally of a large queue stays small.
    ``status`` None: a state the board does not know, or none (a website document no worker
    has given one yet): pending, never tried and due since ``created_at``."""

    status: TaskState | None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    created_at: datetime | None = None
    # A sent task's completedAt; a dead one's updatedAt, when it died (nothing writes it
    # again until a supervisor retries it, which takes it out of dead).
    finished_at: datetime | None = None


def board_task(
    status: TaskState | None,
    *,
    attempts: int = 0,
    next_attempt_at: datetime | None = None,
    created_at: datetime | None = None,
    completed_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> BoardTask:
    """The task as ``board_totals`` counts it, keeping what its state's figures use."""
    if status is None:
        return BoardTask(None, created_at=created_at)
    if status == TaskState.PENDING:
        return BoardTask(
            status,
            attempts,
            next_attempt_at,
            created_at if next_attempt_at is None else None,
        )
    if status == TaskState.COMPLETED:
        return BoardTask(status, finished_at=completed_at)
    if status == TaskState.DEAD:
        return BoardTask(status, finished_at=updated_at)
    return _BARE.get(status) or BoardTask(status)


# Processing, cancelled and bounced tasks are counted by state alone: one shared row each.
_BARE = {s: BoardTask(s) for s in TaskState}


@dataclass(frozen=True)
class BoardTotals:
    """Every figure the board reads of the queue (the stores' ``BoardFigures``)."""

    live: LiveCounts
    dead: int
    bounced: int
    failures: list[datetime]  # when each task now dead went dead, since the window's start
    sent: list[datetime]  # completedAt of each task sent since the window's start
    sent_today: int


def board_totals(
    tasks: Iterable[BoardTask], *, now: datetime, today: datetime, window: datetime
) -> BoardTotals:
    """The board's figures from every task of the queue: pending (the unstated among them)
    and processing by ``live_counts``; the dead and bounced counted; the tasks sent since
    *window* and gone dead since *window* by when; the sends since *today* counted."""
    live: list[BoardTask] = []
    dead = bounced = sent_today = unstated = 0
    unstated_age = timedelta(0)
    failures: list[datetime] = []
    sent: list[datetime] = []
    for task in tasks:
        status, at = task.status, task.finished_at
        if status in LIVE_STATES:
            live.append(task)
        elif status == TaskState.COMPLETED:
            if at is not None and at >= today:
                sent_today += 1
            if at is not None and at >= window:
                sent.append(at)
        elif status == TaskState.DEAD:
            dead += 1
            if at is not None and at >= window:
                failures.append(at)
        elif status == TaskState.BOUNCED:
            bounced += 1
        elif status is None:
            unstated += 1
            # No next attempt: due since it was created (``waited``).
            unstated_age = max(unstated_age, waited(task, now) or timedelta(0))
    return BoardTotals(
        live_counts(live, now=now, unstated=unstated, unstated_age=unstated_age),
        dead,
        bounced,
        sorted(failures),
        sorted(sent),
        sent_today,
    )
