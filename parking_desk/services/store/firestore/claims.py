"""The worker's side of the queue in Firestore: claims, completion, failure, release.

Claims avoid transactions: the emulator (like production under load) aborts contended
transactions ("failed to commit in 5 attempts"). Each claim is one write conditioned on the
update time of the snapshot the query returned; the claims of a batch go in one atomic
commit, and a commit refused because another worker took one of them goes again as a
BatchWrite, where each claim is won or lost alone (``Conn.commit_conditioned``).
The claimed document's new update time rides in ``task.version``, and completing demands
it unchanged — so only the worker that still holds the lease can finish the task, with no
extra read.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk import task_rules
from parking_desk.errors import MalformedTask
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.firestore.docs import (
    MAX_BATCH,
    QUEUE,
    RPC,
    Conn,
    guarded,
    parse_task,
    update_time_of,
    version_of,
    view_task,
)
from parking_desk.services.store.firestore.normalise import Claim, FirestoreNormaliser
from parking_desk.task import LastError, NotificationTask, TaskState
from parking_desk.task_rules import TaskWrite

log = logging.getLogger(__name__)

# Expired leases are rare; look for them on every call that found too little due work, and
# at least this often otherwise so a busy queue cannot starve them.
EXPIRED_CHECK_SECONDS = 10.0
# Fresh pages read after claims were lost to other workers, before settling for fewer.
CLAIM_PAGES = 3
LOST = (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted)


class FirestoreClaims:
    """The worker's side of the queue; *normaliser* sweeps the website's new documents
    before each claim, and claims the due ones in the same write."""

    def __init__(self, conn: Conn, normaliser: FirestoreNormaliser) -> None:
        self._conn = conn
        self._db = conn.db
        self._normaliser = normaliser
        # Hints, not state: a racing thread reading a stale value only changes claim order.
        self._contended = False
        self._head: datetime | None = None  # the due time at the head of the queue, last seen
        self._expired_checked = float("-inf")

    @guarded
    def claim_due(
        self, worker_id: str, limit: int, lease: timedelta, *, now: datetime | None = None
    ) -> list[NotificationTask]:
        now = self._conn.now(now)
        if limit <= 0:
            return []
        sweep = Claim(worker_id, lease, limit)
        self._normaliser.sweep(now, sweep)
        claimed = sweep.taken
        clock = time.monotonic()
        expired_due = clock - self._expired_checked >= EXPIRED_CHECK_SECONDS
        for page in range(CLAIM_PAGES):
            want = limit - len(claimed)
            if want <= 0:
                break
            try:
                won, lost, short = self._claim_page(
                    worker_id, want, lease, now, with_expired=not page and expired_due
                )
            except (gexc.DeadlineExceeded, gexc.ServiceUnavailable) as exc:
                if not claimed:
                    raise
                # Tasks already claimed are held by this worker: hand them to it rather than
                # leave them to wait out their leases.
                log.warning("a further claim page failed (%s); keeping %d", exc, len(claimed))
                break
            if not page and expired_due:
                self._expired_checked = clock
            claimed += won
            self._contended = lost > 0
            if not lost or short:
                break
        return claimed

    def _claim_page(
        self, worker_id: str, want: int, lease: timedelta, now: datetime, *, with_expired: bool
    ) -> tuple[list[NotificationTask], int, bool]:
        """Claim up to *want* due tasks from one page: (won, lost to others, page was short)."""
        col = self._db.collection(QUEUE)
        # Every document read is billed: read what is claimed, plus a quarter more while
        # other workers are taking tasks from the same head of the queue; claims lost anyway
        # are made up from a fresh page.
        window = want + (want // 4 + 1 if self._contended else 0)
        # Index: emailQueue (status ASC, nextAttemptAt ASC).
        due = (
            col.where(filter=FieldFilter("status", "==", str(TaskState.PENDING)))
            .where(filter=FieldFilter("nextAttemptAt", "<=", now))
            .order_by("nextAttemptAt")
        )
        snaps: list[Any] = []
        head = self._head
        if self._contended and head is not None and head < now:
            # Start at a random point of the due range, so that workers competing for the
            # queue take different slices of it; the head follows once the slice runs out.
            start = head + (now - head) * random.random()
            snaps = list(due.start_at({"nextAttemptAt": start}).limit(window).stream(**RPC))
        if len(snaps) < window:
            seen = {s.id for s in snaps}
            page = list(due.limit(window - len(snaps)).stream(**RPC))
            snaps += [s for s in page if s.id not in seen]
            short = len(page) < window - len(seen)
            if page:
                self._head = (page[0].to_dict() or {}).get("nextAttemptAt")
        else:
            short = False
        if with_expired or len(snaps) < want:
            # Index: emailQueue (status ASC, leaseExpiresAt ASC).
            expired = (
                col.where(filter=FieldFilter("status", "==", str(TaskState.PROCESSING)))
                .where(filter=FieldFilter("leaseExpiresAt", "<=", now))
                .order_by("leaseExpiresAt")
                .limit(want)
            )
            snaps = list(expired.stream(**RPC)) + snaps
        won, lost = self._claim_all(snaps, worker_id, want, lease, now)
        return won, lost, short

    def _claim_all(
        self, snaps: list[Any], worker_id: str, want: int, lease: timedelta, now: datetime
    ) -> tuple[list[NotificationTask], int]:
        candidates: list[tuple[Any, NotificationTask]] = []
        seen: set[str] = set()
        for snap in snaps:
            # A task that changed state between the two queries comes back from both; the
            # expired query ran first, so its snapshot (first in the list) is the fresh one.
            # One commit may not write a document twice.
            if snap.id in seen:
                continue
            seen.add(snap.id)
            try:
                task = parse_task(snap)
            except MalformedTask as exc:
                self._normaliser.bury(snap, exc, now)
                continue
            if task.is_due(now):
                candidates.append((snap, task))
        if self._contended:
            # Scattered over the page, several workers stop fighting over the same head.
            random.shuffle(candidates)
        won: list[NotificationTask] = []
        lost = 0
        while candidates and len(won) < want:
            take = min(want - len(won), MAX_BATCH)
            picks, candidates = candidates[:take], candidates[take:]
            got, missed = self._claim_batch(picks, worker_id, lease, now)
            won += got
            lost += missed
        return won, lost

    def _claim_batch(
        self,
        picks: list[tuple[Any, NotificationTask]],
        worker_id: str,
        lease: timedelta,
        now: datetime,
    ) -> tuple[list[NotificationTask], int]:
        """Claim several tasks at once, each claim conditioned on its own snapshot's update
        time, so that a task another worker took first is lost alone
        (``Conn.commit_conditioned``)."""
        writes = []
        for snap, task in picks:
            claim = task_rules.claim(task, worker_id, lease, now)
            writes.append((snap.reference, claim.fields, snap.update_time, claim.task))
        try:
            landed = self._conn.commit_conditioned(writes)
        except (gexc.DeadlineExceeded, gexc.Aborted) as exc:
            # Other workers' commits hold the same documents: none of these is ours to
            # send (a commit that did land expires with its lease and is claimed again).
            log.info("claiming %d tasks ran out of time (%s)", len(picks), type(exc).__name__)
            self._contended = True
            return [], len(picks)
        won: list[NotificationTask] = []
        for claimed, result in landed:
            claimed.version = version_of(result.update_time)
            won.append(claimed)
        if len(won) < len(picks):
            self._contended = True
            log.debug("claim of %d task(s) lost to another worker", len(picks) - len(won))
        return won, len(picks) - len(won)

    # --- finishing a claimed task ---------------------------------------------------------

    def _finish(self, task: NotificationTask, worker_id: str, write: TaskWrite) -> bool:
        """Write what a rule decided for *task* only if *worker_id* still holds its lease:
        the document unchanged since the claim, with the booking's fields in the same
        commit."""
        if task.lease_owner != worker_id:
            return False
        ref = self._db.collection(QUEUE).document(task.id)
        if task.version:
            option = self._conn.precondition(update_time_of(task.version))
        else:
            # A task object that did not come from a claim: check the lease on a fresh read.
            snap = ref.get(**RPC)
            doc = snap.to_dict() or {}
            if doc.get("leaseOwner") != worker_id or doc.get("status") != TaskState.PROCESSING:
                return False
            option = self._conn.precondition(snap.update_time)
        booking_ref = self._conn.booking_ref(task.booking_number) if write.booking else None
        for with_booking in (booking_ref is not None, False):
            batch = self._db.batch()
            batch.update(ref, write.fields, option=option)
            if with_booking:
                batch.update(booking_ref, write.booking)
            try:
                batch.commit(**RPC)
                return True
            except gexc.NotFound:
                if not with_booking:
                    return False
                # The website may queue mail for a booking kept elsewhere: finish the task.
                log.info("task %s: booking %s not found", task.id, task.booking_number)
            except LOST:
                return False
        return False

    @guarded
    def complete(
        self,
        task: NotificationTask,
        worker_id: str,
        outcome: DeliveryOutcome,
        *,
        now: datetime | None = None,
    ) -> bool:
        write = task_rules.complete(task, worker_id, outcome, self._conn.now(now))
        return self._finish(task, worker_id, write)

    @guarded
    def complete_many(
        self,
        done: Sequence[tuple[NotificationTask, DeliveryOutcome]],
        worker_id: str,
        *,
        now: datetime | None = None,
    ) -> bool:
        """Several completions in one atomic commit (``grouped.GroupedCompletions``): the
        fields ``complete`` writes, each task conditioned on the update time its claim
        left, each booking's fields beside it. Nothing is written (False) when one of them
        cannot be: a lease lost, a booking kept elsewhere, a booking twice in the group."""
        at = self._conn.now(now)
        batch = self._db.batch()
        writes = 0
        bookings: set[str] = set()
        for task, outcome in done:
            if task.lease_owner != worker_id or not task.version:
                return False
            write = task_rules.complete(task, worker_id, outcome, at)
            ref = self._db.collection(QUEUE).document(task.id)
            batch.update(
                ref, write.fields, option=self._conn.precondition(update_time_of(task.version))
            )
            writes += 1
            if write.booking:
                booking_ref = self._conn.booking_ref(task.booking_number)
                if booking_ref is None or booking_ref.id in bookings:
                    return False
                bookings.add(booking_ref.id)
                batch.update(booking_ref, write.booking)
                writes += 1
        if not writes:
            return True
        if writes > MAX_BATCH:
            return False
        try:
            batch.commit(**RPC)
        except LOST:
            return False
        return True

    @guarded
    def fail_transient(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        next_attempt_at: datetime,
        *,
        now: datetime | None = None,
    ) -> bool:
        write = task_rules.fail_transient(
            task, worker_id, error, next_attempt_at, self._conn.now(now)
        )
        return self._finish(task, worker_id, write)

    @guarded
    def fail_permanent(
        self,
        task: NotificationTask,
        worker_id: str,
        error: LastError,
        *,
        now: datetime | None = None,
    ) -> bool:
        write = task_rules.fail_permanent(task, worker_id, error, self._conn.now(now))
        return self._finish(task, worker_id, write)

    @guarded
    def release(self, worker_id: str, *, now: datetime | None = None) -> int:
        now = self._conn.now(now)
        # Equality filters only: served by merging single-field indexes.
        held = (
            self._db.collection(QUEUE)
            .where(filter=FieldFilter("status", "==", str(TaskState.PROCESSING)))
            .where(filter=FieldFilter("leaseOwner", "==", worker_id))
        )
        count = 0
        for snap in held.stream(**RPC):
            write = task_rules.release(view_task(snap), worker_id, now)
            try:
                snap.reference.update(
                    write.fields, option=self._conn.precondition(snap.update_time), **RPC
                )
                count += 1
            except LOST:
                continue
        return count
