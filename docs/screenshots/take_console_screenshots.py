"""Regenerate the queue-tab and kiosk screenshots (Romanian) from real widgets and demo data.

Run under a virtual display so fonts are drawn by a real X server::

    xvfb-run -a -s "-screen 0 1366x800x24" .venv/bin/python \
        docs/screenshots/take_console_screenshots.py

A fresh embedded store in a temporary folder is filled by the demo generator (invented
names, example.com addresses) in several rounds over the past hour, so the sparkline has a
shape; no real person or secret can appear in a picture.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTranslator
from PySide6.QtWidgets import QApplication

from parking_desk.config import Settings
from parking_desk.resources import resource_path
from parking_desk.services.demo import fill_demo
from parking_desk.services.roles import RoleSession, hash_pin
from parking_desk.services.store import open_sqlite
from parking_desk.services.store.base import WorkerInfo
from parking_desk.task import TaskState
from parking_desk.timeutil import utcnow
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_model import Column
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.kiosk.kiosk_window import KioskWindow

HERE = Path(__file__).resolve().parent
DEMO_PIN = "2468"  # a throwaway PIN for the picture's temporary store only


def pump(app: QApplication, until: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def settle(app: QApplication, seconds: float = 0.8) -> None:
    end = time.monotonic() + seconds
    pump(app, lambda: time.monotonic() > end, timeout=seconds + 1)


def romanian(app: QApplication, folder: Path) -> QTranslator:
    qm = folder / "console_ro.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    ts = resource_path("translations", "console_ro.ts")
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator(app)
    translator.load(str(qm))
    app.installTranslator(translator)
    return translator


def seed(path: Path) -> None:
    store = open_sqlite(path)
    now = utcnow()
    for round_, minutes_ago in enumerate((55, 45, 35, 25, 15, 6)):
        fill_demo(store, 30, now=now - timedelta(minutes=minutes_ago), seed=round_)
    started = now - timedelta(hours=3)
    store.heartbeat(WorkerInfo("desk-desk1-2101-a41f9c", "desk1", 2101, "desk", started, now, 84))
    store.heartbeat(
        WorkerInfo(
            "worker-srva-911-07be3d", "srva", 911, "worker", started, now - timedelta(seconds=8)
        )
    )
    store.heartbeat(
        WorkerInfo(
            "worker-srvb-912-5c2e80", "srvb", 912, "worker", started, now - timedelta(minutes=4)
        )
    )
    store.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        romanian(app, folder)
        db = folder / "demo.db"
        seed(db)
        store = open_sqlite(db)
        bridge = Bridge()
        session = RoleSession(hash_pin(DEMO_PIN), operator="Maria")
        session.unlock(DEMO_PIN)

        tab = QueueTab(store, bridge, session, language="ro")
        tab.setWindowTitle("Parking Desk — Coadă")
        tab.resize(1366, 800)
        tab.show()
        pump(app, lambda: tab.model.rowCount() > 100)
        for row in range(tab.proxy.rowCount()):
            if tab.proxy.index(row, Column.STATE).data() == "eșuată definitiv":
                tab.table.selectRow(row)
                break
        pump(app, lambda: "Istoricul" in tab.detail.view.toPlainText())
        settle(app)
        tab.grab().save(str(HERE / "console-queue-ro.png"))

        tab.state_combo.setCurrentIndex(tab.state_combo.findData(TaskState.DEAD))
        settle(app)
        tab.grab().save(str(HERE / "console-queue-dead-ro.png"))
        tab.shutdown()
        tab.close()

        settings = Settings()
        kiosk = KioskWindow(lambda: store, bridge, settings, refresh_ms=60_000)
        kiosk.resize(1366, 800)
        kiosk.show()
        pump(app, lambda: kiosk.snapshot is not None)
        settle(app)
        kiosk.grab().save(str(HERE / "kiosk-ro.png"))

        store.path.rename(folder / "away.db")
        kiosk.refresh()
        pump(app, lambda: kiosk.offline_since is not None)
        settle(app, 0.3)
        kiosk.grab().save(str(HERE / "kiosk-offline-ro.png"))
        kiosk.timer.stop()
        bridge.shutdown(wait=True)
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
