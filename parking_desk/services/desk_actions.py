"""What the desk's screens ask of the store: a walk-in saved, a ticket scanned at the gate, a
scan undone, a booking's e-mail queued again, a list for a search scope.

Each function runs off the GUI thread (the screens run them as operations, ``ui/ops.py``)
and takes what it needs explicitly: the store, the operator, the settings' figures. None of
it knows about widgets, so the benchmarks and the tests call the same code the desk does.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import cast

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.booking_rules import ScanQuestion
from parking_desk.config import Settings
from parking_desk.errors import FieldError, NotFound
from parking_desk.occupancy import OverCapacity
from parking_desk.services import lot
from parking_desk.services.key_ring import KeyRing, Reissued, booking_for_ticket, reissue_ticket
from parking_desk.services.offline import ticket_booking
from parking_desk.services.qr import QrSigner, render_png
from parking_desk.services.retention import erase_client
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.base import BookingQuery, BookingStore, ScanUndo, Store
from parking_desk.services.ticket_layout import Ticket, ticket_of
from parking_desk.task import NotificationTask
from parking_desk.timeutil import utcnow
from parking_desk.validation import normalise_plate

PLATE_LOOKUP_LIMIT = 50
RESULT_LIMIT = 500


# --- a walk-in saved ------------------------------------------------------------------------
@dataclass(frozen=True)
class SavedBooking:
    """What the store committed, with the ticket payload and its QR ready to show."""

    booking: Booking
    task: NotificationTask
    payload: str
    png: bytes
    # What the person at the desk should check with the client, said after the save too.
    warnings: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class SavePolicy:
    """What a save checks and signs with: the lot's capacity in the site's days, who saves
    (a supervisor may override a full lot) and the desk's ticket key."""

    capacity: int
    time_zone: str
    session: RoleSession
    signer: QrSigner | None
    validity_after_departure: timedelta

    @classmethod
    def of(cls, settings: Settings, session: RoleSession, signer: QrSigner | None) -> SavePolicy:
        return cls(
            capacity=settings.desk.capacity,
            time_zone=settings.desk.time_zone,
            session=session,
            signer=signer,
            validity_after_departure=timedelta(hours=settings.qr.validity_hours_after_departure),
        )


# Long-lived, so an embedded store keeps one connection for it rather than one per save.
_LOOKUPS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="plate-lookup")


def save_booking(
    store: Store,
    booking: Booking,
    policy: SavePolicy,
    warnings: tuple[FieldError, ...] = (),
    *,
    override: bool = False,
) -> SavedBooking | OverCapacity:
    """Check the lot's capacity (a stay that would pass it is not saved but answered with
    the first full day, unless a supervisor overrides it, which is audited), look up the
    plate's other bookings (one overlapping this stay is warned about, not refused: a second
    car, a rebooking), commit, then sign and draw the ticket."""
    query = BookingQuery(plate=booking.plate, limit=PLATE_LOOKUP_LIMIT)
    # The plate's bookings are read while the capacity is checked: one round trip to a
    # distant store instead of two (a refused save wastes that one read).
    plate_lookup = _LOOKUPS.submit(store.search_bookings, query) if booking.plate else None
    over = lot.check_stay(store, booking, policy.capacity, policy.time_zone)
    same_plate = plate_lookup.result() if plate_lookup is not None else []
    if over is not None and not override:
        return over
    person = lot.may_override(policy.session) if over is not None else None
    saved, task = store.create_booking(booking)
    if over is not None and person is not None:
        lot.record_override(store, person, saved.booking_number or "", over)
    overlaps = [
        w
        for w in booking_rules.stay_warnings(saved, utcnow(), same_plate)
        if w.code == "plate.overlapping_booking"
    ]
    found = (*warnings, *overlaps)
    number = saved.booking_number or ""
    if policy.signer is None:
        return SavedBooking(saved, task, "", b"", found)
    valid_until = saved.departure + policy.validity_after_departure
    payload = policy.signer.payload(number, saved.plate, valid_until)
    return SavedBooking(saved, task, payload, render_png(payload, error_correction="M"), found)


# --- at the gate ------------------------------------------------------------------------------
class ScanMode(StrEnum):
    AUTO = "auto"  # in if not yet in, otherwise out
    CHECK_IN = "in"
    CHECK_OUT = "out"


@dataclass(frozen=True)
class ScanResult:
    booking: Booking
    done: BookingStatus | None  # the status reached; None when refused or asked about
    ticket_plate: str = ""  # the plate on a ticket that no longer matches the booking
    # Asked before writing (a check-out moments after the check-in, an early check-in):
    # nothing was written, and *target* is what a "yes" does.
    question: ScanQuestion | None = None
    target: BookingStatus | None = None


@dataclass(frozen=True)
class ScanLimits:
    """When a scan asks before it writes (``desk.confirm_*`` settings); zero never asks."""

    recent: timedelta = timedelta(0)
    early: timedelta = timedelta(0)


def check_in_or_out(
    store: Store,
    number: str,
    mode: ScanMode,
    operator: str,
    ticket_plate: str = "",
    valid_until: datetime | None = None,
    *,
    desk: str = "",
    limits: ScanLimits = ScanLimits(),
    confirmed: bool = False,
) -> ScanResult:
    """Raises for a missing, cancelled or finished booking. *number* as the ticket carries
    it (its case kept) or as typed (found in either case). Unless *confirmed*, a scan the
    domain says to ask about comes back with its question and writes nothing."""
    booking = booking_for_ticket(store, number)
    if booking is None and ticket_plate and valid_until is not None:
        # Offline, a genuine ticket stands in for a booking this desk never saw.
        booking = ticket_booking(store, number, ticket_plate, valid_until)
    if booking is None:
        raise NotFound(number=number)
    number = booking.booking_number or number
    if ticket_plate and normalise_plate(booking.plate) != ticket_plate:
        return ScanResult(booking, None, ticket_plate)
    if mode == ScanMode.AUTO:
        checked_in = booking.status == BookingStatus.CHECKED_IN
        target = BookingStatus.CHECKED_OUT if checked_in else BookingStatus.CHECKED_IN
    elif mode == ScanMode.CHECK_IN:
        target = BookingStatus.CHECKED_IN
    else:
        target = BookingStatus.CHECKED_OUT
    now = utcnow()
    problem = booking_rules.status_refusal(booking, target, now)
    if problem is not None:
        raise problem
    if not confirmed:
        # "Check out only" chosen by hand means a quick check-out is meant.
        recent = limits.recent if mode == ScanMode.AUTO else None
        question = booking_rules.scan_question(
            booking, target, now, early_limit=limits.early, recent_limit=recent
        )
        if question is not None:
            return ScanResult(booking, None, question=question, target=target)
    updated = store.set_booking_status(number, target, operator=operator, desk=desk)
    return ScanResult(updated, target)


def undo_last_scan(store: Store, number: str, operator: str, window: timedelta) -> Booking:
    """The booking's last scan undone, if it was made within *window* (the shift); refused
    by ``booking_rules.undo_scan`` otherwise."""
    now = utcnow()
    undo = cast(ScanUndo, store)  # both stores undo scans; the protocol says so apart
    return undo.undo_scan(number, operator=operator, not_before=now - window, now=now)


# --- a booking's tickets and e-mails ------------------------------------------------------
@dataclass(frozen=True)
class IssuedTicket:
    ticket: Ticket
    png: bytes  # the screen's code, error correction M


def ticket_key(booking: Booking) -> tuple[str, str, object, object]:
    """What a ticket is signed for or prints: a change to any of it needs a new ticket."""
    return (booking.booking_number or "", booking.plate, booking.arrival, booking.departure)


def issue_ticket(
    store: Store,
    signer: QrSigner,
    ring: KeyRing,
    session: RoleSession,
    number: str,
    *,
    validity: timedelta,
    site: str,
) -> tuple[tuple[str, str, object, object], IssuedTicket]:
    """A ticket for booking *number* as the store has it now, signed by this desk (audited),
    with the key it was issued for."""
    done = reissue_ticket(store, signer, ring, session, number, validity=validity)
    issued = IssuedTicket(ticket_of(done.booking, done.payload, site), render_png(done.payload))
    return ticket_key(done.booking), issued


def reissue_refused_ticket(
    store: Store,
    signer: QrSigner,
    ring: KeyRing,
    session: RoleSession,
    number: str,
    *,
    validity: timedelta,
) -> tuple[Reissued, bytes]:
    """A new ticket for a ticket refused at the gate (its key revoked), and its code."""
    done = reissue_ticket(store, signer, ring, session, number, validity=validity)
    return done, render_png(done.payload, error_correction="M")


def resend_confirmation(store: Store, number: str, operator: str) -> Booking:
    """The booking's confirmation queued again; the booking as the store now has it."""
    store.enqueue(number, operator=operator)
    found = store.get_booking(number)
    if found is None:
        raise NotFound(number=number)
    return found


def amend(store: Store, number: str, changes: dict[str, object], operator: str) -> Booking:
    """Already validated *changes* applied (a new confirmation is queued with them)."""
    booking, _task = store.amend_booking(number, changes, operator=operator)
    return booking


def erase_and_reread(
    store: Store, session: RoleSession, number: str, *, outbox_dir: Path
) -> Booking:
    """The client of booking *number* erased everywhere (``retention.erase_client``); the
    booking as it stays, without them."""
    erase_client(store, session, number, outbox_dir=outbox_dir)
    found = store.get_booking(number)
    if found is None:
        raise NotFound(number=number)
    return found


# --- lists -------------------------------------------------------------------------------------
class Scope(StrEnum):
    SEARCH = "search"
    ARRIVALS = "arrivals"
    RETURNS = "returns"
    ON_LOT = "on_lot"
    OVERSTAYS = "overstays"
    NO_SHOWS = "no_shows"


# The scopes that are about one day, chosen next to them.
DAY_SCOPES = frozenset({Scope.ARRIVALS, Scope.RETURNS, Scope.NO_SHOWS})


def scope_search(
    scope: Scope, text: str, day: date, zone: str
) -> Callable[[BookingStore], list[Booking]]:
    """What a scope asks the store. Days are the site's (*zone*): a 01:30 arrival is that
    day's, not the previous UTC day's."""
    if scope == Scope.ARRIVALS:
        return lambda store: lot.arrivals(store, day, zone, text=text)
    if scope == Scope.RETURNS:
        return lambda store: lot.returns(store, day, zone, text=text)
    if scope == Scope.ON_LOT:
        return lambda store: lot.on_the_lot(store, text=text)
    if scope == Scope.OVERSTAYS:
        return lambda store: lot.overstays(store, text=text)
    if scope == Scope.NO_SHOWS:
        return lambda store: lot.no_shows(store, day, zone, text=text)
    query = BookingQuery(text=text, limit=RESULT_LIMIT)
    return lambda store: store.search_bookings(query)
