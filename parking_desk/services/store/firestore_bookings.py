"""Bookings in Firestore: allocation of numbers, search, check-in/out, amendments, resends.

A booking and the queue task that announces it always travel in the same commit (the
outbox rule), so no booking ever exists without its confirmation in the queue.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, time, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.booking import Booking, BookingStatus, EmailStatus
from parking_desk.errors import InvalidTransition, NotFound, StoreUnavailable
from parking_desk.services.store.base import BookingQuery
from parking_desk.services.store.firestore_docs import (
    BOOKINGS,
    QUEUE,
    RPC,
    FirestorePart,
    guarded,
)
from parking_desk.task import NotificationTask, TaskState, TaskType
from parking_desk.validation import normalise_plate, validate_booking

log = logging.getLogger(__name__)

# A random number collides rarely until the space fills; give up long before it hurts.
NUMBER_TRIES = 20
AMENDABLE = {
    "client_name": "clientName",
    "client_email": "clientEmail",
    "phone": "phone",
    "plate": "plate",
    "arrival": "arrival",
    "departure": "departure",
    "passengers": "passengers",
    "notes": "notes",
    "language": "language",
}
_BY_DOC_NAME = {doc: attr for attr, doc in AMENDABLE.items()}


def refusal(number: str, current: BookingStatus, to: BookingStatus) -> InvalidTransition | None:
    """Why *current* → *to* is refused, or None when it is allowed."""
    if current == BookingStatus.CANCELLED:
        return InvalidTransition(code="error.booking_cancelled", number=number)
    if current == BookingStatus.CHECKED_OUT:
        return InvalidTransition(code="error.already_checked_out", number=number)
    if to == BookingStatus.CHECKED_IN and current == BookingStatus.CHECKED_IN:
        return InvalidTransition(code="error.already_checked_in", number=number)
    if to == BookingStatus.CHECKED_OUT and current == BookingStatus.CONFIRMED:
        return InvalidTransition(code="error.not_checked_in", number=number)
    if to == BookingStatus.CONFIRMED:
        return InvalidTransition(number=number, current=str(current))
    return None


def new_task(booking: Booking, task_type: TaskType, now: datetime) -> NotificationTask:
    return NotificationTask(
        id="",
        type=task_type,
        booking_number=booking.booking_number or "",
        client_email=booking.client_email,
        booking_data=booking.booking_data(),
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def outcome_unknown(exc: BaseException) -> bool:
    """A commit that ran out of time may still be applied; one refused as UNAVAILABLE was
    not (the client library itself retries commits on it), nor is any other answer."""
    if isinstance(exc, gexc.RetryError):
        exc = exc.cause or exc
    return isinstance(exc, gexc.DeadlineExceeded)


class FirestoreBookings(FirestorePart):
    def _task_ref(self, task_id: str | None = None) -> Any:
        col = self._db.collection(QUEUE)
        return col.document(task_id) if task_id else col.document()

    @guarded
    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = self._now(now)
        clean = validate_booking(booking).booking
        for _ in range(NUMBER_TRIES):
            number = str(100000 + secrets.randbelow(900000))
            saved = clean.with_changes(
                booking_number=number,
                status=BookingStatus.CONFIRMED,
                created_at=now,
                updated_at=now,
                email_status=EmailStatus.PENDING,
            )
            task = new_task(saved, task_type, now)
            task_ref = self._task_ref()
            batch = self._db.batch()
            # create() fails the whole batch if the number is taken: no hot counter needed.
            batch.create(self._db.collection(BOOKINGS).document(number), saved.to_document())
            batch.set(task_ref, task.to_document())
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
            return saved, task.with_changes(id=task_ref.id)
        raise StoreUnavailable(f"no free booking number after {NUMBER_TRIES} tries")

    def _landed(self, number: str, saved: Booking) -> bool:
        """After a commit whose outcome is unknown: is our booking there after all?"""
        try:
            # A short look: the clerk is waiting, and an unknown answer is said as such.
            snap = self._db.collection(BOOKINGS).document(number).get(retry=None, timeout=3.0)
        except gexc.GoogleAPIError:
            return False
        doc = snap.to_dict() if snap.exists else None
        return (
            bool(doc)
            and doc.get("createdAt") == saved.created_at
            and (doc.get("clientEmail") == saved.client_email)
        )

    @guarded
    def get_booking(self, number: str) -> Booking | None:
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
        """One criterion runs in Firestore (the most selective given); the rest filter here,
        which keeps every query on single-field indexes."""
        text = query.text.strip()
        number = query.number or (text if text.isdigit() and len(text) == 6 else None)
        if number:
            found = self.get_booking(number)
            candidates = [found] if found else []
        elif query.plate or query.name_prefix or query.arrival_day or query.departure_day:
            candidates = self._stream_bookings(self._narrowest(query), query.limit)
        elif text:
            plate = normalise_plate(text)
            seen: dict[str, Booking] = {}
            if plate.isalnum():
                for b in self._stream_bookings(self._prefix("plate", plate), query.limit):
                    seen[b.booking_number or ""] = b
            for b in self._stream_bookings(
                self._prefix("clientNameLower", text.casefold()), query.limit
            ):
                seen[b.booking_number or ""] = b
            candidates = list(seen.values())
        else:
            candidates = self._stream_bookings(
                self._db.collection(BOOKINGS).order_by(
                    "createdAt", direction=firestore.Query.DESCENDING
                ),
                query.limit,
            )
        return [b for b in candidates if _matches(b, query)][: query.limit]

    def _narrowest(self, query: BookingQuery) -> Any:
        if query.plate:
            return self._prefix("plate", normalise_plate(query.plate))
        if query.name_prefix:
            return self._prefix("clientNameLower", query.name_prefix.strip().casefold())
        day, field = (
            (query.arrival_day, "arrival")
            if query.arrival_day
            else (query.departure_day, "departure")
        )
        start = datetime.combine(day, time.min, tzinfo=UTC)
        col = self._db.collection(BOOKINGS)
        return (
            col.where(filter=FieldFilter(field, ">=", start))
            .where(filter=FieldFilter(field, "<", start + timedelta(days=1)))
            .order_by(field)
        )

    def _prefix(self, field: str, prefix: str) -> Any:
        col = self._db.collection(BOOKINGS)
        return (
            col.where(filter=FieldFilter(field, ">=", prefix))
            .where(filter=FieldFilter(field, "<", prefix + "\uf8ff"))
            .order_by(field)
        )

    def _stream_bookings(self, q: Any, limit: int) -> list[Booking]:
        # Criteria checked here may drop some rows, so read a generous window.
        out = []
        for snap in q.limit(max(limit, 1) * 4).stream(**RPC):
            booking = self._booking(snap)
            if booking is not None:
                out.append(booking)
        return out

    @guarded
    def set_booking_status(
        self, number: str, to: BookingStatus, *, operator: str, now: datetime | None = None
    ) -> Booking:
        now = self._now(now)
        ref = self._db.collection(BOOKINGS).document(str(number))

        def change(tx: Any) -> Booking:
            snap = ref.get(transaction=tx)
            booking = self._booking(snap)
            if booking is None:
                raise NotFound(number=number)
            problem = refusal(number, booking.status, to)
            if problem is not None:
                raise problem
            changes: dict[str, Any] = {"status": to, "updated_at": now}
            if to == BookingStatus.CHECKED_IN:
                changes["checked_in_at"] = now
            elif to == BookingStatus.CHECKED_OUT:
                changes["checked_out_at"] = now
            entry = {"at": now, "by": operator, "action": str(to), "details": {}}
            changes["history"] = [*booking.history, entry]
            updated = booking.with_changes(**changes)
            tx.set(ref, updated.to_document())
            return updated

        return self._transact(change)

    @guarded
    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = self._now(now)
        attrs = {_BY_DOC_NAME.get(k, k): v for k, v in changes.items()}
        unknown = sorted(k for k in attrs if k not in AMENDABLE)
        if unknown:
            raise ValueError(f"fields that cannot be amended: {', '.join(unknown)}")
        ref = self._db.collection(BOOKINGS).document(str(number))
        task_ref = self._task_ref()
        # The booking's tasks still waiting to be sent carry the amended snapshot, so the
        # worker renders from it without reading the booking. Tasks being sent are left to
        # finish; the confirmation queued with the amendment follows them.
        waiting = (
            self._db.collection(QUEUE)
            .where(filter=FieldFilter("bookingNumber", "==", str(number)))
            .where(filter=FieldFilter("status", "==", str(TaskState.PENDING)))
        )

        def amend(tx: Any) -> tuple[Booking, NotificationTask]:
            booking = self._booking(ref.get(transaction=tx))
            tasks = list(waiting.stream(transaction=tx))
            if booking is None:
                raise NotFound(number=number)
            if booking.status in (BookingStatus.CANCELLED, BookingStatus.CHECKED_OUT):
                raise refusal(number, booking.status, BookingStatus.CHECKED_IN)  # type: ignore[misc]
            clean = validate_booking(booking.with_changes(**attrs)).booking
            diff = {
                AMENDABLE[a]: [_plain(getattr(booking, a)), _plain(getattr(clean, a))]
                for a in attrs
                if getattr(booking, a) != getattr(clean, a)
            }
            entry = {"at": now, "by": operator, "action": "amend", "details": diff}
            saved = clean.with_changes(
                updated_at=now,
                email_status=EmailStatus.PENDING,
                history=[*booking.history, entry],
            )
            task = new_task(saved, TaskType.BOTH, now)
            tx.set(ref, saved.to_document())
            for snap in tasks:
                tx.update(
                    snap.reference,
                    {
                        "bookingData": saved.booking_data(),
                        "clientEmail": saved.client_email,
                        "updatedAt": now,
                    },
                )
            tx.set(task_ref, task.to_document())
            return saved, task.with_changes(id=task_ref.id)

        return self._transact(amend)

    @guarded
    def enqueue(
        self,
        booking_number: str,
        task_type: TaskType = TaskType.BOTH,
        *,
        operator: str = "",
        now: datetime | None = None,
    ) -> NotificationTask:
        now = self._now(now)
        ref = self._db.collection(BOOKINGS).document(str(booking_number))
        task_ref = self._task_ref()

        def resend(tx: Any) -> NotificationTask:
            booking = self._booking(ref.get(transaction=tx))
            if booking is None:
                raise NotFound(number=booking_number)
            task = new_task(booking, task_type, now)
            entry = {"at": now, "by": operator, "action": "resend", "details": {"type": task_type}}
            update: dict[str, Any] = {"history": [*booking.history, entry][-50:], "updatedAt": now}
            if task_type != TaskType.QR:
                update["emailStatus"] = str(EmailStatus.PENDING)
            tx.update(ref, update)
            tx.set(task_ref, task.to_document())
            return task.with_changes(id=task_ref.id)

        return self._transact(resend)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _matches(booking: Booking, query: BookingQuery) -> bool:
    if query.statuses and booking.status not in query.statuses:
        return False
    if query.plate and not booking.plate.startswith(normalise_plate(query.plate)):
        return False
    if query.name_prefix and not booking.client_name.casefold().startswith(
        query.name_prefix.strip().casefold()
    ):
        return False
    if query.arrival_day and booking.arrival.astimezone(UTC).date() != query.arrival_day:
        return False
    return not (
        query.departure_day and booking.departure.astimezone(UTC).date() != query.departure_day
    )
