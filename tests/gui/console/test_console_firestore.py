"""The queue tab on the real Cloud Firestore emulator: listener-driven rows and a retry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from console_data import TIMEOUT
from pytestqt.qtbot import QtBot

from parking_desk.services.roles import RoleSession
from parking_desk.services.store import Store, open_firestore
from parking_desk.task import TaskState
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_columns import Column
from parking_desk.ui.console.queue_tab import QueueTab

pytestmark = pytest.mark.firestore
WAIT = 30_000  # the first listener of a freshly started emulator can take 15 s


@pytest.fixture
def fs_store(firestore_db) -> Iterator[Store]:
    opened = open_firestore(firestore_db.project)
    yield opened
    opened.close()


def state_of(tab: QueueTab, booking: str) -> str | None:
    for row in range(tab.proxy.rowCount()):
        if tab.proxy.index(row, Column.BOOKING).data() == booking:
            return tab.proxy.index(row, Column.STATE).data()
    return None


def test_a_website_task_failing_in_firestore_changes_state_live_and_is_retried(
    qtbot: QtBot, fs_store: Store, bridge: Bridge, supervisor: RoleSession
) -> None:
    tab = QueueTab(fs_store, bridge, supervisor)
    qtbot.addWidget(tab)
    tab.show()
    fs_store.import_raw_task(
        "web-1",
        {
            "type": "both",
            "bookingNumber": "867962",
            "clientEmail": "ion@example.ro",
            "createdAt": datetime.now(UTC) - timedelta(minutes=1),
        },
    )
    qtbot.waitUntil(lambda: state_of(tab, "867962") == "pending", timeout=WAIT)

    (task,) = fs_store.claim_due("w-fs", 1, timedelta(minutes=5))
    qtbot.waitUntil(lambda: state_of(tab, "867962") == "processing", timeout=WAIT)
    fs_store.fail_transient(task, "w-fs", TIMEOUT, datetime.now(UTC) + timedelta(minutes=9))
    qtbot.waitUntil(lambda: state_of(tab, "867962") == "retrying", timeout=WAIT)

    tab.table.selectRow(0)
    tab.retry_selected()
    qtbot.waitUntil(lambda: tab.message.text() == "Tasks retried: 1.", timeout=WAIT)
    qtbot.waitUntil(lambda: state_of(tab, "867962") == "pending", timeout=WAIT)
    stored = fs_store.get_task("web-1")
    assert (stored.status, stored.attempts) == (TaskState.PENDING, 0)
    (entry,) = fs_store.audit_log()
    assert (entry.operator, entry.action, entry.task_ids) == (
        "Maria (supervisor)",
        "retry",
        ["web-1"],
    )
    tab.shutdown()


def test_the_kiosk_goes_offline_when_firestore_stops_answering_and_comes_back(
    qtbot: QtBot, firestore_db, fs_store: Store, bridge: Bridge
) -> None:
    from parking_desk.config import Settings
    from parking_desk.ui.kiosk.kiosk_window import KioskWindow

    due = datetime.now(UTC) - timedelta(minutes=2)
    fs_store.import_raw_task(
        "web-2",
        {"type": "qr", "bookingNumber": "555001", "status": "pending", "nextAttemptAt": due},
    )
    board = KioskWindow(lambda: fs_store, bridge, Settings(), refresh_ms=200)
    qtbot.addWidget(board)
    board.show()
    qtbot.waitUntil(lambda: board.snapshot is not None, timeout=WAIT)
    assert board.tiles["pending"].value.text() == "1"
    assert board.tiles["oldest"].value.text() == "2 min"

    firestore_db.pause()  # the process stops answering, as a dead network link would
    try:
        qtbot.waitUntil(lambda: board.status.text().startswith("Offline since "), timeout=WAIT)
        assert board.light_text.text() == "Offline"
    finally:
        firestore_db.resume()
    qtbot.waitUntil(lambda: board.status.text().startswith("Updated "), timeout=30_000)
    assert board.offline_since is None
    board.shutdown()
