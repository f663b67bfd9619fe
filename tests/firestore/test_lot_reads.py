"""The lot's figures from Firestore read stays, not bookings: the kiosk's occupancy and the
walk-in's capacity check get no names, e-mail addresses or plates."""

from __future__ import annotations

from datetime import UTC, datetime

from parking_desk.booking import Booking, BookingStatus
from parking_desk.services import lot
from parking_desk.services.store.base import BookingQuery
from parking_desk.services.store.firestore.store import FirestoreStore

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_the_lots_reads_carry_no_personal_data(fs_store: FirestoreStore) -> None:
    stay = Booking(
        client_name="Maria Ionescu",
        client_email="maria@example.ro",
        phone="+40722123456",
        plate="B123XYZ",
        arrival=datetime(2026, 12, 3, 8, tzinfo=UTC),
        departure=datetime(2026, 12, 6, 8, tzinfo=UTC),
    )
    saved, _ = fs_store.create_booking(stay, now=NOW)
    number = saved.booking_number or ""
    fs_store.set_booking_status(number, BookingStatus.CHECKED_IN, operator="ana", now=NOW)

    ahead = lot.bookings_ahead(fs_store, NOW.date(), "Europe/Bucharest")

    assert [b.booking_number for b in ahead] == [number]
    assert ahead[0].status == BookingStatus.CHECKED_IN
    assert (ahead[0].arrival, ahead[0].departure) == (stay.arrival, stay.departure)
    assert (ahead[0].client_name, ahead[0].client_email, ahead[0].plate) == ("", "", "")
    # A search by text still reads whole bookings, stays_only or not.
    found = fs_store.search_bookings(BookingQuery(text="Maria", stays_only=True))
    assert [b.client_email for b in found] == ["maria@example.ro"]
