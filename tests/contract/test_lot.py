"""The lot through a day on both stores: arrivals and returns of the site's local days,
overstays, no-shows, cars on the lot, the days ahead and a walk-in past capacity."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contract_data import booking

from parking_desk.booking import BookingStatus
from parking_desk.services import lot
from parking_desk.services.store import Store

ZONE = "Europe/Bucharest"  # UTC+2 in December
NOON = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 12:00 on the site's 3 December


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC instant in December 2026."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def make(store: Store, name: str, arrival: datetime, departure: datetime) -> str:
    saved, _ = store.create_booking(
        booking(client_name=name, arrival=arrival, departure=departure), now=at(1, 8)
    )
    return saved.booking_number or ""


def names(found: list) -> set[str]:
    return {b.client_name for b in found}


def test_arrivals_and_returns_are_the_sites_local_days(store: Store) -> None:
    make(store, "Night Owl", at(2, 23, 30), at(5, 6))  # 01:30 on the 3rd, site time
    make(store, "Morning", at(3, 8), at(4, 22, 30))  # leaves 00:30 on the 5th, site time
    make(store, "Late", at(3, 21, 59), at(6, 10))  # 23:59 on the 3rd
    make(store, "Next Day", at(3, 22), at(6, 10))  # 00:00 on the 4th

    assert names(lot.arrivals(store, date(2026, 12, 3), ZONE)) == {"Night Owl", "Morning", "Late"}
    assert names(lot.arrivals(store, date(2026, 12, 2), ZONE)) == set()
    assert names(lot.arrivals(store, date(2026, 12, 4), ZONE)) == {"Next Day"}
    assert names(lot.returns(store, date(2026, 12, 5), ZONE)) == {"Night Owl", "Morning"}
    assert names(lot.returns(store, date(2026, 12, 4), ZONE)) == set()
    assert names(lot.arrivals(store, date(2026, 12, 3), ZONE, text="owl")) == {"Night Owl"}


def test_overstays_and_no_shows(store: Store) -> None:
    gone = make(store, "Left On Time", at(1, 9), at(3, 8))
    stays = make(store, "Overstay", at(1, 9), at(3, 8))
    make(store, "No Show", at(3, 7), at(6, 8))
    came = make(store, "Came", at(3, 7, 30), at(6, 8))
    make(store, "Not Yet", at(3, 15), at(6, 8))
    cancelled = make(store, "Cancelled", at(3, 6), at(6, 8))
    for number in (gone, stays, came):
        store.set_booking_status(number, BookingStatus.CHECKED_IN, operator="ana", now=at(1, 10))
    store.set_booking_status(gone, BookingStatus.CHECKED_OUT, operator="ana", now=at(3, 7))
    store.set_booking_status(cancelled, BookingStatus.CANCELLED, operator="ana", now=at(2, 7))

    assert names(lot.overstays(store, now=NOON)) == {"Overstay"}
    assert names(lot.overstays(store, now=at(3, 7))) == set()
    assert names(lot.no_shows(store, date(2026, 12, 3), ZONE, now=NOON)) == {"No Show"}
    assert names(lot.no_shows(store, date(2026, 12, 3), ZONE, now=at(3, 23))) == {
        "No Show",
        "Not Yet",
    }
    assert lot.no_shows(store, date(2026, 12, 4), ZONE, now=NOON) == []
    assert names(lot.on_the_lot(store)) == {"Overstay", "Came"}


def test_occupancy_of_the_days_ahead_and_a_walk_in_past_capacity(store: Store) -> None:
    make(store, "Three Nights", at(3, 8), at(6, 8))  # holds the 3rd, 4th, 5th
    make(store, "Day Trip", at(4, 6), at(4, 18))  # the 4th only
    make(store, "Far Ahead", at(20, 8), at(22, 8))  # past the 14 days
    gone = make(store, "Gone Early", at(2, 8), at(8, 8))
    store.set_booking_status(gone, BookingStatus.CHECKED_IN, operator="ana", now=at(2, 8))
    store.set_booking_status(gone, BookingStatus.CHECKED_OUT, operator="ana", now=at(3, 6))

    figures = lot.occupancy(store, 2, ZONE, now=NOON)
    held = dict(figures.days)
    assert len(figures.days) == 14 and figures.days[0][0] == date(2026, 12, 3)
    assert [held[date(2026, 12, d)] for d in range(3, 8)] == [1, 2, 1, 0, 0]
    assert figures.on_lot == 0 and figures.free_today() == 1

    fits = booking(client_name="Walk In", arrival=at(5, 8), departure=at(6, 8))
    assert lot.check_stay(store, fits, 2, ZONE, now=NOON) is None
    too_many = booking(client_name="Walk In", arrival=at(3, 11), departure=at(5, 8))
    over = lot.check_stay(store, too_many, 2, ZONE, now=NOON)
    assert over is not None and over.day == date(2026, 12, 4) and over.booked == 2
    assert lot.check_stay(store, too_many, 0, ZONE, now=NOON) is None  # no capacity set
    assert lot.check_stay(store, too_many, 3, ZONE, now=NOON) is None
