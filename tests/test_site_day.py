"""The site's day, for the kiosk's "sent today" and every day list: midnight where the lot
is, on any machine and across the clock changes."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from parking_desk.services.queue_health import start_of_local_day
from parking_desk.site_time import day_bounds, today


@pytest.fixture(autouse=True)
def machine_on_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_sent_today_starts_at_the_sites_midnight_not_the_machines() -> None:
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 01:30 on 2 December in Bucharest
    assert start_of_local_day(late) == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert start_of_local_day(late, "Europe/London") == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def test_the_sites_days_are_23_or_25_hours_when_the_clocks_change() -> None:
    assert today(now=datetime(2026, 12, 1, 22, 30, tzinfo=UTC)) == date(2026, 12, 2)
    spring_start, spring_end = day_bounds(date(2026, 3, 29))
    autumn_start, autumn_end = day_bounds(date(2026, 10, 25))
    assert (spring_end - spring_start).total_seconds() == 23 * 3600
    assert (autumn_end - autumn_start).total_seconds() == 25 * 3600
    assert spring_start == datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
