"""A bounced task in the queue table: shown as bounced with the remote server's reason, and
fixed and resent from its row."""

from __future__ import annotations

from datetime import timedelta

from console_data import add_tasks, answer_dialogs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from parking_desk.bounce import Bounce, BounceKind
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import TaskState
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_model import Column
from parking_desk.ui.console.queue_tab import QueueTab

WAIT = 5000
MESSAGE_ID = "<task-task-00000@parcare.example>"


def _bounced(store: SqliteStore) -> str:
    (task_id,) = add_tasks(store, 1, email="nimeni@client.example")
    (task,) = store.claim_due("worker-a", 1, timedelta(minutes=5))
    store.complete(task, "worker-a", DeliveryOutcome("smtp:test", MESSAGE_ID, True))
    report = Bounce(
        BounceKind.PERMANENT,
        MESSAGE_ID,
        "nimeni@client.example",
        "5.1.1",
        "550 5.1.1 <nimeni@client.example>: User unknown",
    )
    assert store.bounces.record_bounce(task_id, report, "worker-a", now=task.updated_at)
    return task_id


def test_fix_recipient_and_resend_from_a_bounced_row(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    task_id = _bounced(store)
    tab = QueueTab(store, bridge, supervisor, language="en")
    qtbot.addWidget(tab)
    tab.show()
    try:
        qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
        state = tab.proxy.index(0, Column.STATE)
        assert state.data() == "bounced"
        assert "User unknown" in tab.proxy.index(0, Column.LAST_ERROR).data()
        assert tab.proxy.index(0, Column.BOOKING).data(Qt.ItemDataRole.BackgroundRole) is not None
        tab.table.selectRow(0)

        def answer(widget: QWidget) -> bool:
            field = widget.findChild(QLineEdit)
            if field is None:
                return False
            field.setText("ana@client.example")
            qtbot.keyClick(field, Qt.Key.Key_Return)
            return True

        timer = answer_dialogs(answer)
        qtbot.mouseClick(tab.recipient_button, Qt.MouseButton.LeftButton)
        timer.stop()
        qtbot.waitUntil(lambda: tab.proxy.index(0, Column.STATE).data() == "pending", timeout=WAIT)
        assert tab.proxy.index(0, Column.RECIPIENT).data() == "ana@client.example"
        task = store.get_task(task_id)
        assert task.status == TaskState.PENDING and task.client_email == "ana@client.example"
        assert [e.action for e in store.audit_log()] == ["update_recipient"]
        # The old address stays suppressed; the new one is not.
        assert store.suppressions.get("nimeni@client.example") is not None
        assert store.suppressions.get("ana@client.example") is None
    finally:
        tab.shutdown()
