"""Bookings in Firestore: allocation of numbers, search, check-in/out, amendments, resends.

A booking and the queue task that announces it always travel in the same commit (the
outbox rule), so no booking ever exists without its confirmation in the queue.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import NotFound, StoreUnavailable
from parking_desk.search_text import lookup_token
from parking_desk.services.store.base import BookingQuery
from parking_desk.services.store.booking_match import matches, newest_first, number_text
from parking_desk.services.store.firestore.docs import (
    AUDIT,
    BOOKINGS,
    QUEUE,
    RPC,
    Conn,
    guarded,
)
from parking_desk.task import NotificationTask, TaskType
from parking_desk.task_rules import read_task
from parking_desk.validation import normalise_plate, validate_booking

log = logging.getLogger(__name__)

# A random number collides rarely until the space fills; give up long before it hurts.
NUMBER_TRIES = 20

# What a stay needs to hold a place (``BookingQuery.stays_only``), and its order.
STAY_FIELDS = [
    "bookingNumber",
    "status",
    "arrival",
    "departure",
    "checkedInAt",
    "checkedOutAt",
    "createdAt",
]


def outcome_unknown(exc: BaseException) -> bool:
    """A commit that ran out of time may still be applied; one refused as UNAVAILABLE was
    not (the client library itself retries commits on it), nor is any other answer."""
    if isinstance(exc, gexc.RetryError):
        exc = exc.cause or exc
    return isinstance(exc, gexc.DeadlineExceeded)


class FirestoreBookings:
    """The desk's bookings, each change written with its queue's side in one commit."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._db = conn.db

    def _task_ref(self, task_id: str | None = None) -> Any:
        col = self._db.collection(QUEUE)
        return col.document(task_id) if task_id else col.document()

    @guarded
    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = self._conn.now(now)
        validate_booking(booking)  # before any number is drawn
        for _ in range(NUMBER_TRIES):
            number = str(100000 + secrets.randbelow(900000))
            change = booking_rules.create(booking, number, "", now, task_type)
            saved, task = change.booking, change.queued
            assert task is not None
            batch = self._db.batch()
            # create() fails the whole batch if the number is taken: no hot counter needed.
            batch.create(self._db.collection(BOOKINGS).document(number), saved.to_document())
            batch.set(self._task_ref(task.id), task.to_document())
            try:
                batch.commit(**RPC)
            except gexc.AlreadyExists:
                log.info("booking number %s taken, drawing another", number)
                continue
            except (gexc.DeadlineExceeded, gexc.RetryError) as exc:
                # The commit may still be applied once the server answers again: saying
                # "nothing was saved" could make the clerk book the client twice.
                if not outcome_unknown(exc):
                    raise
                if not self._landed(number, saved):
                    raise StoreUnavailable(
                        str(exc), code="error.save_unconfirmed", number=number
                    ) from exc
            return saved, task
        raise StoreUnavailable(f"no free booking number after {NUMBER_TRIES} tries")

    def _landed(self, number: str, saved: Booking) -> bool:
        """After a commit whose outcome is unknown: is our booking there after all?"""
        try:
            # A short look: the clerk is waiting, and an unknown answer is said as such.
            snap = self._db.collection(BOOKINGS).document(number).get(retry=None, timeout=3.0)
        except gexc.GoogleAPIError:
            return False
        doc = (snap.to_dict() or {}) if snap.exists else {}
        return (
            bool(doc)
            and doc.get("createdAt") == saved.created_at
            and (doc.get("clientEmail") == saved.client_email)
        )

    @guarded
    def get_booking(self, number: str) -> Booking | None:
        return self._read(number)

    def _read(self, number: str) -> Booking | None:
        snap = self._db.collection(BOOKINGS).document(str(number).strip()).get(**RPC)
        return self._booking(snap)

    def _booking(self, snap: Any) -> Booking | None:
        if not snap.exists:
            return None
        try:
            return Booking.from_document(snap.to_dict(), snap.id)
        except (TypeError, ValueError) as exc:
            log.warning("booking %s unreadable: %s", snap.id, exc)
            return None

    @guarded
    def search_bookings(self, query: BookingQuery) -> list[Booking]:
        """One criterion runs in Firestore (the narrowest given), ``booking_match`` checks
        the rest here, which keeps every query on single-field indexes but one: a search
        token with the newest first. The search text runs as a number, a plate prefix, a
        name prefix (every booking, the website's too) and by its search token, merged."""
        text = query.text.strip()

        def keep(b: Booking) -> bool:
            return matches(b, query)

        found: dict[str, Booking] = {}

        def add(bookings: list[Booking]) -> None:
            for b in bookings:
                found[b.booking_number or ""] = b

        narrow = self._narrowest(query)
        if narrow is not None and query.stays_only and not (query.plate or query.name_prefix):
            # A page goes on after the last one's order field: a stay's own (dates) only.
            narrow = narrow.select(STAY_FIELDS)
        if query.number:
            add([b for b in [self._read(query.number)] if b is not None and keep(b)])
        elif narrow is not None:
            add(self._stream_bookings(narrow, query.limit, keep))
        elif text:
            number = number_text(text)
            direct = self._read(number) if number else None
            add([direct] if direct is not None and keep(direct) else [])
            plate = normalise_plate(text)
            if plate.isalnum():
                add(self._stream_bookings(self._prefix("plate", plate), query.limit, keep))
            name = " ".join(text.split()).casefold()
            add(self._stream_bookings(self._prefix("clientNameLower", name), query.limit, keep))
            token = lookup_token(text)
            if token is not None:
                by_token = (
                    self._db.collection(BOOKINGS)
                    .where(filter=FieldFilter("searchTokens", "array_contains", token))
                    .order_by("createdAt", direction=firestore.Query.DESCENDING)
                )
                add(self._stream_bookings(by_token, query.limit, keep))
        else:
            broad = self._broad(query)
            if query.stays_only:
                broad = broad.select(STAY_FIELDS)
            add(self._stream_bookings(broad, query.limit, keep))
        return newest_first(list(found.values()))[: query.limit]

    def _narrowest(self, query: BookingQuery) -> Any:
        """A query on the one criterion that selects few bookings, or None."""
        if query.plate:
            return self._prefix("plate", normalise_plate(query.plate))
        if query.name_prefix and query.name_prefix.strip():
            name = " ".join(query.name_prefix.split()).casefold()
            return self._prefix("clientNameLower", name)
        for day, field in ((query.arrival_day, "arrival"), (query.departure_day, "departure")):
            if day is not None:
                midnight = datetime.combine(day, time.min, tzinfo=UTC)
                return self._range(field, midnight, midnight + timedelta(days=1))
        for start, before, field in (
            (query.arrival_from, query.arrival_before, "arrival"),
            (query.departure_from, query.departure_before, "departure"),
        ):
            if start is not None and before is not None:
                return self._range(field, start, before)
        return None

    def _broad(self, query: BookingQuery) -> Any:
        """No narrow criterion and no text: the statuses, an open range, or everything."""
        col = self._db.collection(BOOKINGS)
        if query.statuses:
            statuses = sorted(str(s) for s in query.statuses)
            return col.where(filter=FieldFilter("status", "in", statuses))
        for value, op, field in (
            (query.departure_from, ">=", "departure"),
            (query.arrival_from, ">=", "arrival"),
            (query.departure_before, "<", "departure"),
            (query.arrival_before, "<", "arrival"),
        ):
            if value is not None:
                return col.where(filter=FieldFilter(field, op, value)).order_by(field)
        return col.order_by("createdAt", direction=firestore.Query.DESCENDING)

    def _range(self, field: str, start: datetime, before: datetime) -> Any:
        col = self._db.collection(BOOKINGS)
        return (
            col.where(filter=FieldFilter(field, ">=", start))
            .where(filter=FieldFilter(field, "<", before))
            .order_by(field)
        )

    def _prefix(self, field: str, prefix: str) -> Any:
        col = self._db.collection(BOOKINGS)
        return (
            col.where(filter=FieldFilter(field, ">=", prefix))
            .where(filter=FieldFilter(field, "<", prefix + "\uf8ff"))
            .order_by(field)
        )

    def _stream_bookings(
        self, q: Any, limit: int, keep: Callable[[Booking], bool]
    ) -> list[Booking]:
        """Up to *limit* bookings of *q* that *keep* accepts, read a page at a time (the
        check here may drop some, so one page of *limit* might not be enough)."""
        out: list[Booking] = []
        page_size = max(limit, 1) + 20
        last = None
        while len(out) < limit:
            page = q.start_after(last) if last is not None else q
            snaps = list(page.limit(page_size).stream(**RPC))
            for snap in snaps:
                booking = self._booking(snap)
                if booking is not None and keep(booking):
                    out.append(booking)
            if len(snaps) < page_size:
                break
            last = snaps[-1]
        return out[:limit]

    def _tasks_of(self, number: str) -> Any:
        """Every task of the booking (one equality filter: a single-field index). Not only
        ``status == pending``: the website's own documents carry no status until a worker
        adopts them, and may write the number as a number."""
        numbers: list[Any] = [str(number)]
        if str(number).isdigit():
            numbers.append(int(number))
        return self._db.collection(QUEUE).where(filter=FieldFilter("bookingNumber", "in", numbers))

    def _write_change(self, tx: Any, ref: Any, change: booking_rules.BookingChange) -> None:
        """The booking and its queue's side of the change, in one transaction."""
        tx.set(ref, change.booking.to_document())
        for write in change.updates:
            tx.update(self._task_ref(write.task.id), write.fields)
        if change.queued is not None:
            tx.set(self._task_ref(change.queued.id), change.queued.to_document())

    def _read_for_change(
        self, tx: Any, number: str, waiting: bool
    ) -> tuple[Any, Booking, list[NotificationTask]]:
        ref = self._db.collection(BOOKINGS).document(str(number))
        booking = self._booking(ref.get(transaction=tx))
        if booking is None:
            raise NotFound(number=number)
        tasks = []
        if waiting:
            # The rules pick the waiting ones; a document that does not parse is no
            # confirmation anybody will receive.
            for snap in self._tasks_of(number).stream(transaction=tx):
                task, reason = read_task(snap.id, snap.to_dict())
                if reason is None:
                    tasks.append(task)
        return ref, booking, tasks

    @guarded
    def set_booking_status(
        self,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        now: datetime | None = None,
        desk: str = "",
    ) -> Booking:
        now = self._conn.now(now)
        to = BookingStatus(to)

        def change(tx: Any) -> Booking:
            ref, booking, waiting = self._read_for_change(tx, number, to == BookingStatus.CANCELLED)
            done = booking_rules.change_status(booking, to, operator, now, waiting, desk)
            self._write_change(tx, ref, done)
            return done.booking

        return self._conn.transact(change)

    @guarded
    def undo_scan(
        self, number: str, *, operator: str, not_before: datetime, now: datetime | None = None
    ) -> Booking:
        """``booking_rules.undo_scan``, audited in the same transaction."""
        now = self._conn.now(now)
        audit_ref = self._db.collection(AUDIT).document()

        def undo(tx: Any) -> Booking:
            ref, booking, _ = self._read_for_change(tx, number, False)
            done = booking_rules.undo_scan(booking, operator, now, not_before)
            self._write_change(tx, ref, done)
            tx.set(
                audit_ref,
                {
                    "at": now,
                    "operator": operator,
                    "action": booking_rules.UNDO_ACTION,
                    "taskIds": [],
                    "filter": None,
                    "details": booking_rules.undo_audit(done),
                },
            )
            return done.booking

        return self._conn.transact(undo)

    @guarded
    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = self._conn.now(now)

        def amend(tx: Any) -> tuple[Booking, NotificationTask]:
            ref, booking, waiting = self._read_for_change(tx, number, True)
            done = booking_rules.amend(booking, changes, operator, now, waiting)
            self._write_change(tx, ref, done)
            return done.booking, booking_rules.announcing(done)

        return self._conn.transact(amend)

    @guarded
    def enqueue(
        self,
        booking_number: str,
        task_type: TaskType = TaskType.BOTH,
        *,
        operator: str = "",
        now: datetime | None = None,
    ) -> NotificationTask:
        now = self._conn.now(now)

        def resend(tx: Any) -> NotificationTask:
            ref, booking, _ = self._read_for_change(tx, booking_number, False)
            done = booking_rules.resend(booking, TaskType(task_type), operator, now)
            self._write_change(tx, ref, done)
            assert done.queued is not None
            return done.queued

        return self._conn.transact(resend)
