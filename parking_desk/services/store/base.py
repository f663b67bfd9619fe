"""The ``Store`` contract that every backend (Firestore, SQLite) fulfils.

The contract test suite in ``tests/contract/`` runs unchanged against each backend.
All timestamps are aware UTC datetimes. Methods that take ``now`` use it instead of the
clock so tests can move time; ``None`` means "the current time".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol, runtime_checkable

from parking_desk.board_figures import LiveCounts
from parking_desk.booking import Booking, BookingStatus
from parking_desk.quota import QuotaUnit
from parking_desk.task import (
    DeliveryOutcome as DeliveryOutcome,  # the domain's; callers of the store name it here
)
from parking_desk.task import (
    LastError,
    NotificationTask,
    TaskFilter,
    TaskState,
    TaskType,
)


@dataclass(frozen=True)
class BookingQuery:
    """Search criteria; every given criterion must match (AND).

    ``text`` is the desk's search box: a booking number, a plate (normalised before
    matching, prefix) or a name prefix (case-insensitive), and any part of the name,
    e-mail, phone, plate or number without diacritics (``parking_desk.search_text``; a
    booking written without search tokens is found by the first three only).
    ``arrival_day`` / ``departure_day`` select by the calendar day in UTC; the ranges are
    half-open (``arrival_from <= arrival < arrival_before``), for the site's local days.
    Results are newest first.

    ``stays_only``: the caller needs only where and when each booking holds a place (the
    lot's occupancy, the capacity check): its number, state, arrival, departure, check-in
    and check-out times and creation time are read, and a store may leave every other field
    empty (Firestore reads just those fields of a few hundred bookings instead of whole
    documents with their history, and no personal data). Kept for queries by dates and
    states; a search text, plate or name prefix reads whole bookings.
    """

    text: str = ""
    number: str | None = None
    plate: str | None = None
    name_prefix: str | None = None
    arrival_day: date | None = None
    departure_day: date | None = None
    statuses: frozenset[BookingStatus] = frozenset()
    limit: int = 500
    arrival_from: datetime | None = None
    arrival_before: datetime | None = None
    departure_from: datetime | None = None
    departure_before: datetime | None = None
    stays_only: bool = False


class TaskRow(NamedTuple):
    """One task as the supervisor's table lists it: the typed fields a store keeps next to
    the document, without ``bookingData`` or ``history``. A plain tuple, so a store can hand
    over 100,000 of them without building 100,000 task objects; the detail panel reads the
    whole task with ``get_task``. Times are epoch seconds; ``version`` is what a conditional
    write (``retry_tasks``) demands the task still be at."""

    id: str
    type: str
    booking_number: str
    client_email: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: float | None  # None: due now
    created_at: float | None
    error_code: str
    error_message: str
    provider: str | None
    lease_owner: str | None
    version: int

    @classmethod
    def of(cls, task: NotificationTask) -> TaskRow:
        err = task.last_error
        return cls(
            task.id,
            str(task.type),
            task.booking_number,
            task.client_email,
            str(task.status),
            task.attempts,
            task.max_attempts,
            task.next_attempt_at.timestamp() if task.next_attempt_at else None,
            task.created_at.timestamp() if task.created_at else None,
            err.code if err else "",
            err.message if err else "",
            task.provider,
            task.lease_owner,
            task.version,
        )


class TaskRowBatch(NamedTuple):
    """One delivery of ``watch_task_rows``: rows added or changed, ids removed. ``complete``
    marks the first delivery, which holds every task there is."""

    rows: list[TaskRow]
    removed: list[str]
    complete: bool


class Subscription(Protocol):
    def unsubscribe(self) -> None: ...


@dataclass(frozen=True)
class WorkerInfo:
    worker_id: str
    host: str
    pid: int
    kind: str  # "desk" | "worker"
    started_at: datetime
    last_heartbeat: datetime
    sent_total: int = 0
    state: str = "running"  # "running" | "stopped" | "blocked" (cannot record outcomes)


@dataclass(frozen=True)
class QueueStats:
    counts: dict[TaskState, int]
    retrying: int
    oldest_due_age: timedelta | None  # age of the oldest due pending task; None if none is due
    # A website document without a status counts as pending and due, from its createdAt.


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: datetime
    operator: str
    action: str  # "retry" | "cancel" | "update_recipient" | "check_in" | ...
    task_ids: list[str]
    filter: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


# --- the roles a caller depends on ---------------------------------------------------
# Each caller takes only the role it uses (the desk's booking screens ``BookingStore``, the
# worker ``QueueEngine`` and ``Quotas``, the console ``QueueAdmin``, the kiosk
# ``QueueHealth``); a backend is all of them, composed from parts.


@runtime_checkable
class BookingStore(Protocol):
    """What the desk does with bookings: create, find, check in and out, amend, resend."""

    kind: str  # "sqlite" | "firestore"

    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        """Allocate a unique booking number and write booking + queue task in one commit."""

    def get_booking(self, number: str) -> Booking | None: ...

    def search_bookings(self, query: BookingQuery) -> list[Booking]: ...

    def set_booking_status(
        self,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        now: datetime | None = None,
        desk: str = "",
    ) -> Booking:
        """Atomic transition: confirmed→checked_in→checked_out, anything but checked_out→cancelled.

        Raises ``NotFound`` or ``InvalidTransition`` (with code ``error.already_checked_in``,
        ``error.booking_cancelled``, …) so a booking can never be checked in twice. *desk*,
        the machine of a scan, goes into the history entry for a later refusal to name.
        """

    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        """Apply validated changes (dates, plate, e-mail…), record them in the booking's
        history, and queue a new confirmation, all in one commit."""

    def enqueue(
        self,
        booking_number: str,
        task_type: TaskType = TaskType.BOTH,
        *,
        operator: str = "",
        now: datetime | None = None,
    ) -> NotificationTask:
        """Queue a (re)send for an existing booking (the desk's "Resend e-mail")."""


@runtime_checkable
class QueueEngine(Protocol):
    """What a worker needs: leases on due tasks, their outcomes, the booking behind a task
    that carries no full snapshot, and a wake-up when work may be due."""

    kind: str  # "sqlite" | "firestore"

    def get_booking(self, number: str) -> Booking | None: ...

    def claim_due(
        self, worker_id: str, limit: int, lease: timedelta, *, now: datetime | None = None
    ) -> list[NotificationTask]:
        """Claim up to *limit* due tasks (pending and due, or processing with an expired lease)
        with conditional writes. Returned tasks are ``processing``, leased to *worker_id*, with
        ``attempts`` already incremented. Malformed documents met on the way are turned
        ``dead`` with a readable ``lastError`` and not returned."""

    def complete(
        self,
        task: NotificationTask,
        worker_id: str,
        outcome: DeliveryOutcome,
        *,
        now: datetime | None = None,
    ) -> bool:
        """Mark completed and update the booking's emailStatus/emailSentAt/qrCodeGenerated in
        one commit, only if *worker_id* still holds the lease. False if the lease was lost."""

    def fail_transient(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        next_attempt_at: datetime,
        *,
        now: datetime | None = None,
    ) -> bool:
        """Back to pending with nextAttemptAt; conditional on the lease."""

    def fail_permanent(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        *,
        now: datetime | None = None,
    ) -> bool:
        """To dead (and the booking's emailStatus to failed); conditional on the lease."""

    def release(self, worker_id: str, *, now: datetime | None = None) -> int:
        """Return every task leased to *worker_id* to pending, due now. Returns the count."""

    def watch_due(self, wake: Callable[[], None]) -> Subscription:
        """Call *wake* (on a background thread) when a task may have become due."""

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` if the store cannot be reached."""


@runtime_checkable
class Quotas(Protocol):
    """Shared send quotas, counted over a rolling 24 hours across every desk and worker."""

    def reserve_quota(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None:
        """Atomically hold one unit of *transport*'s quota of *limit* in the rolling 24 hours
        before a send; None, and nothing held, when the quota is spent."""

    def release_quota(self, unit: QuotaUnit) -> None:
        """Give back a unit whose message the server did not accept."""

    def quota_counts(self, transport: str, *, now: datetime | None = None) -> dict[datetime, int]:
        """Units counted per hour (bucket start) still in the window at *now*."""

    def quota_used(self, transport: str, *, now: datetime | None = None) -> int: ...


@runtime_checkable
class QueueAdmin(Protocol):
    """The supervisor's console: list and watch the queue, retry, cancel, fix, audit."""

    def get_task(self, task_id: str) -> NotificationTask | None: ...

    def list_tasks(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[NotificationTask]:
        """Newest first."""

    def list_task_rows(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[TaskRow]:
        """``list_tasks`` as table rows, newest first, without reading whole documents."""

    def watch_task_rows(self, callback: Callable[[TaskRowBatch], None]) -> Subscription:
        """``watch_tasks`` as table rows: the first call delivers every task (``complete``)."""

    def retry_tasks(
        self,
        listed: Sequence[tuple[str, int | None]],
        *,
        operator: str,
        audit_id: str | None = None,
        filter: TaskFilter | None = None,
        requested: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """A supervisor's retry of each ``(task id, version)``: due now with a fresh attempt
        budget, if its state allows (``task_rules.retry``) and it is still at the version it
        was listed with (None: whatever version it is at). A task that changed meanwhile is
        skipped, not overwritten. Every call with the same *audit_id* adds its ids and counts
        to one audit entry (a bulk retry sent in batches is one action). Returns how many
        were retried."""

    def cancel_tasks(
        self, ids: Sequence[str], *, operator: str, now: datetime | None = None
    ) -> int: ...

    def update_recipient(
        self, task_id: str, email: str, *, operator: str, now: datetime | None = None
    ) -> NotificationTask:
        """Fix the address (task and booking) and make the task due now; audited."""

    def audit_log(self, *, limit: int = 500) -> list[AuditEntry]: ...

    def record_audit(
        self,
        operator: str,
        action: str,
        task_ids: Iterable[str] = (),
        *,
        filter: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry: ...


@dataclass(frozen=True)
class BoardFigures:
    """The kiosk board's reads of the queue (``QueueHealth.board_figures``)."""

    live: LiveCounts  # pending (the unstated among them), processing, retrying, oldest due
    dead: int
    bounced: int
    failures: list[datetime]  # when each task now dead went dead, since the window's start
    sent: list[datetime]  # completedAt of each task sent since the window's start
    sent_today: int


@runtime_checkable
class QueueHealth(Protocol):
    """What the kiosk and ``queue stats`` read: figures only."""

    def queue_stats(self, *, now: datetime | None = None) -> QueueStats:
        """Every state's count (``queue stats``); the board reads ``board_figures``."""

    def board_figures(self, *, now: datetime, today: datetime, window: datetime) -> BoardFigures:
        """What the kiosk's board shows, in as few reads of the queue as the store can:
        the unfinished tasks listed and counted (``board_figures.live_counts``), the dead
        and bounced counted, the failures and sends since *window* one by one, the sends
        since *today* counted."""

    def sent_since(self, since: datetime) -> list[datetime]:
        """completedAt of tasks completed since *since* (for sends/hour and the sparkline)."""

    def sent_count_since(self, since: datetime) -> int:
        """How many tasks were completed since *since* (sent today: counted, not listed)."""

    def failures_since(self, since: datetime) -> list[datetime]:
        """When each task now dead went dead, for those since *since* (the failure rate)."""

    def workers(self, *, seen_since: datetime | None = None) -> list[WorkerInfo]:
        """Every heartbeat on record; with *seen_since*, those last heard from since then."""

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` if the store cannot be reached."""


@runtime_checkable
class Housekeeping(Protocol):
    """Heartbeats, purging, reachability: the engine's background jobs."""

    def heartbeat(self, info: WorkerInfo) -> None: ...

    def purge_finished(
        self,
        older_than: timedelta | None,
        *,
        dead_older_than: timedelta | None = None,
        now: datetime | None = None,
    ) -> int:
        """Delete completed/cancelled tasks finished longer ago than *older_than*, and dead
        or bounced ones that went so longer ago than *dead_older_than*; None keeps them."""

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` if the store cannot be reached."""

    def close(self) -> None: ...


@runtime_checkable
class EngineStore(QueueEngine, Quotas, Housekeeping, Protocol):
    """What the drain engine's process holds: the worker's role and its background jobs."""

    kind: str  # "sqlite" | "firestore"


@dataclass(frozen=True)
class Erasure:
    """What "Erase this client" cleaned. ``traces`` (the person's name, address, phone,
    plate as they were) stays in memory, for the outbox folder: it is never written."""

    bookings: list[str]
    task_ids: list[str]
    audit_id: str
    traces: frozenset[str] = frozenset()


@runtime_checkable
class PersonalData(Protocol):
    """The site's retention figures and the purges and erasures that apply them; the rules
    of what is removed are the domain's (``booking_rules.anonymise``, ``personal_data``)."""

    def site_retention(self) -> dict[str, Any] | None:
        """The figures an admin set for the whole site, or None while nobody has."""

    def set_site_retention(
        self, figures: dict[str, int], *, operator: str, now: datetime | None = None
    ) -> None:
        """Store the site's figures, audited in the same commit."""

    def claim_purge(self, last_before: datetime, *, now: datetime | None = None) -> bool:
        """True, with *now* recorded as the site's last purge, when the last one was before
        *last_before* (or never ran): one machine of the site purges, the others skip."""

    def anonymise_departed(
        self, departed_before: datetime, *, operator: str, now: datetime | None = None
    ) -> list[str]:
        """Anonymise every booking that departed before *departed_before* and still holds
        personal data; the numbers of those changed."""

    def erase_client(
        self,
        numbers: Sequence[str],
        emails: Sequence[str],
        *,
        operator: str,
        now: datetime | None = None,
    ) -> Erasure:
        """Remove the person's data from the bookings *numbers* and every booking, task and
        audit entry with one of *emails* (any case) or one of their traces; one audit entry
        naming the bookings and *operator*, without the data."""


@runtime_checkable
class Store(
    BookingStore, QueueEngine, Quotas, QueueAdmin, QueueHealth, Housekeeping, PersonalData, Protocol
):
    """A whole backend: every role. Only start-up code (opening the store, the desk's
    context, the CLI) holds one; everything else takes a role."""

    kind: str  # "sqlite" | "firestore"


@runtime_checkable
class ScanUndo(Protocol):
    """The desk's "Undo" of a check-in or check-out within the shift."""

    def undo_scan(
        self, number: str, *, operator: str, not_before: datetime, now: datetime | None = None
    ) -> Booking:
        """``booking_rules.undo_scan`` on the booking as stored (refused with
        ``error.nothing_to_undo`` / ``error.undo_too_late``), audited in the same commit."""


@runtime_checkable
class ShiftActivity(Protocol):
    """What the shift report reads (``services/shift_report.py`` makes the figures)."""

    def bookings_changed_since(self, since: datetime) -> list[Booking]:
        """Every booking whose ``updatedAt`` is at or after *since*."""

    def audit_between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        """Audit entries with ``start <= at < end``, oldest first."""

    def failed_tasks_between(self, start: datetime, end: datetime) -> list[NotificationTask]:
        """Tasks now dead or bounced that went so with ``start <= when < end``."""
