"""One site, one clock: the desk's day lists, its times and what it takes as typed follow
the site's time zone (``desk.time_zone``), not the zone the machine happens to be set to."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QTime

from parking_desk.config import Settings, load_settings
from parking_desk.errors import ConfigError
from parking_desk.services.desk_actions import Scope
from parking_desk.ui.desk.booking_form import BookingForm
from parking_desk.ui.desk.bookings_tab import BookingsTab
from parking_desk.ui.local_time import show

SITE = ZoneInfo("Europe/Bucharest")


@pytest.fixture
def machine_in_another_zone(monkeypatch):
    """A desk whose clock is set to UTC (a server image, a laptop from abroad)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def at_site(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time(), SITE).replace(hour=hour, minute=minute)


def shown_numbers(tab: BookingsTab) -> set[str]:
    return {b.booking_number for b in tab.model.bookings()}


def test_the_site_zone_is_one_setting_bucharest_by_default(tmp_path: Path) -> None:
    assert Settings().desk.time_zone == "Europe/Bucharest"
    s = load_settings(tmp_path / "absent.toml", env={"PARKING_DESK_TIME_ZONE": "Europe/London"})
    assert s.desk.time_zone == "Europe/London"
    with pytest.raises(ConfigError) as refused:
        load_settings(tmp_path / "absent.toml", env={"PARKING_DESK_TIME_ZONE": "Europe/Otopeni"})
    assert "PARKING_DESK_TIME_ZONE" in str(refused.value)
    assert "Europe/Otopeni" in refused.value.translated("ro")


def test_todays_lists_are_the_sites_day_not_the_utc_day(
    qtbot, ctx, new_booking, machine_in_another_zone
):
    today = datetime.now(SITE).date()
    early = new_booking(  # 01:30 at the site is the previous day in UTC
        arrival=at_site(today, 1, 30), departure=at_site(today + timedelta(days=3), 0, 30)
    )
    late = new_booking(
        arrival=at_site(today, 23, 30), departure=at_site(today + timedelta(days=2), 23, 30)
    )
    tomorrow = new_booking(
        arrival=at_site(today + timedelta(days=1), 0, 30),
        departure=at_site(today + timedelta(days=4), 12),
    )
    returning = new_booking(
        arrival=at_site(today - timedelta(days=3), 9),
        departure=at_site(today, 0, 45),
    )
    tab = BookingsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.scope.setCurrentIndex(tab.scope.findData(Scope.ARRIVALS))
    qtbot.waitUntil(
        lambda: shown_numbers(tab) == {early.booking_number, late.booking_number}, timeout=5000
    )
    assert tomorrow.booking_number not in shown_numbers(tab)
    tab.scope.setCurrentIndex(tab.scope.findData(Scope.RETURNS))
    qtbot.waitUntil(lambda: shown_numbers(tab) == {returning.booking_number}, timeout=5000)


def test_times_are_shown_and_typed_in_the_sites_zone(
    qtbot, type_text, ctx, store, machine_in_another_zone
):
    winter = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 01:30 on 2 December in Bucharest
    assert show(winter) == "02.12.2026 01:30"
    form = BookingForm(ctx)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    type_text(form.name, "Ion Popescu")
    type_text(form.email, "ion@example.com")
    type_text(form.phone, "0712345678")
    type_text(form.plate, "B123ABC")
    # The wall-clock values a person types into the editors' sections.
    form.arrival.setDate(QDate(2036, 12, 2))
    form.arrival.setTime(QTime(6, 30))
    form.departure.setDate(QDate(2036, 12, 9))
    form.departure.setTime(QTime(18, 0))
    assert form.arrival.text() == "02.12.2036 06:30"
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        form.save()
    booking = store.get_booking(saved.args[0].booking.booking_number)
    assert booking.arrival == datetime(2036, 12, 2, 4, 30, tzinfo=UTC)
    assert booking.departure == datetime(2036, 12, 9, 16, 0, tzinfo=UTC)
    assert show(booking.arrival) == "02.12.2036 06:30"


def test_another_site_zone_moves_every_time_the_desk_shows(qtbot, settings, ctx):
    from parking_desk.ui.context import AppContext

    settings.desk.time_zone = "America/New_York"
    AppContext(settings=settings, bridge=ctx.bridge, session=ctx.session)
    try:
        assert show(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == "01.12.2026 18:30"
    finally:
        settings.desk.time_zone = "Europe/Bucharest"
        AppContext(settings=settings, bridge=ctx.bridge, session=ctx.session)


def test_a_ticket_prints_the_sites_times(machine_in_another_zone):
    from parking_desk.services.ticket_layout import TextBlock, Ticket, blocks

    arrival = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    ticket = Ticket("Otopeni", "867962", "B123ABC", arrival, arrival + timedelta(days=3), "P")
    texts = [b.text for b in blocks(ticket, "en") if isinstance(b, TextBlock)]
    assert "Arrival: 02.12.2026 01:30" in texts
    assert "Arrival: 02.12.2026 01:30" in [
        b.text for b in blocks(ticket, "en", show) if isinstance(b, TextBlock)
    ]
