"""Giving the website's minimal queue documents the fields the claim queries filter on.

The website's ``addToQueue`` writes ``{type, bookingNumber, clientEmail, bookingData,
createdAt}``: no ``status``, no ``nextAttemptAt``. Firestore cannot query for a missing
field, so the claim query (``status == pending AND nextAttemptAt <= now``) never sees such
a document. Options weighed:

* reading every document created since the last look (minus a margin for late writes)
  reads each of the desk's own tasks again and again, and a restart reads them all: the
  cost grows with the queue, not with the website's documents;
* a listener on the whole collection bills a read for every change to every task, the
  claims and completions of every worker included;
* chosen: *count, then read only where something is missing*. Two count aggregations over
  the same ``createdAt`` range, one of them restricted to documents that carry a state, at
  the same read time, cost one read per thousand index entries. Equal counts mean nothing
  in that range lacks a state; otherwise the range is halved until the website's documents
  make up half of a range (or the range is small), and only then is it read. Each document
  the website writes is read once, fixed once, and is usually claimed in that same write;
  the desk's own tasks are never read by the sweep. ``createdAt`` may be a timestamp,
  JavaScript epoch milliseconds or ISO text, so each form gets its own ranges.
  A periodic check over the whole collection (also at start-up, so a restart reads nothing
  when nothing is missing) catches documents whose ``createdAt`` is absent, odd, far
  outside the recent range, or whose state lacks its due time. Documents the strict reader
  rejects are turned dead on the way.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk import task_rules
from parking_desk.errors import MalformedTask
from parking_desk.services.store.firestore.docs import (
    QUEUE,
    RPC,
    Conn,
    chunks,
    parse_task,
    version_of,
)
from parking_desk.task import NotificationTask, TaskState
from parking_desk.task_rules import salvage

log = logging.getLogger(__name__)

SWEEP_SECONDS = 2.0
# A sweep that took a while (counts over a large collection, a store far away) is spaced
# out to this many times its own length, so sweeps take at most about a fifth of a busy
# drain's claims; a listener's ``want_sweep`` still asks for one at once.
SWEEP_SPACING = 4.0
# After a sweep ran out of time, the claims go on without one for this long.
SWEEP_BACKOFF_SECONDS = 30.0
FULL_CHECK_SECONDS = 60.0
# Writes that land late (slow clients, retries) are still inside the next sweep's range.
MARGIN = timedelta(seconds=60)
SWEEP_PAGE = 500
# A range with this few documents is read outright rather than counted further.
SMALL = 20
MAX_DEPTH = 40
# Ranges open towards the past are split here first: real documents are newer.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_STATES = sorted(str(s) for s in TaskState)
_LOST = (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted)
_TIMESTAMP_MIN = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Form:
    """One way the website writes ``createdAt``: a query bound for a moment in time, and
    the lowest bound of its type (range filters only match values of the same type)."""

    bound: Callable[[datetime], Any]
    lowest: Any


FORMS = (
    _Form(lambda at: at, _TIMESTAMP_MIN),
    _Form(lambda at: int(at.timestamp() * 1000), -(2**63)),
    _Form(lambda at: at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"), ""),
)


def dated(value: Any) -> bool:
    """True when ``createdAt`` has one of the forms the range queries can find."""
    if isinstance(value, datetime | str):
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return math.isfinite(value) and abs(value) < 2**63
    return False


def needs_fixing(doc: dict[str, Any]) -> bool:
    """True when a claim query could never select this document as it stands."""
    status = doc.get("status")
    if status not in _STATES or not dated(doc.get("createdAt")):
        return True
    if status == TaskState.PENDING:
        return not isinstance(doc.get("nextAttemptAt"), datetime)
    if status == TaskState.PROCESSING:
        return not isinstance(doc.get("leaseExpiresAt"), datetime)
    return False


@dataclass
class Claim:
    """Room to claim documents in the same write that fixes them (one write, not two)."""

    worker_id: str
    lease: timedelta
    room: int
    taken: list[NotificationTask] = field(default_factory=list)


class FirestoreNormaliser:
    """Finds the website's documents and gives them a state; the claims run its sweep before
    each claim, the listeners and the supervisor's raw import ask it for an early one."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._db = conn.db
        # Guards the sweep bookkeeping below; claim_due runs on several scheduler threads
        # and one sweep at a time is enough.
        self._sweep_lock = threading.Lock()
        self._last_sweep: float | None = None
        self._last_full_check: float | None = None
        self._swept_since: datetime | None = None
        self._sweep_wanted = False
        self._sweep_took = 0.0  # seconds the last sweep took

    def want_full_sweep(self) -> None:
        """Make the next claim check every document (after a write known to be raw)."""
        self._last_full_check = None

    def want_sweep(self) -> None:
        """A listener saw a document without a state: the next claim sweeps at once instead
        of waiting out ``SWEEP_SECONDS``, so the wake-up it triggers finds the task."""
        self._sweep_wanted = True

    def bury(self, snap: Any, exc: MalformedTask, now: datetime) -> None:
        """A document nobody can process goes dead with the reason, for a supervisor to read;
        it must never stop the worker that met it."""
        reason = str(exc.params.get("reason") or exc)
        log.warning("queue document %s is malformed: %s", snap.id, reason)
        fields = task_rules.bury_malformed(salvage(snap.id, snap.to_dict()), reason, now).fields
        if not dated((snap.to_dict() or {}).get("createdAt")):
            fields["createdAt"] = now  # or the supervisor's list, ordered by it, misses it
        with contextlib.suppress(*_LOST):
            snap.reference.update(fields, option=self._conn.precondition(snap.update_time), **RPC)

    def sweep(self, now: datetime, claim: Claim | None = None) -> None:
        """Fix the website's new documents, claiming into *claim* the ones it has room for."""
        if self._swept_recently():
            return
        # Wait for a sweep in progress rather than skip it: until it ends, the documents it
        # is fixing look like an empty queue.
        with self._sweep_lock:
            if self._swept_recently():
                return
            self._sweep_wanted = False
            clock = time.monotonic()
            wall = self._conn.now(None)
            full = (
                self._last_full_check is None
                or clock - self._last_full_check >= FULL_CHECK_SECONDS
                or self._swept_since is None
            )
            before = len(claim.taken) if claim else 0
            try:
                if full:
                    fixed = self._check_all(now, claim)
                else:
                    assert self._swept_since is not None  # else the check is full
                    since = self._swept_since - MARGIN
                    fixed = sum(self._find(form, since, None, 0, now, claim) for form in FORMS)
            except (gexc.DeadlineExceeded, gexc.ServiceUnavailable) as exc:
                # A slow server must not stop the claims of the desk's own tasks, which
                # need no sweep: try again later over the same range.
                log.warning("looking for new website documents failed (%s); retrying later", exc)
                self._last_sweep = clock + SWEEP_BACKOFF_SECONDS
                return
            if fixed:
                taken = (len(claim.taken) if claim else 0) - before
                log.info("gave %d new queue documents a state (%d claimed)", fixed, taken)
            self._last_sweep = clock
            # Spaced out by its length only when it found nothing: the website's documents
            # keep coming at the usual pace while they are being found.
            self._sweep_took = 0.0 if fixed else time.monotonic() - clock
            self._swept_since = wall
            if full:
                self._last_full_check = clock

    def _swept_recently(self) -> bool:
        if self._last_full_check is None or self._last_sweep is None or self._sweep_wanted:
            return False
        interval = max(SWEEP_SECONDS, SWEEP_SPACING * self._sweep_took)
        return time.monotonic() - self._last_sweep < interval

    # --- finding documents without a state -------------------------------------------------

    def _count(self, query: Any, read_time: datetime | None = None) -> tuple[int, datetime]:
        result = query.count().get(read_time=read_time, **RPC)
        return int(result[0][0].value), result[0][0].read_time

    def _check_all(self, now: datetime, claim: Claim | None) -> int:
        """The whole collection, by counts; a read only where a count says something is
        missing: a state, a readable ``createdAt``, or the due time of a state."""
        col = self._db.collection(QUEUE)
        total, at = self._count(col)
        stated, _ = self._count(col.where(filter=FieldFilter("status", "in", _STATES)), at)
        fixed = 0
        if total != stated:
            fixed += sum(self._find(form, None, None, 0, now, claim) for form in FORMS)
        typed = sum(
            self._count(col.where(filter=FieldFilter("createdAt", ">=", form.lowest)), at)[0]
            for form in FORMS
        )
        if typed != total:
            # No createdAt, or one of no usable type: only a full read finds those.
            fixed += self._read(col.order_by("__name__"), now, claim)
        for state, due_field in (
            (TaskState.PENDING, "nextAttemptAt"),
            (TaskState.PROCESSING, "leaseExpiresAt"),
        ):
            in_state = col.where(filter=FieldFilter("status", "==", str(state)))
            count, at = self._count(in_state)
            if not count:
                continue
            timed = in_state.where(filter=FieldFilter(due_field, ">=", _TIMESTAMP_MIN))
            if self._count(timed, at)[0] != count:
                fixed += self._read(in_state.order_by("__name__"), now, claim)
        return fixed

    def _find(
        self,
        form: _Form,
        low: datetime | None,
        high: datetime | None,
        depth: int,
        now: datetime,
        claim: Claim | None,
    ) -> int:
        """Fix the documents of ``createdAt`` in [*low*, *high*) that lack a state."""
        col = self._db.collection(QUEUE)
        query = col.where(
            filter=FieldFilter("createdAt", ">=", form.lowest if low is None else form.bound(low))
        )
        if high is not None:
            query = query.where(filter=FieldFilter("createdAt", "<", form.bound(high)))
        total, at = self._count(query)
        if not total:
            return 0
        # Index: emailQueue (status ASC, createdAt ASC).
        stated, _ = self._count(query.where(filter=FieldFilter("status", "in", _STATES)), at)
        missing = total - stated
        if missing <= 0:
            return 0
        halves = None
        if depth < MAX_DEPTH and total > SMALL and missing * 2 < total:
            halves = split(low, high, now)
        if halves is None:
            return self._read(query, now, claim)
        return sum(self._find(form, a, b, depth + 1, now, claim) for a, b in halves)

    def _read(self, query: Any, now: datetime, claim: Claim | None) -> int:
        snaps = [s for s in stream_pages(query) if needs_fixing(s.to_dict() or {})]
        return sum(self._fix(part, now, claim) for part in chunks(snaps))

    def _fix(self, snaps: list[Any], now: datetime, claim: Claim | None) -> int:
        """Fix a batch of documents, each write conditioned on the snapshot just read: one
        that another worker fixed first is lost alone (``Conn.commit_conditioned``). A due one
        is claimed in the same write while *claim* has room."""
        writes: list[tuple[Any, dict[str, Any], Any, NotificationTask | None]] = []
        room = claim.room - len(claim.taken) if claim else 0
        for snap in snaps:
            try:
                task = parse_task(snap)
                fields = fixed_fields(task, snap.to_dict(), now)
            except MalformedTask as exc:
                self.bury(snap, exc, now)
                continue
            taken = None
            due = fields.get("nextAttemptAt")
            if claim and room > 0 and isinstance(due, datetime) and due <= now:
                leased = task_rules.claim(task, claim.worker_id, claim.lease, now)
                taken = leased.task
                fields.update(leased.fields)
                room -= 1
            writes.append((snap.reference, fields, snap.update_time, taken))
        landed = self._conn.commit_conditioned(writes)
        for taken, result in landed:
            if taken is not None and claim is not None:
                taken.version = version_of(result.update_time)
                claim.taken.append(taken)
        return len(landed)


def split(
    low: datetime | None, high: datetime | None, now: datetime
) -> list[tuple[datetime | None, datetime | None]] | None:
    """Two halves of [*low*, *high*), or None when the range cannot usefully be split."""
    if high is None:
        cut = now + timedelta(seconds=1)
        if low is not None and low >= cut:
            return None  # stamped by a clock running ahead: rare, read outright
    elif low is None:
        if high <= EPOCH:
            return None
        cut = EPOCH
    else:
        if high - low < timedelta(milliseconds=2):
            return None
        cut = low + (high - low) / 2
    return [(low, cut), (cut, high)]


def stream_pages(query: Any, page: int | None = None) -> Iterator[Any]:
    """The query's documents in pages, each request under its own deadline: one stream of
    a few thousand documents outlasts a single RPC deadline on a busy server, and a sweep
    that never finishes would stop every claim behind it."""
    size = page or SWEEP_PAGE
    last = None
    while True:
        q = query.limit(size)
        if last is not None:
            q = q.start_after(last)
        snaps = list(q.stream(**RPC))
        yield from snaps
        if len(snaps) < size:
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
        fields["nextAttemptAt"] = task_rules.due_since(task, now)
    elif task.status == TaskState.PROCESSING:
        fields["leaseExpiresAt"] = task.lease_expires_at or now
    if not dated(doc.get("createdAt")):
        # Without it the document would be missing from every list ordered by creation.
        fields["createdAt"] = now
    return fields
