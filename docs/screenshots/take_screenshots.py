"""Regenerate the screenshots in this folder from the real desk and kiosk, as a person sees them.

Run under a virtual display so the windows are drawn by a real X server::

    make translations
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_screenshots.py

Everything lives in a temporary folder named by the usual environment variables (settings
file, embedded store, outbox, signing key): the store is filled by ``parking-desk demo``
(invented names, example.com addresses) and gets its admin and one staff member from
``parking-desk staff``, each with a throwaway PIN, so no real person, address or secret can
appear in a picture. The desk is then signed in through its own sign-in screen, in Romanian
and in English, and each screen is saved as a small palette PNG.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QWidget

from parking_desk.config import load_settings
from parking_desk.services.demo import fill_demo
from parking_desk.services.store import open_sqlite
from parking_desk.services.store.base import WorkerInfo
from parking_desk.timeutil import utcnow
from parking_desk.ui.app import build_desk, shut_down
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.keys_tab import KeysTab
from parking_desk.ui.console.queue_model import Column
from parking_desk.ui.desk.bookings_tab import Scope
from parking_desk.ui.kiosk.kiosk_window import KioskWindow
from parking_desk.ui.translations import Translations

HERE = Path(__file__).resolve().parent
SIZE = (1280, 760)
ADMIN, ADMIN_PIN = "Ana Popescu", "2468"  # throwaway PINs for the temporary store only
STAFF, STAFF_PIN = "Radu Ionescu", "1357"


def pump(app: QApplication, until: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def settle(app: QApplication, seconds: float = 0.8) -> None:
    end = time.monotonic() + seconds
    pump(app, lambda: time.monotonic() > end, timeout=seconds + 1)


def save(widget: QWidget, name: str) -> None:
    """The widget as drawn, then stripped and reduced to a palette so the PNG stays small."""
    path = HERE / name
    widget.grab().save(str(path))
    convert = shutil.which("convert")
    if convert:
        subprocess.run([convert, str(path), "-strip", "-colors", "256", f"PNG8:{path}"], check=True)
    print(path.name)


def cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "parking_desk", *args], env=env, check=True)


def prepare(folder: Path) -> dict[str, str]:
    """The temporary site: settings, demo data over the past hour, the admin and a staff
    member, and the heartbeats of two workers for the kiosk."""
    (folder / "settings.toml").write_text(
        '[desk]\nsite_name = "Parcare Aeroport (demo)"\noperator = "Ghișeul 1"\n'
        "[worker]\ndrain_interval_s = 5\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.update(
        PARKING_DESK_CONFIG=str(folder / "settings.toml"),
        PARKING_DESK_SQLITE_PATH=str(folder / "demo.db"),
        PARKING_DESK_OUTBOX_DIR=str(folder / "outbox"),
        PARKING_DESK_QR_KEY=str(folder / "qr-key.pem"),
        PARKING_DESK_MAIL_TRANSPORT="outbox",
    )
    env.pop("PARKING_DESK_STORE", None)
    cli("demo", "--count", "20", env=env)
    cli("staff", "create-admin", ADMIN, env={**env, "PARKING_DESK_NEW_PIN": ADMIN_PIN})
    cli(
        "staff",
        "add",
        STAFF,
        "--as",
        ADMIN,
        env={**env, "PARKING_DESK_PIN": ADMIN_PIN, "PARKING_DESK_NEW_PIN": STAFF_PIN},
    )
    os.environ.update({k: v for k, v in env.items() if k.startswith("PARKING_DESK_")})
    store = open_sqlite(folder / "demo.db")
    now = utcnow()
    for round_, minutes_ago in enumerate((55, 45, 35, 25, 15, 5)):  # a shape for the sparkline
        fill_demo(store, 12, now=now - timedelta(minutes=minutes_ago), seed=round_ + 1)
    started = now - timedelta(hours=3)
    store.heartbeat(WorkerInfo("worker-srva-911-07be3d", "srva", 911, "worker", started, now, 120))
    store.heartbeat(
        WorkerInfo(
            "worker-srvb-912-5c2e80", "srvb", 912, "worker", started, now - timedelta(minutes=4)
        )
    )
    store.close()
    return env


def shoot_desk(language: str) -> None:
    settings = load_settings()
    settings.desk.language = language
    desk = build_desk(settings, Path(os.environ["PARKING_DESK_CONFIG"]))
    app, ctx, window = desk.app, desk.ctx, desk.window
    window.resize(*SIZE)
    window.move(0, 0)
    window.show()
    desk.start_connecting()
    form = window.sign_in.form
    pump(app, lambda: ctx.store is not None and window.sign_in.page is form)
    form.name.setText(STAFF)
    form.pin.setText(STAFF_PIN)
    settle(app, 0.4)
    save(window, f"desk-sign-in-{language}.png")
    form.name.setText(ADMIN)  # the admin sees the console's tabs too
    form.pin.setText(ADMIN_PIN)
    form.try_sign_in()
    pump(app, lambda: window.stack.currentWidget() is window.tabs)

    booking_form = window.new_booking.form
    booking_form.name.setText("Andreea Munteanu")
    booking_form.email.setText("andreea.munteanu@example.com")
    booking_form.phone.setText("0722 000 111")
    booking_form.plate.setText("B 204 PRK")
    booking_form.passengers.setValue(2)
    booking_form.notes.setText("Zbor spre Lisabona" if language == "ro" else "Flight to Lisbon")
    booking_form.language.setCurrentIndex(booking_form.language.findData(language))
    booking_form.save()
    qr = window.new_booking.qr
    pump(app, lambda: qr.number.text() != "" and qr.booking is not None)
    pump(app, lambda: qr.email.property("status") == "sent")
    settle(app)
    save(window, f"desk-new-booking-{language}.png")
    booking = qr.booking
    payload = qr.payload
    assert booking is not None and booking.booking_number

    bookings = window.bookings
    window.tabs.setCurrentWidget(bookings)
    bookings.scope.setCurrentIndex(bookings.scope.findData(Scope.ARRIVALS))
    bookings.refresh()
    bookings.count.clear()  # the answer to the last refresh writes it again
    pump(app, lambda: bookings.count.text() != "")
    bookings.table.selectRow(bookings.model.row_of(booking.booking_number) or 0)
    settle(app)
    save(window, f"desk-bookings-{language}.png")

    window.tabs.setCurrentWidget(window.scan)
    window.scan.input.setText(payload)
    window.scan.scan()
    pump(app, lambda: window.scan.outcome() == "checked_in")
    settle(app)
    save(window, f"desk-scan-{language}.png")

    queue = window.console.queue
    window.tabs.setCurrentWidget(queue)
    pump(app, lambda: queue.model.rowCount() > 50)
    dead = "eșuată definitiv" if language == "ro" else "dead"
    for row in range(queue.proxy.rowCount()):
        if queue.proxy.index(row, Column.STATE).data() == dead:
            queue.table.selectRow(row)
            break
    pump(app, lambda: queue.detail.view.toPlainText() != "")
    settle(app)
    save(window, f"console-queue-{language}.png")

    keys = next(
        w
        for w in (window.tabs.widget(i) for i in range(window.tabs.count()))
        if isinstance(w, KeysTab)
    )
    window.tabs.setCurrentWidget(keys)
    pump(app, lambda: keys.table.rowCount() > 0)
    keys.table.selectRow(0)
    settle(app)
    save(window, f"console-keys-{language}.png")

    window.close()
    shut_down(ctx, desk.pending)
    if window.translations is not None:  # take this run's translators off the QApplication
        window.translations.apply("en")


def shoot_kiosk(language: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    settings = load_settings()
    settings.desk.language = language
    translations = Translations(app)
    translations.apply(language)
    bridge = Bridge(read_workers=1)
    store = open_sqlite(settings.store.sqlite_path)
    kiosk = KioskWindow(lambda: store, bridge, settings, refresh_ms=60_000)
    kiosk.resize(*SIZE)
    kiosk.show()
    pump(app, lambda: kiosk.snapshot is not None)
    settle(app)
    save(kiosk, f"kiosk-{language}.png")
    kiosk.timer.stop()
    bridge.shutdown(wait=True)
    kiosk.shutdown()
    store.close()
    translations.apply("en")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="desk-screens-") as tmp:
        prepare(Path(tmp))
        for language in ("ro", "en"):
            shoot_desk(language)
        for language in ("ro", "en"):
            shoot_kiosk(language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
