"""What a queue task turns into before it is sent: its booking, its signed QR, its e-mail.

A website task may name a booking this store has never seen, or carry a ``bookingData``
snapshot with the website's own field names. Whatever cannot be turned into a QR or an
e-mail raises ``RenderError``: bad data, which no retry will fix, so the task goes dead
with the reason as a code from ``messages.py`` (never a Python exception's text).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from parking_desk.booking import Booking, UnreadableBooking, booking_document_id, shown
from parking_desk.errors import ParkingDeskError, StoreUnavailable
from parking_desk.services.mail.outgoing import OutgoingMail
from parking_desk.services.mail.render import ALIASES
from parking_desk.services.qr import render_png
from parking_desk.services.store.base import QueueEngine
from parking_desk.task import NotificationTask, TaskKind

log = logging.getLogger(__name__)


class Renderer(Protocol):
    def __call__(
        self, task: NotificationTask, *, booking: Booking, qr_png: bytes | None
    ) -> OutgoingMail: ...


class Signer(Protocol):
    def payload(self, booking_number: str, plate: str, valid_until: datetime) -> str: ...


class RenderError(ParkingDeskError):
    """The task's booking cannot be turned into a QR or an e-mail: bad data, not bad luck.
    Carries a message code and its parameters, so a supervisor reads the reason in words."""

    code = "task.unrenderable"

    def __str__(self) -> str:
        return self.translated("en")

    @classmethod
    def of(cls, exc: UnreadableBooking) -> RenderError:
        return cls(code=exc.code, **exc.params)


# What the QR and the e-mail print; a snapshot without one of them is completed from the store.
COMPLETE = ("clientName", "plate", "arrival", "departure")


def booking_for(store: QueueEngine, task: NotificationTask) -> Booking:
    """The booking from the snapshot the task carries, which the desk keeps up to date when
    it amends the booking (in the same commit): no read per task. A snapshot lacking what
    the message prints (a website task with a partial ``bookingData``) is completed from
    the booking as the store has it, else rendered as far as it goes. Dates a ticket cannot
    print (year 9999) are refused here, for every kind of message."""
    booking = _booking_for(store, task)
    try:
        booking.check_dates_printable()
    except UnreadableBooking as exc:
        raise RenderError.of(exc) from None
    return booking


def _booking_for(store: QueueEngine, task: NotificationTask) -> Booking:
    data = dict(task.booking_data)
    for names in ALIASES.values():  # the website's other names for the same fields
        if data.get(names[0]) in (None, ""):
            data[names[0]] = next((data[n] for n in names if data.get(n) not in (None, "")), None)
    problem: UnreadableBooking | None = None
    if all(data.get(name) not in (None, "") for name in COMPLETE):
        try:
            return Booking.from_document(data, task.booking_number)
        except UnreadableBooking as exc:
            problem = exc  # the store's copy may read; if not, this is the reason
    stored: Booking | None = None
    # A number that cannot be a document id names no booking in the store: not looked up.
    if booking_document_id(task.booking_number) is not None:
        try:
            stored = store.get_booking(task.booking_number)
        except StoreUnavailable:
            raise
        except Exception as exc:
            log.warning(
                "Task %s: booking %s unreadable in the store (%s)",
                task.id,
                shown(task.booking_number),
                exc,
            )
    if stored is not None:
        return stored
    if problem is None:
        try:
            return Booking.from_document(data, task.booking_number)
        except UnreadableBooking as exc:
            problem = exc
    raise RenderError.of(problem)


def qr_png(
    signer: Signer, task: NotificationTask, booking: Booking, validity: timedelta
) -> bytes | None:
    """The QR as PNG, valid until *validity* after the booking's departure; none is signed
    for a cancellation, whose e-mail says the client's QR is no longer valid."""
    if task.kind == TaskKind.CANCELLATION:
        return None
    try:
        payload = signer.payload(task.booking_number, booking.plate, booking.departure + validity)
        return render_png(payload, error_correction="M")
    except (ValueError, TypeError, OverflowError) as exc:
        log.warning("Task %s: no QR ticket (%s)", task.id, exc)
        raise RenderError(
            code="ticket.unprintable", number=shown(task.booking_number), plate=shown(booking.plate)
        ) from None
