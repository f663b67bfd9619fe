"""The kiosk's figures read the way it reads them, on both stores: the day's sends counted
rather than listed, and the lot's stays read without the rest of each booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contract_data import LEASE, T0, booking

from parking_desk.booking import Booking, BookingStatus
from parking_desk.config import KioskSettings
from parking_desk.services import lot
from parking_desk.services.queue_health import collect_health
from parking_desk.services.store import Store
from parking_desk.services.store.base import BookingQuery, DeliveryOutcome

SENT = DeliveryOutcome(provider="smtp", message_id="<m>", email_sent=True)
ZONE = "Europe/Bucharest"


def test_sent_today_counts_the_whole_day_and_the_last_hour_its_own(store: Store) -> None:
    for _ in range(3):
        store.create_booking(booking(), now=T0)
    morning, noon, now_ = store.claim_due("w1", 3, LEASE, now=T0)
    store.complete(morning, "w1", SENT, now=T0)  # 11:00 at the site
    store.complete(noon, "w1", SENT, now=T0 + timedelta(hours=3))
    store.complete(now_, "w1", SENT, now=T0 + timedelta(hours=5))

    assert store.sent_count_since(T0 - timedelta(minutes=1)) == 3
    assert store.sent_count_since(T0 + timedelta(hours=1)) == 2
    assert store.sent_count_since(T0 + timedelta(hours=6)) == 0

    snap = collect_health(
        store, KioskSettings(), now=T0 + timedelta(hours=5, minutes=10), time_zone=ZONE
    )
    assert (snap.sent_today, snap.sent_last_hour, sum(snap.per_minute)) == (3, 1, 1)
    # The next day at the site (midnight in Bucharest is 22:00 UTC) starts from none.
    next_day = datetime(2026, 11, 28, 22, 30, tzinfo=UTC)
    assert collect_health(store, KioskSettings(), now=next_day, time_zone=ZONE).sent_today == 0


def stay(b: Booking) -> tuple:
    return (b.booking_number, b.status, b.arrival, b.departure, b.checked_in_at)


def test_stays_only_gives_every_stay_a_full_search_gives(store: Store) -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    numbers = []
    for day in (3, 4, 5):
        saved, _ = store.create_booking(
            booking(
                client_name=f"Stay {day}",
                arrival=datetime(2026, 12, day, 8, tzinfo=UTC),
                departure=datetime(2026, 12, day + 2, 8, tzinfo=UTC),
            ),
            now=now,
        )
        numbers.append(saved.booking_number or "")
    store.set_booking_status(numbers[0], BookingStatus.CHECKED_IN, operator="ana", now=now)

    for query in (
        BookingQuery(departure_from=now, limit=100),
        BookingQuery(statuses=frozenset({BookingStatus.CHECKED_IN}), limit=100),
    ):
        full = store.search_bookings(query)
        stays = store.search_bookings(BookingQuery(**{**query.__dict__, "stays_only": True}))
        assert [stay(b) for b in stays] == [stay(b) for b in full]
        assert full

    figures = lot.occupancy(store, 10, ZONE, now=now)
    assert figures.on_lot == 1
    assert dict(figures.days)[datetime(2026, 12, 5).date()] == 2
