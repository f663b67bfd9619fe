"""A new ticket for a client whose ticket a revoked key signed, signed with this desk's key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import InvalidTransition, NotFound, PermissionDenied
from parking_desk.services.key_ring.ring import KeyRing
from parking_desk.services.key_ring.store_role import key_store
from parking_desk.services.qr import (
    QrSigner,
)
from parking_desk.services.roles import Role, RoleSession


def booking_for_ticket(store: Any, number: str) -> Booking | None:
    """The booking a ticket or a typed number names: exactly that number first, then the
    same in upper or lower case, for a number typed at the desk (which upper-cases what it
    reads, like a scanner in caps lock) or printed by an older ticket."""
    tried: list[str] = []
    for candidate in (number, number.upper(), number.lower()):
        if candidate in tried:
            continue
        tried.append(candidate)
        booking: Booking | None = store.get_booking(candidate)
        if booking is not None:
            return booking
    return None


@dataclass(frozen=True)
class Reissued:
    booking: Booking
    payload: str


def reissue_ticket(
    store: Any,
    signer: QrSigner,
    ring: KeyRing,
    session: RoleSession,
    number: str,
    *,
    validity: timedelta,
) -> Reissued:
    """A new ticket for a booking, signed with this desk's own key (for a client whose
    ticket a revoked key signed). Audited; refused for a booking that is over, and when
    this desk's own key is the revoked one."""
    session.require(Role.STAFF)
    own = ring.get(signer.key_id)
    if own is not None and own.revoked:
        raise PermissionDenied(code="error.own_key_revoked", kid=signer.key_id)
    booking = booking_for_ticket(store, number)
    if booking is None:
        raise NotFound(number=number)
    if booking.status == BookingStatus.CANCELLED:
        raise InvalidTransition(code="error.booking_cancelled", number=booking.booking_number)
    if booking.status == BookingStatus.CHECKED_OUT:
        raise InvalidTransition(code="error.already_checked_out", number=booking.booking_number)
    found = booking.booking_number or number
    payload = signer.payload(found, booking.plate, booking.departure + validity)
    key_store(store).record_audit(
        session.operator_name(),
        "reissue_ticket",
        (),
        details={"bookingNumber": found, "kid": signer.key_id},
    )
    return Reissued(booking, payload)
