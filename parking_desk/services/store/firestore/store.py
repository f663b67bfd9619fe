"""The Firestore backend of the ``Store`` contract: the real deployment, shared by every
desk and worker. The parts live next to this file (bookings, claims, the normaliser, the
supervisor's actions); this module assembles them and holds the housekeeping.

Every query, reviewed by hand against production's index rules (the emulator serves any
query without an index, so nothing else would catch a missing one). Single-field indexes
are automatic and equality-only filters are served by merging them; the composite ones
are in ``resources/firestore.indexes.json``.

emailQueue
  status == pending, nextAttemptAt <= t, order by nextAttemptAt
      claim_due, queue_stats (oldest due)       composite (status, nextAttemptAt)
  status == processing, leaseExpiresAt <= t, order by leaseExpiresAt
      claim_due (expired leases)                composite (status, leaseExpiresAt)
  status == processing, leaseOwner == id
      release                                   equality only: index merge
  status == / in, createdAt range, order by createdAt desc (select(...) for rows)
      list_tasks, list_task_rows, retry_now     composite (status, createdAt desc)
  createdAt range or order, no status
      list_tasks, the normaliser's sweep        single field
  select(status, …), no filter
      the normaliser's full sweep               none (collection scan)
  status == pending, attempts > 0, count()
      queue_stats (retrying)                    composite (status, attempts)
  status == S, count(); no filter, count()
      queue_stats                               single field
  status in [...], createdAt range, count(); createdAt range, count()
      queue_stats (website documents without a state: firestore_unstated)
                                                composite (status, createdAt)
  status == completed, completedAt >= t / < t, order by completedAt
      sent_since, purge_finished                composite (status, completedAt)
  status == cancelled, updatedAt < t
      purge_finished                            composite (status, updatedAt)
  status == dead, updatedAt >= t, order by updatedAt
      failures_since                            composite (status, updatedAt)
bookings
  plate / clientNameLower / arrival / departure range, ordered by the same field
      search_bookings (one range; the rest is filtered in code)    single field
  order by createdAt desc
      search_bookings with no criterion         single field
workers
  lastHeartbeat >= t                            workers(seen_since=...): single field
auditLog
  order by at desc                              audit_log: single field
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.errors import StoreUnavailable
from parking_desk.quota import QuotaUnit
from parking_desk.services.key_ring import SigningKey
from parking_desk.services.store.base import QueueStats, WorkerInfo
from parking_desk.services.store.firestore.alerts import FirestoreAlerts
from parking_desk.services.store.firestore.bookings import FirestoreBookings
from parking_desk.services.store.firestore.claims import FirestoreClaims
from parking_desk.services.store.firestore.docs import (
    QUEUE,
    RPC,
    WORKERS,
    chunks,
    guarded,
)
from parking_desk.services.store.firestore.keys import FirestoreKeys
from parking_desk.services.store.firestore.quota import FirestoreQuota
from parking_desk.services.store.firestore.staff import FirestoreStaff
from parking_desk.services.store.firestore.supervisor import FirestoreSupervisor
from parking_desk.services.store.firestore.task_rows import FirestoreTaskRows
from parking_desk.services.store.firestore.unstated import count, oldest_unstated_age
from parking_desk.services.store.firestore.wake import FirestoreWake
from parking_desk.task import TaskState
from parking_desk.timeutil import as_utc

log = logging.getLogger(__name__)

PING_TIMEOUT = 3.0


class FirestoreStore(
    FirestoreClaims, FirestoreSupervisor, FirestoreTaskRows, FirestoreBookings, FirestoreWake
):
    kind = "firestore"

    def __init__(
        self, project: str, *, database: str = "(default)", client: Any | None = None
    ) -> None:
        try:
            self._db = client or firestore.Client(project=project, database=database)
        except auth_exc.DefaultCredentialsError as exc:
            raise StoreUnavailable(f"no Google credentials: {exc}") from exc
        self.project = project
        self.database = database
        self._init_sweeps()
        self.quota = FirestoreQuota(self._db, self._precondition)
        self.staff = FirestoreStaff(self._db)
        self.alerts = FirestoreAlerts(self._db)
        self._watches = set()
        self.ring = FirestoreKeys(self._db, self._watches)

    # --- statistics -------------------------------------------------------------------------

    @guarded
    def queue_stats(self, *, now: datetime | None = None) -> QueueStats:
        """Every count at one read time. The website's documents without a state (the
        collection's count minus the counts by state) are pending and due: until a worker's
        sweep gives them one, nothing else would count them."""
        now = self._now(now)
        col = self._db.collection(QUEUE)
        total, at = count(col)
        counts = {
            state: count(col.where(filter=FieldFilter("status", "==", str(state))), at)[0]
            for state in TaskState
        }
        unstated = max(0, total - sum(counts.values()))
        counts[TaskState.PENDING] += unstated
        retrying = count(
            col.where(filter=FieldFilter("status", "==", str(TaskState.PENDING))).where(
                filter=FieldFilter("attempts", ">", 0)
            ),
            at,
        )[0]
        head = (
            col.where(filter=FieldFilter("status", "==", str(TaskState.PENDING)))
            .where(filter=FieldFilter("nextAttemptAt", "<=", now))
            .order_by("nextAttemptAt")
            .limit(1)
        )
        oldest = None
        for snap in head.stream(**RPC):
            due = as_utc(snap.get("nextAttemptAt"))
            oldest = max(timedelta(0), now - due) if due else None
        if unstated:
            waiting = oldest_unstated_age(col, now, at)
            oldest = max(oldest, waiting) if oldest is not None else waiting
        return QueueStats(counts=counts, retrying=retrying, oldest_due_age=oldest)

    @guarded
    def sent_since(self, since: datetime) -> list[datetime]:
        q = (
            self._db.collection(QUEUE)
            .where(filter=FieldFilter("status", "==", str(TaskState.COMPLETED)))
            .where(filter=FieldFilter("completedAt", ">=", since))
            .order_by("completedAt")
            .select(["completedAt"])
        )
        return [at for s in q.stream(**RPC) if (at := as_utc(s.get("completedAt")))]

    @guarded
    def failures_since(self, since: datetime) -> list[datetime]:
        """A dead task's ``updatedAt`` is when it died: nothing writes it again until a
        supervisor retries it, which takes it out of ``dead``."""
        q = (
            self._db.collection(QUEUE)
            .where(filter=FieldFilter("status", "==", str(TaskState.DEAD)))
            .where(filter=FieldFilter("updatedAt", ">=", since))
            .order_by("updatedAt")
            .select(["updatedAt"])
        )
        return [at for s in q.stream(**RPC) if (at := as_utc(s.get("updatedAt")))]

    # --- workers, quotas, housekeeping -----------------------------------------------------

    @guarded
    def heartbeat(self, info: WorkerInfo) -> None:
        self._db.collection(WORKERS).document(info.worker_id).set(
            {
                "workerId": info.worker_id,
                "host": info.host,
                "pid": info.pid,
                "kind": info.kind,
                "startedAt": info.started_at,
                "lastHeartbeat": info.last_heartbeat,
                "sentTotal": info.sent_total,
                "state": info.state,
            },
            **RPC,
        )

    @guarded
    def workers(self, *, seen_since: datetime | None = None) -> list[WorkerInfo]:
        col: Any = self._db.collection(WORKERS)
        if seen_since is not None:
            col = col.where(filter=FieldFilter("lastHeartbeat", ">=", seen_since))
        out = []
        for snap in col.stream(**RPC):
            d = snap.to_dict() or {}
            try:
                started, beat = as_utc(d.get("startedAt")), as_utc(d.get("lastHeartbeat"))
                if started is None or beat is None:
                    raise ValueError("no startedAt or lastHeartbeat")
                out.append(
                    WorkerInfo(
                        worker_id=snap.id,
                        host=str(d.get("host") or ""),
                        pid=int(d.get("pid") or 0),
                        kind=str(d.get("kind") or "worker"),
                        started_at=started,
                        last_heartbeat=beat,
                        sent_total=int(d.get("sentTotal") or 0),
                        state=str(d.get("state") or "running"),
                    )
                )
            except (TypeError, ValueError) as exc:
                log.warning("worker document %s unreadable: %s", snap.id, exc)
        return sorted(out, key=lambda w: w.worker_id)

    # The sending quota: a rolling 24 hours in hour buckets (``parking_desk.quota``), kept by
    # ``self.quota``; a unit is reserved before a send and given back unless it went out.
    @guarded
    def reserve_quota(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None:
        return self.quota.reserve(transport, limit, now=now)

    @guarded
    def release_quota(self, unit: QuotaUnit) -> None:
        self.quota.release(unit)

    @guarded
    def quota_counts(self, transport: str, *, now: datetime | None = None) -> dict[datetime, int]:
        return self.quota.counts(transport, now=now)

    @guarded
    def quota_used(self, transport: str, *, now: datetime | None = None) -> int:
        return sum(self.quota_counts(transport, now=now).values())

    # --- the site's signing keys (firestore_keys) -------------------------------------------
    def publish_signing_key(self, key: SigningKey) -> SigningKey:
        return self.ring.publish(key)

    def signing_keys(self) -> list[SigningKey]:
        return self.ring.all()

    def revoke_signing_key(
        self, kid: str, *, revoked_by: str, at: datetime
    ) -> tuple[SigningKey | None, bool]:
        return self.ring.revoke(kid, revoked_by=revoked_by, at=at)

    def watch_signing_keys(self, callback: Callable[[list[SigningKey]], None]) -> Any:
        return self.ring.watch(callback)

    @guarded
    def purge_finished(self, older_than: timedelta, *, now: datetime | None = None) -> int:
        cutoff = self._now(now) - older_than
        col = self._db.collection(QUEUE)
        deleted = 0
        for state, field in (
            (TaskState.COMPLETED, "completedAt"),
            (TaskState.CANCELLED, "updatedAt"),
        ):
            q = (
                col.where(filter=FieldFilter("status", "==", str(state)))
                .where(filter=FieldFilter(field, "<", cutoff))
                .select([])
            )
            for part in chunks(list(q.stream(**RPC))):
                batch = self._db.batch()
                for snap in part:
                    batch.delete(snap.reference)
                batch.commit(**RPC)
                deleted += len(part)
        return deleted

    def ping(self) -> None:
        try:
            self._db.collection(WORKERS).document("_ping").get(retry=None, timeout=PING_TIMEOUT)
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError) as exc:
            raise StoreUnavailable(f"Firestore unreachable: {type(exc).__name__}") from exc

    def close(self) -> None:
        for watch in list(self._watches):
            watch.unsubscribe()
        self._db.close()
