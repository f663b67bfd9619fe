"""Which bookings hold a place on the lot on a given day: the one rule behind the desk's
occupancy, the kiosk's figure and the walk-in's capacity warning.

Days are the site's local days (``site_time``). A booking holds a place from its arrival
day up to, not including, its departure day (a car leaving on the 9th frees its place for
the 9th); a stay that arrives and leaves on the same day holds that one day. Cancelled
bookings hold nothing; a car checked out holds nothing from the day it left; a car still
checked in after its departure (an overstay) holds its place today, until it leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from parking_desk.booking import Booking, BookingStatus
from parking_desk.site_time import local


def stay_days(booking: Booking, zone: str) -> tuple[date, date]:
    """The first day the booking holds a place and the day after its last."""
    first = local(booking.arrival, zone).date()
    end = local(booking.departure, zone).date()
    return first, max(end, first + timedelta(days=1))


def holds_place(booking: Booking, day: date, zone: str, today: date) -> bool:
    if booking.status == BookingStatus.CANCELLED:
        return False
    if booking.status == BookingStatus.CHECKED_OUT:
        left = booking.checked_out_at or booking.departure
        if day >= local(left, zone).date():
            return False
    first, end = stay_days(booking, zone)
    if first <= day < end:
        return True
    # Still on the lot after its departure: it holds a place today.
    return booking.status == BookingStatus.CHECKED_IN and day == today and day >= end


def places_by_day(
    bookings: Iterable[Booking], days: list[date], zone: str, today: date
) -> dict[date, int]:
    counts = dict.fromkeys(days, 0)
    for booking in bookings:
        for day in days:
            if holds_place(booking, day, zone, today):
                counts[day] += 1
    return counts


def days_of(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


@dataclass(frozen=True)
class OverCapacity:
    """A stay that would put more cars on the lot than it holds: the first full day."""

    day: date
    booked: int  # places already held that day, without the new stay
    capacity: int


def over_capacity(
    others: Iterable[Booking], stay: Booking, capacity: int, zone: str, now: datetime
) -> OverCapacity | None:
    """Would *stay* pass *capacity* on any day it holds a place? None when it fits, or
    when no capacity is set (0)."""
    if capacity <= 0:
        return None
    today = local(now, zone).date()
    first, end = stay_days(stay, zone)
    days = days_of(first, (end - first).days)
    counts = places_by_day(
        (b for b in others if b.booking_number != stay.booking_number), days, zone, today
    )
    for day in days:
        if counts[day] + 1 > capacity:
            return OverCapacity(day, counts[day], capacity)
    return None
