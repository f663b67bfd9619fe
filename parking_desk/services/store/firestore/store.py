"""The Firestore backend of the ``Store`` contract: the real deployment, shared by every
desk and worker. The parts live next to this file, each given the one connection
(``docs.Conn``): bookings, the worker's claims, the normaliser of the website's documents,
the supervisor's actions, the table's rows, the wake-up, the health figures, the quota, the
signing keys, staff and alerts. This module assembles them and passes each call on.

Every query, reviewed by hand against production's index rules (the emulator serves any
query without an index, so nothing else would catch a missing one). Single-field indexes
are automatic and equality-only filters are served by merging them; the composite ones
are in ``resources/firestore.indexes.json``.

Each query names the part that runs it.

emailQueue
  status == pending, nextAttemptAt <= t, order by nextAttemptAt
      claims: claim_due; health: queue_stats (oldest due)
                                                composite (status, nextAttemptAt)
  status == processing, leaseExpiresAt <= t, order by leaseExpiresAt
      claims: claim_due (expired leases)        composite (status, leaseExpiresAt)
  status == pending / processing, nextAttemptAt / leaseExpiresAt >= lowest, count()
      normaliser: the full check (a state without its due time)
                                                the two composites above
  status == processing, leaseOwner == id
      claims: release                           equality only: index merge
  status == / in, createdAt range, order by createdAt desc (select(...) for rows)
      supervisor: list_tasks; rows: list_task_rows, retry_tasks
                                                composite (status, createdAt desc)
  createdAt range or order, no status
      supervisor: list_tasks; rows: list_task_rows; normaliser: the sweep
                                                single field
  status in [...], createdAt range, count()
      normaliser: the sweep; health: queue_stats (website documents without a state,
      unstated.py)                              composite (status, createdAt)
  order by __name__, no filter; status == S, order by __name__ (pages)
      normaliser: the full check, only where a count says something is missing
                                                none (collection scan) / single field
  status == pending, attempts > 0, count()
      health: queue_stats (retrying)            composite (status, attempts)
  status == S or in [...], count(); createdAt >= lowest, count(); no filter, count()
      health: queue_stats; normaliser: the full check
                                                single field
  status == completed, completedAt >= t / < t, order by completedAt
      health: sent_since, purge_finished        composite (status, completedAt)
  status == cancelled, updatedAt < t
      health: purge_finished                    composite (status, updatedAt)
  status == dead, updatedAt >= t, order by updatedAt
      health: failures_since                    composite (status, updatedAt)
  status == pending, order by updatedAt desc, limit 1 (listener)
      wake: watch_due (a retried task)          composite (status, updatedAt desc)
  createdAt >= lowest timestamp, order by createdAt desc, limit 1 (listener)
      wake: watch_due (the newest task)         single field
  bookingNumber in [number, int(number)]
      bookings: set_booking_status (cancel), amend_booking (the waiting tasks)
                                                single field
  order by __name__, select(...) (pages)
      rows: watch_task_rows (the whole queue listed, a desk with no table kept yet)
                                                none (collection scan)
  updatedAt >= t, order by updatedAt (select(...), pages); updatedAt >= t (listener)
      rows: watch_task_rows_since; cached_rows: the table kept on the desk
                                                single field
  createdAt >= t (listener)
      rows: the table's new documents (the website's have no updatedAt)
                                                single field
  order by __name__, select([]) (keys only, pages)
      cached_rows: the reconciliation of the kept table; board_tally: the ids, when
      a count says the tally is off              none (collection scan)
  order by __name__, select(...) (pages); updatedAt >= t, select(...); no filter,
  count(); updatedAt >= lowest timestamp, count() and order by updatedAt (pages)
      board_tally: the kiosk's tally, built, followed and checked
                                                none / single field
bookings
  plate / clientNameLower / arrival / departure range, ordered by the same field
      bookings: search_bookings (one range; the rest is filtered in code)
                                                single field
  order by createdAt desc
      bookings: search_bookings with no criterion
                                                single field
workers
  lastHeartbeat >= t                            health: workers(seen_since=...): single field
auditLog
  order by at desc                              supervisor: audit_log: single field
  action == erase_client (listener)             cached_rows: erasures: single field

The quota, staff, signing keys and the purge's claim (``siteSettings/purge``, also listened
to by ``cached_rows``) are read by document id (and the keys' collection by a listener with
no filter); the alerts' queries are reviewed in ``alerts.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from google.auth import exceptions as auth_exc
from google.cloud import firestore

from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import StoreUnavailable
from parking_desk.quota import QuotaUnit
from parking_desk.services.key_ring import SigningKey
from parking_desk.services.store.base import (
    AuditEntry,
    BoardFigures,
    BookingQuery,
    DeliveryOutcome,
    Erasure,
    QueueStats,
    Subscription,
    TaskRow,
    TaskRowBatch,
    WorkerInfo,
)
from parking_desk.services.store.firestore.alerts import FirestoreAlerts
from parking_desk.services.store.firestore.bookings import FirestoreBookings
from parking_desk.services.store.firestore.bounces import FirestoreBounces, FirestoreSuppressions
from parking_desk.services.store.firestore.claims import FirestoreClaims
from parking_desk.services.store.firestore.docs import Conn
from parking_desk.services.store.firestore.health import FirestoreHealth
from parking_desk.services.store.firestore.keys import FirestoreKeys
from parking_desk.services.store.firestore.normalise import FirestoreNormaliser
from parking_desk.services.store.firestore.personal_data import FirestorePersonalData
from parking_desk.services.store.firestore.quota import FirestoreQuota
from parking_desk.services.store.firestore.shift_activity import FirestoreShiftActivity
from parking_desk.services.store.firestore.staff import FirestoreStaff
from parking_desk.services.store.firestore.supervisor import FirestoreSupervisor
from parking_desk.services.store.firestore.task_rows import FirestoreTaskRows
from parking_desk.services.store.firestore.wake import FirestoreWake
from parking_desk.services.store.row_cache import row_cache_path
from parking_desk.task import LastError, NotificationTask, TaskFilter, TaskType


class FirestoreStore:
    """Every role of the contract over one Firestore client. Each method hands the call to
    the part that owns it; the parts map Firestore's errors to ``StoreUnavailable``."""

    kind = "firestore"

    def __init__(
        self, project: str, *, database: str = "(default)", client: Any | None = None
    ) -> None:
        try:
            db = client or firestore.Client(project=project, database=database)
        except auth_exc.DefaultCredentialsError as exc:
            raise StoreUnavailable(f"no Google credentials: {exc}") from exc
        self.project = project
        self.database = database
        self.conn = Conn(db)
        self.normaliser = FirestoreNormaliser(self.conn)
        self.bookings = FirestoreBookings(self.conn)
        self.claims = FirestoreClaims(self.conn, self.normaliser)
        self.supervisor = FirestoreSupervisor(self.conn, self.normaliser)
        self.rows = FirestoreTaskRows(self.conn, self.normaliser)
        self.wakeup = FirestoreWake(self.conn, self.normaliser)
        self.health = FirestoreHealth(self.conn)
        self.quota = FirestoreQuota(db, self.conn.precondition)
        self.ring = FirestoreKeys(db, self.conn.watches)
        self.staff = FirestoreStaff(db)
        self.alerts = FirestoreAlerts(db)
        self.bounces = FirestoreBounces(self.conn)
        self.suppressions = FirestoreSuppressions(self.conn)
        self.personal = FirestorePersonalData(self.conn)
        self.shift = FirestoreShiftActivity(self.conn)

    # --- bookings (bookings.py) ------------------------------------------------------------

    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        return self.bookings.create_booking(booking, task_type=task_type, now=now)

    def get_booking(self, number: str) -> Booking | None:
        return self.bookings.get_booking(number)

    def search_bookings(self, query: BookingQuery) -> list[Booking]:
        return self.bookings.search_bookings(query)

    def set_booking_status(
        self,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        now: datetime | None = None,
        desk: str = "",
    ) -> Booking:
        return self.bookings.set_booking_status(number, to, operator=operator, now=now, desk=desk)

    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        return self.bookings.amend_booking(number, changes, operator=operator, now=now)

    def enqueue(
        self,
        booking_number: str,
        task_type: TaskType = TaskType.BOTH,
        *,
        operator: str = "",
        now: datetime | None = None,
    ) -> NotificationTask:
        return self.bookings.enqueue(booking_number, task_type, operator=operator, now=now)

    # --- the worker's side (claims.py, wake.py) ---------------------------------------------

    def claim_due(
        self, worker_id: str, limit: int, lease: timedelta, *, now: datetime | None = None
    ) -> list[NotificationTask]:
        return self.claims.claim_due(worker_id, limit, lease, now=now)

    def complete(
        self,
        task: NotificationTask,
        worker_id: str,
        outcome: DeliveryOutcome,
        *,
        now: datetime | None = None,
    ) -> bool:
        return self.claims.complete(task, worker_id, outcome, now=now)

    def fail_transient(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        next_attempt_at: datetime,
        *,
        now: datetime | None = None,
    ) -> bool:
        return self.claims.fail_transient(task, worker_id, error, next_attempt_at, now=now)

    def fail_permanent(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        *,
        now: datetime | None = None,
    ) -> bool:
        return self.claims.fail_permanent(task, worker_id, error, now=now)

    def release(self, worker_id: str, *, now: datetime | None = None) -> int:
        return self.claims.release(worker_id, now=now)

    def complete_many(
        self,
        done: Sequence[tuple[NotificationTask, DeliveryOutcome]],
        worker_id: str,
        *,
        now: datetime | None = None,
    ) -> bool:
        return self.claims.complete_many(done, worker_id, now=now)

    def watch_due(self, wake: Callable[[], None]) -> Subscription:
        return self.wakeup.watch_due(wake)

    # --- the sending quota (quota.py) ------------------------------------------------------
    # A rolling 24 hours in hour buckets (``parking_desk.quota``); a unit is reserved before
    # a send and given back unless it went out.

    def reserve_quota(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None:
        return self.quota.reserve(transport, limit, now=now)

    def release_quota(self, unit: QuotaUnit) -> None:
        self.quota.release(unit)

    def quota_counts(self, transport: str, *, now: datetime | None = None) -> dict[datetime, int]:
        return self.quota.counts(transport, now=now)

    def quota_used(self, transport: str, *, now: datetime | None = None) -> int:
        return sum(self.quota.counts(transport, now=now).values())

    # --- the supervisor's console (supervisor.py, task_rows.py) ----------------------------

    def import_raw_task(self, task_id: str, document: dict[str, Any]) -> None:
        """Write a queue document exactly as another writer (the website) would."""
        self.supervisor.import_raw_task(task_id, document)

    def get_task(self, task_id: str) -> NotificationTask | None:
        return self.supervisor.get_task(task_id)

    def list_tasks(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[NotificationTask]:
        return self.supervisor.list_tasks(filter, limit=limit)

    def list_task_rows(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[TaskRow]:
        return self.rows.list_task_rows(filter, limit=limit)

    def watch_task_rows(self, callback: Callable[[TaskRowBatch], None]) -> Subscription:
        return self.rows.watch_task_rows(callback)

    def keep_table_rows(self, data_folder: Path) -> Path:
        """Keep the table's rows in *data_folder* between sessions (a desk's): one file per
        project and database (``row_cache``). Nothing is read or written until the table
        opens."""
        path = row_cache_path(data_folder, self.project, self.database)
        self.rows.keep_rows(path, project=self.project, database=self.database)
        return path

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
        return self.rows.retry_tasks(
            listed,
            operator=operator,
            audit_id=audit_id,
            filter=filter,
            requested=requested,
            now=now,
        )

    def cancel_tasks(
        self, ids: Sequence[str], *, operator: str, now: datetime | None = None
    ) -> int:
        return self.supervisor.cancel_tasks(ids, operator=operator, now=now)

    def update_recipient(
        self, task_id: str, email: str, *, operator: str, now: datetime | None = None
    ) -> NotificationTask:
        return self.supervisor.update_recipient(task_id, email, operator=operator, now=now)

    def audit_log(self, *, limit: int = 500) -> list[AuditEntry]:
        return self.supervisor.audit_log(limit=limit)

    def record_audit(
        self,
        operator: str,
        action: str,
        task_ids: Iterable[str] = (),
        *,
        filter: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        return self.supervisor.record_audit(
            operator, action, task_ids, filter=filter, details=details, now=now
        )

    # --- health and housekeeping (health.py) -----------------------------------------------

    def queue_stats(self, *, now: datetime | None = None) -> QueueStats:
        return self.health.queue_stats(now=now)

    def board_figures(self, *, now: datetime, today: datetime, window: datetime) -> BoardFigures:
        return self.health.board_figures(now=now, today=today, window=window)

    def sent_since(self, since: datetime) -> list[datetime]:
        return self.health.sent_since(since)

    def sent_count_since(self, since: datetime) -> int:
        return self.health.sent_count_since(since)

    def failures_since(self, since: datetime) -> list[datetime]:
        return self.health.failures_since(since)

    def workers(self, *, seen_since: datetime | None = None) -> list[WorkerInfo]:
        return self.health.workers(seen_since=seen_since)

    def heartbeat(self, info: WorkerInfo) -> None:
        self.health.heartbeat(info)

    def purge_finished(
        self,
        older_than: timedelta | None,
        *,
        dead_older_than: timedelta | None = None,
        now: datetime | None = None,
    ) -> int:
        return self.health.purge_finished(older_than, dead_older_than=dead_older_than, now=now)

    def ping(self) -> None:
        self.health.ping()

    def close(self) -> None:
        self.conn.close()
        self.rows.close()

    # --- the site's signing keys (keys.py) -------------------------------------------------

    def publish_signing_key(self, key: SigningKey) -> SigningKey:
        return self.ring.publish(key)

    def signing_keys(self) -> list[SigningKey]:
        return self.ring.all()

    def revoke_signing_key(
        self, kid: str, *, revoked_by: str, at: datetime
    ) -> tuple[SigningKey | None, bool]:
        return self.ring.revoke(kid, revoked_by=revoked_by, at=at)

    def watch_signing_keys(self, callback: Callable[[list[SigningKey]], None]) -> Subscription:
        return self.ring.watch(callback)

    # --- personal data: retention and erasure (personal_data.py) ---------------------------

    def site_retention(self) -> dict[str, Any] | None:
        return self.personal.site_retention()

    def set_site_retention(
        self, figures: dict[str, int], *, operator: str, now: datetime | None = None
    ) -> None:
        self.personal.set_site_retention(figures, operator=operator, now=now)

    def claim_purge(self, last_before: datetime, *, now: datetime | None = None) -> bool:
        return self.personal.claim_purge(last_before, now=now)

    def anonymise_departed(
        self, departed_before: datetime, *, operator: str, now: datetime | None = None
    ) -> list[str]:
        return self.personal.anonymise_departed(departed_before, operator=operator, now=now)

    def erase_client(
        self,
        numbers: Sequence[str],
        emails: Sequence[str],
        *,
        operator: str,
        now: datetime | None = None,
    ) -> Erasure:
        erased = self.personal.erase_client(numbers, emails, operator=operator, now=now)
        self.rows.forget(erased.task_ids)  # the table kept on this desk, at once
        return erased

    # --- undoing a scan (bookings), the shift report's reads (shift_activity.py) -----------

    def undo_scan(
        self, number: str, *, operator: str, not_before: datetime, now: datetime | None = None
    ) -> Booking:
        return self.bookings.undo_scan(number, operator=operator, not_before=not_before, now=now)

    def bookings_changed_since(self, since: datetime) -> list[Booking]:
        return self.shift.bookings_changed_since(since)

    def audit_between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        return self.shift.audit_between(start, end)

    def failed_tasks_between(self, start: datetime, end: datetime) -> list[NotificationTask]:
        return self.shift.failed_tasks_between(start, end)
