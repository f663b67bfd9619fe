"""The kiosk's lot figures: cars on the lot now against capacity, and the days ahead as a
row of bars; counts only, never whose car."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from parking_desk.booking import Booking, BookingStatus
from parking_desk.config import Settings
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.site_time import local
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.kiosk.kiosk_window import KioskWindow

WAIT = 5000
# Midday on the site's clock, so "today" and the days ahead do not depend on when it runs.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def book(store: SqliteStore, name: str, plate: str, days: tuple[int, int], **kw) -> Booking:
    booking, _ = store.create_booking(
        Booking(
            client_name=name,
            client_email=f"{plate.lower()}@example.ro",
            phone="0722 111 222",
            plate=plate,
            arrival=NOW + timedelta(days=days[0]),
            departure=NOW + timedelta(days=days[1]),
        )
    )
    return booking


def shown(window: QWidget) -> str:
    texts = [window.windowTitle()]
    for widget in [window, *window.findChildren(QWidget)]:
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        texts += [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
    return "\n".join(t for t in texts if t).casefold()


def test_the_board_shows_the_lot_now_and_the_days_ahead(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge
) -> None:
    parked = book(store, "Ștefania Rădulescu", "B123XYZ", (-1, 2))
    store.set_booking_status(parked.booking_number, BookingStatus.CHECKED_IN, operator="Ana")
    book(store, "Mihai Ionescu", "CJ45ABC", (1, 3))
    settings = Settings()
    settings.desk.language = "en"
    settings.desk.capacity = 2

    window = KioskWindow(lambda: store, bridge, settings, refresh_ms=100, clock=lambda: NOW)
    qtbot.addWidget(
        window, before_close_func=lambda w: w.setWindowState(Qt.WindowState.WindowNoState)
    )
    window.resize(1366, 800)
    window.show()
    qtbot.waitUntil(lambda: window.occupancy is not None, timeout=WAIT)

    assert window.lot_tile.caption.text() == "Cars on the lot"
    assert window.lot_tile.value.text() == "1 / 2"
    today = local(NOW, settings.desk.time_zone).date()
    days = window.lot_bars.days
    assert len(days) == 14 and days[0][0] == today
    # The parked car holds today and tomorrow (it leaves on the third day, which it frees);
    # the next client tomorrow and the day after; then the lot is empty.
    assert [n for _, n in days[:4]] == [1, 2, 1, 0]
    description = window.lot_bars.accessibleDescription()
    assert description.startswith("Expected cars on the lot, of 2 places: ")
    assert f"{(today + timedelta(days=1)).strftime('%d.%m')}: 2" in description
    text = shown(window)
    for secret in ("Ștefania", "Rădulescu", "Mihai", "Ionescu", "B123XYZ", "CJ45ABC", "0722"):
        assert secret.casefold() not in text, secret


def test_without_a_capacity_the_board_shows_the_count_alone(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge
) -> None:
    settings = Settings()
    settings.desk.language = "en"
    window = KioskWindow(lambda: store, bridge, settings, refresh_ms=100, clock=lambda: NOW)
    qtbot.addWidget(
        window, before_close_func=lambda w: w.setWindowState(Qt.WindowState.WindowNoState)
    )
    window.show()
    qtbot.waitUntil(lambda: window.occupancy is not None, timeout=WAIT)
    assert window.lot_tile.value.text() == "0"
    assert window.lot_bars.accessibleDescription().startswith("Expected cars on the lot: ")
