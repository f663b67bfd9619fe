"""The lot through a day: arrivals and returns of any day, overstays and no-shows, cars on
the lot and the expected occupancy of the days ahead. No Qt: the desk's lists, the kiosk
and the walk-in form call these off the GUI thread. The rule of who holds a place is the
domain's (``parking_desk.occupancy``); days are the site's (``parking_desk.site_time``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from parking_desk.booking import Booking, BookingStatus
from parking_desk.occupancy import OverCapacity, days_of, over_capacity, places_by_day
from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store.base import AuditEntry, BookingQuery, BookingStore, Store
from parking_desk.site_time import day_bounds, local, today
from parking_desk.timeutil import utcnow

FORECAST_DAYS = 14
# Every booking a figure needs, not one page of the desk's table: a lot's open bookings
# number in the thousands at most.
ALL = 100_000


def arrivals(store: BookingStore, day: date, zone: str, *, text: str = "") -> list[Booking]:
    start, end = day_bounds(day, zone)
    query = BookingQuery(text=text, arrival_from=start, arrival_before=end, limit=ALL)
    return store.search_bookings(query)


def returns(store: BookingStore, day: date, zone: str, *, text: str = "") -> list[Booking]:
    start, end = day_bounds(day, zone)
    query = BookingQuery(text=text, departure_from=start, departure_before=end, limit=ALL)
    return store.search_bookings(query)


def on_the_lot(store: BookingStore, *, text: str = "", stays_only: bool = False) -> list[Booking]:
    query = BookingQuery(
        text=text,
        statuses=frozenset({BookingStatus.CHECKED_IN}),
        limit=ALL,
        stays_only=stays_only and not text,
    )
    return store.search_bookings(query)


def overstays(store: BookingStore, *, now: datetime | None = None, text: str = "") -> list[Booking]:
    """Still checked in after their departure."""
    now = now or utcnow()
    return [b for b in on_the_lot(store, text=text) if b.departure < now]


def no_shows(
    store: BookingStore, day: date, zone: str, *, now: datetime | None = None, text: str = ""
) -> list[Booking]:
    """Due to arrive on *day*, arrival time passed, never checked in (nor cancelled)."""
    now = now or utcnow()
    start, end = day_bounds(day, zone)
    if now <= start:
        return []
    query = BookingQuery(
        text=text,
        arrival_from=start,
        arrival_before=min(end, now),
        statuses=frozenset({BookingStatus.CONFIRMED}),
        limit=ALL,
    )
    return store.search_bookings(query)


def bookings_ahead(store: BookingStore, first: date, zone: str) -> list[Booking]:
    """Every booking that may hold a place on *first* or later: departing from that day on,
    or still checked in. Their stays only (``BookingQuery.stays_only``): no names. The two
    reads run at once (both stores read from any thread): one round trip, not two."""
    start, _ = day_bounds(first, zone)
    query = BookingQuery(departure_from=start, limit=ALL, stays_only=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        ahead_f = pool.submit(store.search_bookings, query)
        on_lot = on_the_lot(store, stays_only=True)
        ahead = ahead_f.result()
    seen = {b.booking_number for b in ahead}
    return ahead + [b for b in on_lot if b.booking_number not in seen]


@dataclass(frozen=True)
class Occupancy:
    """The lot's figures: no personal data, fit for the kiosk."""

    capacity: int  # 0: none set
    on_lot: int
    days: list[tuple[date, int]]  # expected places held, today first

    def free_today(self) -> int | None:
        return None if self.capacity <= 0 else self.capacity - self.days[0][1]


def occupancy(
    store: BookingStore,
    capacity: int,
    zone: str,
    *,
    now: datetime | None = None,
    days: int = FORECAST_DAYS,
) -> Occupancy:
    now = now or utcnow()
    first = today(zone, now)
    ahead = bookings_ahead(store, first, zone)
    wanted = days_of(first, days)
    counts = places_by_day(ahead, wanted, zone, first)
    on_lot = sum(1 for b in ahead if b.status == BookingStatus.CHECKED_IN)
    return Occupancy(capacity, on_lot, [(d, counts[d]) for d in wanted])


def check_stay(
    store: BookingStore, stay: Booking, capacity: int, zone: str, *, now: datetime | None = None
) -> OverCapacity | None:
    """Would the new *stay* pass the lot's capacity? (The walk-in form asks before saving.)"""
    if capacity <= 0:
        return None
    now = now or utcnow()
    first = min(today(zone, now), local(stay.arrival, zone).date())
    return over_capacity(bookings_ahead(store, first, zone), stay, capacity, zone, now)


OVERRIDE_ACTION = "capacity_override"


def may_override(session: RoleSession) -> Person:
    """Only a supervisor may put a walk-in on a full lot; staff are refused here, whatever
    the screen shows."""
    return session.require(Role.SUPERVISOR)


def record_override(
    store: Store,
    person: Person,
    booking_number: str,
    over: OverCapacity,
    *,
    now: datetime | None = None,
) -> AuditEntry:
    """The audit entry of a booking saved past capacity: who, which booking, the first full
    day and how full it was."""
    details = {
        "bookingNumber": booking_number,
        "day": over.day.isoformat(),
        "booked": over.booked,
        "capacity": over.capacity,
    }
    return store.record_audit(person.label(), OVERRIDE_ACTION, details=details, now=now)
