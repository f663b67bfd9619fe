"""Regenerate the desk screenshots in this folder from the real app and demo data.

Run under a virtual display so the window is drawn by a real X server::

    xvfb-run -a -s "-screen 0 1366x800x24" .venv/bin/python docs/screenshots/take_screenshots.py

Everything lives in a temporary folder: a fresh embedded store filled by the demo generator
(invented names, example.com addresses), a throwaway signing key, and the outbox transport,
so no real person, address or secret can appear in a picture.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop

from parking_desk.booking import BookingStatus
from parking_desk.config import Settings
from parking_desk.services.demo import fill_demo
from parking_desk.services.store import open_sqlite
from parking_desk.services.store.base import BookingQuery
from parking_desk.ui.app import build_desk, shut_down

HERE = Path(__file__).resolve().parent


def wait(app, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def settle(app, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def shoot(language: str, settings: Settings, folder: Path) -> None:
    settings.desk.language = language
    desk = build_desk(settings, folder / "settings.toml")
    app, ctx, window = desk.app, desk.ctx, desk.window
    window.resize(1366, 770)
    window.move(0, 0)
    window.show()
    desk.start_connecting()
    wait(app, lambda: ctx.store is not None)

    form = window.new_booking.form
    form.name.setText("Andreea Munteanu")
    form.email.setText("andreea.munteanu@example.com")
    form.phone.setText("0722 000 111")
    form.plate.setText("B 204 PRK")
    form.passengers.setValue(2)
    form.notes.setText("Zbor spre Lisabona" if language == "ro" else "Flight to Lisbon")
    form.language.setCurrentIndex(form.language.findData(language))
    form.save()
    wait(app, lambda: window.new_booking.qr.number.text() != "")
    wait(app, lambda: window.new_booking.qr.email.property("status") == "sent")
    settle(app)
    window.grab().save(str(HERE / f"desk-new-booking-{language}.png"))
    form.name.setText("Mihai Dumitrescu")
    form.email.setText("mihai@")
    form.plate.setText("CJ 07 ABC")
    form.save()  # shows the inline errors next to the fields
    settle(app)
    window.grab().save(str(HERE / f"desk-new-booking-errors-{language}.png"))

    window.tabs.setCurrentWidget(window.bookings)
    wait(app, lambda: window.bookings.model.rowCount() > 10)
    window.bookings.table.selectRow(2)
    settle(app)
    window.grab().save(str(HERE / f"desk-bookings-{language}.png"))

    store = ctx.store
    confirmed = [
        b
        for b in store.search_bookings(BookingQuery(limit=200))
        if b.status == BookingStatus.CONFIRMED and b.departure > datetime.now(UTC)
    ]
    booking = confirmed[0]
    payload = ctx.signer.payload(
        booking.booking_number, booking.plate, ctx.ticket_valid_until(booking.departure)
    )
    window.tabs.setCurrentWidget(window.scan)
    window.scan.input.setText(payload)
    window.scan.scan()
    wait(app, lambda: window.scan.outcome() == "checked_in")
    settle(app)
    window.grab().save(str(HERE / f"desk-scan-{language}.png"))
    window.scan.input.setText(payload.replace(booking.plate, "B999XXX", 1))
    window.scan.scan()
    settle(app)
    window.grab().save(str(HERE / f"desk-scan-refused-{language}.png"))

    window.close()
    shut_down(ctx, desk.pending)
    window.translations.apply("en")  # take this run's translators off the shared QApplication


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="desk-screens-"))
    settings = Settings()
    settings.store.sqlite_path = folder / "demo.db"
    settings.qr.key_path = folder / "qr-key.pem"
    settings.mail.outbox_dir = folder / "outbox"
    settings.desk.site_name = "Parcare Aeroport (demo)"
    settings.desk.operator = "Ana"
    settings.worker.drain_interval_s = 5
    store = open_sqlite(settings.store.sqlite_path)
    fill_demo(store, count=60, seed=7)
    store.close()
    for language in ("ro", "en"):
        shoot(language, settings, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
