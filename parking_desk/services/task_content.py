"""What a queue task turns into before it is sent: its booking, its signed QR, its e-mail.

A website task may name a booking this store has never seen, or carry a ``bookingData``
snapshot with the website's own field names. Whatever cannot be turned into a QR or an
e-mail raises ``RenderError``: bad data, which no retry will fix, so the task goes dead
with the reason in words.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Protocol

from parking_desk.booking import Booking
from parking_desk.errors import StoreUnavailable
from parking_desk.services.mail.outgoing import OutgoingMail
from parking_desk.services.mail.render import ALIASES
from parking_desk.services.qr import render_png
from parking_desk.services.store.base import Store
from parking_desk.task import NotificationTask, TaskKind

log = logging.getLogger(__name__)


class Renderer(Protocol):
    def __call__(
        self, task: NotificationTask, *, booking: Booking, qr_png: bytes | None
    ) -> OutgoingMail: ...


class Signer(Protocol):
    def payload(self, booking_number: str, plate: str, valid_until: datetime) -> str: ...


class RenderError(Exception):
    """The task's booking cannot be turned into a QR or an e-mail: bad data, not bad luck."""


# What the QR and the e-mail print; a snapshot without one of them is completed from the store.
COMPLETE = ("clientName", "plate", "arrival", "departure")


def booking_for(store: Store, task: NotificationTask) -> Booking:
    """The booking from the snapshot the task carries, which the desk keeps up to date when
    it amends the booking (in the same commit): no read per task. A snapshot lacking what
    the message prints (a website task with a partial ``bookingData``) is completed from
    the booking as the store has it, else rendered as far as it goes."""
    data = dict(task.booking_data)
    for names in ALIASES.values():  # the website's other names for the same fields
        if data.get(names[0]) in (None, ""):
            data[names[0]] = next((data[n] for n in names if data.get(n) not in (None, "")), None)
    if all(data.get(name) not in (None, "") for name in COMPLETE):
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            return Booking.from_document(data, task.booking_number)
    stored: Booking | None = None
    try:
        stored = store.get_booking(task.booking_number)
    except StoreUnavailable:
        raise
    except Exception as exc:
        log.warning("Booking %s unreadable in the store (%s)", task.booking_number, exc)
    if stored is not None:
        return stored
    try:
        return Booking.from_document(data, task.booking_number)
    except (ValueError, TypeError, OverflowError) as exc:
        raise RenderError(f"booking {task.booking_number} cannot be rendered: {exc}") from None


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
    except (ValueError, TypeError) as exc:
        raise RenderError(
            f"booking {task.booking_number}: the QR code cannot be made ({exc})"
        ) from None
