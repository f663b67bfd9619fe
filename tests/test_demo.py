"""The demo data: every seed and every hour of the day fills the store, each stay's visit
told at the time it happened."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from parking_desk.booking import BookingStatus
from parking_desk.services.demo import fill_demo
from parking_desk.services.store.sqlite.store import SqliteStore


@pytest.mark.parametrize("hour", [0, 7, 13, 23])
def test_stays_that_have_ended_are_checked_in_and_out_in_their_time(
    tmp_path: Path, hour: int
) -> None:
    # 200 bookings arrive up to 72 h ago and stay two days or more: several have left by now,
    # and checking one in now would be refused as expired.
    now = datetime(2026, 12, 2, hour, 30, tzinfo=UTC)
    store = SqliteStore(tmp_path / "demo.db")
    try:
        made = fill_demo(store, count=200, now=now, seed=hour)
        bookings = [store.get_booking(b.booking_number or "") for b in made]
    finally:
        store.close()
    left = [b for b in bookings if b and b.status == BookingStatus.CHECKED_OUT]
    assert left
    for booking in left:
        came, went = (
            next(h for h in booking.history if h.get("action") == s)
            for s in (BookingStatus.CHECKED_IN, BookingStatus.CHECKED_OUT)
        )
        assert booking.arrival <= _at(came) < booking.departure <= _at(went) <= now
    assert not [b for b in bookings if b and b.departure <= now and b.status == "checked_in"]


def _at(entry: dict) -> datetime:
    at = entry["at"]
    return at if isinstance(at, datetime) else datetime.fromisoformat(at)


def test_every_booking_is_saved_with_its_one_confirmation(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "demo.db")
    try:
        made = fill_demo(store, count=30, now=datetime(2026, 12, 2, 0, 30, tzinfo=UTC), seed=1)
        numbers = {t.booking_number for t in store.list_tasks() if t.kind == "confirmation"}
    finally:
        store.close()
    assert numbers == {b.booking_number for b in made} and len(numbers) == 30
