"""Giving the website's minimal queue documents the fields the claim queries filter on.

The website's ``addToQueue`` writes ``{type, bookingNumber, clientEmail, bookingData,
createdAt}``: no ``status``, no ``nextAttemptAt``. Firestore cannot query for a missing
field, so the claim query (``status == pending AND nextAttemptAt <= now``) never sees such
a document. Options weighed:

* claiming from a query over ``createdAt`` and filtering in code reads every task ever
  queued on every poll: cost grows with the queue, not with the new work;
* a listener on the whole collection sees every claim by every worker as a change:
  traffic grows with the number of workers squared;
* chosen: a *sweep* that reads only documents created since the previous sweep (minus a
  margin for late writes), projected to three small fields, and gives the few that lack a
  state ``status: pending`` and ``nextAttemptAt`` with an update-time precondition — each
  new document is fixed once, by whichever worker gets there first. ``createdAt`` may be a
  timestamp, JavaScript epoch milliseconds or ISO text, so each form gets its own range.
  A full sweep at start-up and every ``FULL_SWEEP_SECONDS`` catches documents whose
  ``createdAt`` is absent, odd, or stamped by a badly skewed browser clock. Documents the
  strict reader rejects are turned dead on the way.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch

from parking_desk.errors import MalformedTask
from parking_desk.services.store.firestore_docs import (
    MALFORMED,
    QUEUE,
    RPC,
    FirestorePart,
    chunks,
    parse_task,
)
from parking_desk.task import LastError, NotificationTask, TaskState

log = logging.getLogger(__name__)

SWEEP_SECONDS = 2.0
FULL_SWEEP_SECONDS = 1800.0
# Writes that land late (slow clients, retries) are still inside the next sweep's range.
MARGIN = timedelta(seconds=60)
SWEEP_PAGE = 500
PROJECTION = ["status", "nextAttemptAt", "leaseExpiresAt", "createdAt"]
_STATES = {str(s) for s in TaskState}
_LOST = (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted)


def needs_fixing(doc: dict[str, Any]) -> bool:
    """True when a claim query could never select this document as it stands."""
    status = doc.get("status")
    if status not in _STATES or doc.get("createdAt") is None:
        return True
    if status == TaskState.PENDING:
        return not isinstance(doc.get("nextAttemptAt"), datetime)
    if status == TaskState.PROCESSING:
        return not isinstance(doc.get("leaseExpiresAt"), datetime)
    return False


class FirestoreNormaliser(FirestorePart):
    # Guards the sweep bookkeeping below; claim_due runs on several scheduler threads and
    # one sweep at a time is enough (the others skip it rather than wait).
    _sweep_lock: threading.Lock
    _last_sweep: float | None = None
    _last_full_sweep: float | None = None
    _swept_since: datetime | None = None

    def _init_sweeps(self) -> None:
        self._sweep_lock = threading.Lock()

    _sweep_wanted = False

    def want_full_sweep(self) -> None:
        """Make the next claim look at every document (after a write known to be raw)."""
        self._last_full_sweep = None

    def want_sweep(self) -> None:
        """A listener saw a document without a state: the next claim sweeps at once instead
        of waiting out ``SWEEP_SECONDS``, so the wake-up it triggers finds the task."""
        self._sweep_wanted = True

    def _bury(self, snap: Any, exc: MalformedTask, now: datetime) -> None:
        """A document nobody can process goes dead with the reason, for a supervisor to read;
        it must never stop the worker that met it."""
        reason = exc.translated("en")
        log.warning("queue document %s is malformed: %s", snap.id, reason)
        fields: dict[str, Any] = {
            "status": str(TaskState.DEAD),
            "lastError": LastError(MALFORMED, reason, True).to_document(),
            "leaseOwner": None,
            "leaseExpiresAt": None,
            "updatedAt": now,
        }
        if (snap.to_dict() or {}).get("createdAt") is None:
            fields["createdAt"] = now  # or the supervisor's list, ordered by it, misses it
        with contextlib.suppress(*_LOST):
            snap.reference.update(fields, option=self._precondition(snap.update_time), **RPC)

    def _normalise_new(self, now: datetime) -> None:
        if self._swept_recently():
            return
        # Wait for a sweep in progress rather than skip it: until it ends, the documents it
        # is fixing look like an empty queue.
        with self._sweep_lock:
            if self._swept_recently():
                return
            self._sweep_wanted = False
            clock = time.monotonic()
            wall = self._now(None)
            full = (
                self._last_full_sweep is None
                or clock - self._last_full_sweep >= FULL_SWEEP_SECONDS
                or self._swept_since is None
            )
            col = self._db.collection(QUEUE)
            if full:
                queries = [col.select(PROJECTION).order_by("__name__")]
            else:
                since = self._swept_since - MARGIN
                millis = int(since.timestamp() * 1000)
                queries = [
                    col.where(filter=FieldFilter("createdAt", ">=", value)).select(PROJECTION)
                    for value in (since, millis, since.isoformat().replace("+00:00", ""))
                ]
            refs = {
                snap.id: snap.reference
                for q in queries
                for snap in stream_pages(q)
                if needs_fixing(snap.to_dict() or {})
            }
            fixed = sum(self._fix(part, now) for part in chunks(list(refs.values())))
            if fixed:
                log.info("gave %d new queue documents a state", fixed)
            self._last_sweep = clock
            self._swept_since = wall
            if full:
                self._last_full_sweep = clock

    def _swept_recently(self) -> bool:
        if self._last_full_sweep is None or self._last_sweep is None or self._sweep_wanted:
            return False
        return time.monotonic() - self._last_sweep < SWEEP_SECONDS

    def _fix(self, refs: list[Any], now: datetime) -> int:
        """Fix a batch of documents in one BatchWrite call, each write conditioned on its own
        read: one that another worker fixed first is simply lost, the rest go through."""
        batch = BulkWriteBatch(self._db)
        count = 0
        for snap in self._db.get_all(refs, **RPC):
            if not snap.exists or not needs_fixing(snap.to_dict() or {}):
                continue
            try:
                fields = fixed_fields(parse_task(snap), snap.to_dict(), now)
            except MalformedTask as exc:
                self._bury(snap, exc, now)
                continue
            batch.update(snap.reference, fields, option=self._precondition(snap.update_time))
            count += 1
        if not count:
            return 0
        response = batch.commit(**RPC)
        return sum(1 for status in response.status if status.code == 0)


def stream_pages(query: Any, page: int = SWEEP_PAGE) -> Any:
    """The query's documents in pages, each request under its own deadline: one stream of
    a few thousand documents outlasts a single RPC deadline on a busy server, and a sweep
    that never finishes would stop every claim behind it."""
    last = None
    while True:
        q = query.limit(page)
        if last is not None:
            q = q.start_after(last)
        snaps = list(q.stream(**RPC))
        yield from snaps
        if len(snaps) < page:
            return
        last = snaps[-1]


def fixed_fields(task: NotificationTask, doc: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The fields that make a readable document visible to the claim and list queries."""
    fields: dict[str, Any] = {
        "status": str(task.status),
        "attempts": task.attempts,
        "maxAttempts": task.max_attempts,
        "updatedAt": now,
    }
    if task.status == TaskState.PENDING:
        # Due from its creation; a browser clock running ahead must not delay it.
        fields["nextAttemptAt"] = task.next_attempt_at or min(task.created_at or now, now)
    elif task.status == TaskState.PROCESSING:
        fields["leaseExpiresAt"] = task.lease_expires_at or now
    if doc.get("createdAt") is None:
        # Without it the document would be missing from every list ordered by creation.
        fields["createdAt"] = now
    return fields
