"""What the drain tells the outside world, as plain dataclasses.

The worker runs on scheduler and pool threads and must not know about Qt; the desk bridges
these events to signals, the webhook listens for ``TaskDead``, tests collect them in a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from parking_desk.task import LastError


@dataclass(frozen=True)
class TaskClaimed:
    task_id: str
    booking_number: str
    worker_id: str
    attempt: int


@dataclass(frozen=True)
class TaskCompleted:
    task_id: str
    booking_number: str
    provider: str
    message_id: str | None
    email_sent: bool


@dataclass(frozen=True)
class TaskFailed:
    """A transient failure: the task is pending again and waits until ``next_attempt_at``."""

    task_id: str
    booking_number: str
    error: LastError
    attempts: int
    next_attempt_at: datetime


@dataclass(frozen=True)
class TaskDead:
    task_id: str
    booking_number: str
    error: LastError
    attempts: int
    at: datetime


@dataclass(frozen=True)
class TaskBounced:
    """A sent task reported undeliverable by a bounce in the sending mailbox."""

    task_id: str
    booking_number: str
    error: LastError
    attempts: int
    at: datetime


@dataclass(frozen=True)
class WorkerBlocked:
    """Outcomes cannot be recorded: the worker claims and sends nothing until they can."""

    worker_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class WorkerResumed:
    worker_id: str
    at: datetime


@dataclass
class DrainReport:
    """Counts for one drain; ``lost`` are tasks whose lease another worker took over,
    ``unrecorded`` those whose outcome the store kept refusing although it accepted other
    writes (left to their lease; one already sent is not sent again by this worker)."""

    started_at: datetime
    finished_at: datetime | None = None
    claimed: int = 0
    completed: int = 0
    retried: int = 0
    dead: int = 0
    lost: int = 0
    skipped: int = 0  # claimed but left for release: stopping, blocked or out of lease time
    unrecorded: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        if self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()

    def merge(self, other: DrainReport) -> None:
        self.claimed += other.claimed
        self.completed += other.completed
        self.retried += other.retried
        self.dead += other.dead
        self.lost += other.lost
        self.skipped += other.skipped
        self.unrecorded += other.unrecorded
        self.errors.extend(other.errors)
        self.finished_at = other.finished_at or self.finished_at


@dataclass(frozen=True)
class DrainFinished:
    worker_id: str
    report: DrainReport


WorkerEvent = (
    TaskClaimed
    | TaskCompleted
    | TaskFailed
    | TaskDead
    | TaskBounced
    | DrainFinished
    | WorkerBlocked
    | WorkerResumed
)
