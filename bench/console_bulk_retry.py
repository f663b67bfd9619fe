"""Retry 10,000 dead tasks from the queue tab and measure how responsive the window stays.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/console_bulk_retry.py

A 10 ms GUI timer records the longest gap between its ticks while the tab loads the queue,
counts the matching tasks, and retries them in batches: that gap is the longest the window
could not repaint or take a click.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import LastError, TaskState
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_tab import QueueTab

N = 10_000
BOUNCE = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)


class StallMeter:
    def __init__(self) -> None:
        self.worst = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last)
        self._last = now

    def reset(self) -> None:
        self.worst, self._last = 0.0, time.perf_counter()


def pump(app: QApplication, until, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def seed(store: SqliteStore) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    for i in range(N):
        doc = {
            "type": "email",
            "bookingNumber": str(100000 + i),
            "clientEmail": f"c{i}@example.ro",
            "createdAt": start + timedelta(seconds=i),
        }
        store.import_raw_task(f"t{i:05d}", doc)
    for task in store.claim_due("bench", N, timedelta(minutes=5)):
        store.fail_permanent(task, "bench", BOUNCE)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db", poll_interval=0.1)
        t = time.perf_counter()
        seed(store)
        print(f"seed {N} dead tasks: {time.perf_counter() - t:.1f} s")
        session = RoleSession(Person("bench", "Bench", Role.SUPERVISOR))
        bridge = Bridge()
        meter = StallMeter()
        tab = QueueTab(store, bridge, session)
        tab.resize(1366, 800)
        tab.show()
        t = time.perf_counter()
        pump(app, lambda: tab.model.rowCount() == N)
        print(
            f"load into the table: {time.perf_counter() - t:.2f} s, "
            f"longest stall {meter.worst * 1000:.0f} ms"
        )
        tab.state_combo.setCurrentIndex(tab.state_combo.findData(TaskState.DEAD))

        def confirm() -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                box.button(QMessageBox.StandardButton.Yes).click()

        clicker = QTimer()
        clicker.timeout.connect(confirm)
        clicker.start(20)
        meter.reset()
        t = time.perf_counter()
        tab.retry_all_button.click()
        pump(app, lambda: tab.message.text().startswith("Tasks retried"))
        elapsed = time.perf_counter() - t
        print(
            f"retry {N} over a filter (count, confirm, 20 batches): {elapsed:.2f} s, "
            f"longest stall {meter.worst * 1000:.0f} ms; {tab.message.text()}"
        )
        meter.reset()
        t = time.perf_counter()
        pump(app, lambda: tab.proxy.rowCount() == 0)
        print(
            f"table follows the feed (10,000 rows leave the filter): "
            f"{time.perf_counter() - t:.2f} s, longest stall {meter.worst * 1000:.0f} ms"
        )
        print(f"audit entries: {len(store.audit_log())}")
        tab.shutdown()
        bridge.shutdown(wait=True)
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
