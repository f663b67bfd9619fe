"""The suppression list in the console: what a supervisor and staff see of it, a supervisor's
"Clear", a recipient fixed to the same address, the queue's words for a suppressed address,
and the line that says this desk reads no bounces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from console_data import add_tasks, answer_dialogs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from parking_desk.bounce import Bounce, BounceKind, suppressed_error
from parking_desk.config import Settings
from parking_desk.errors import PermissionDenied
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.services.suppressions import clear_suppression
from parking_desk.task import TaskState
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.audit_tab import AuditTab
from parking_desk.ui.console.queue_model import Column
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.console.suppressions_tab import Column as SupColumn
from parking_desk.ui.console.suppressions_tab import SuppressionsTab
from parking_desk.ui.context import AppContext

WAIT = 5000
ADDRESS = "nimeni@client.example"
MESSAGE_ID = "<task-task-00000@parcare.example>"


def bounced(store: SqliteStore) -> str:
    """A task sent, then bounced by the client's server: its address is suppressed."""
    (task_id,) = add_tasks(store, 1, email=ADDRESS)
    (task,) = store.claim_due("worker-a", 1, timedelta(minutes=5))
    store.complete(task, "worker-a", DeliveryOutcome("smtp:test", MESSAGE_ID, True))
    report = Bounce(
        BounceKind.PERMANENT, MESSAGE_ID, ADDRESS, "5.1.1", f"550 5.1.1 <{ADDRESS}>: User unknown"
    )
    assert store.bounces.record_bounce(task_id, report, "worker-a", now=task.updated_at)
    return task_id


def refused(store: SqliteStore, task_id: str) -> None:
    """Retried, the task meets the suppression: dead with the reason the worker writes."""
    store.retry_tasks([(task_id, None)], operator="Maria (supervisor)")
    (task,) = store.claim_due("worker-a", 1, timedelta(minutes=5))
    entry = store.suppressions.get(ADDRESS)
    assert entry is not None
    store.fail_permanent(task, "worker-a", suppressed_error(entry))


def tab_for(qtbot: QtBot, store: SqliteStore, bridge: Bridge, session: RoleSession):
    ctx = AppContext(settings=Settings(), bridge=bridge, session=session, store=store)
    tab = SuppressionsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_a_supervisor_sees_the_address_whole_and_clears_it_audited(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    task_id = bounced(store)
    tab = tab_for(qtbot, store, bridge, supervisor)
    audit = AuditTab(tab.ctx)
    qtbot.addWidget(audit)
    audit.show()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=WAIT)
    cell = {c: tab.table.item(0, c).text() for c in SupColumn}
    assert cell[SupColumn.ADDRESS] == ADDRESS
    assert "bounce-5.1.1" in cell[SupColumn.REASON] and "User unknown" in cell[SupColumn.REASON]
    assert cell[SupColumn.TASK] == task_id and cell[SupColumn.SINCE]
    assert "1 suppressed address" in tab.status.text()

    assert tab.clear_button.isVisible() and not tab.clear_button.isEnabled()
    tab.table.selectRow(0)
    assert tab.clear_button.isEnabled()
    asked: list[str] = []
    tab.confirm = lambda entry: asked.append(entry.address) or True
    with qtbot.waitSignal(tab.cleared, timeout=WAIT):
        qtbot.mouseClick(tab.clear_button, Qt.MouseButton.LeftButton)
    assert asked == [ADDRESS]
    qtbot.waitUntil(lambda: tab.table.rowCount() == 0, timeout=WAIT)
    assert f"{ADDRESS} cleared" in tab.status.text()
    # An audit log open on the same desk hears of the clear from the change hub.
    qtbot.waitUntil(lambda: audit.table.rowCount() == 1, timeout=WAIT)
    assert audit.table.item(0, 2).text() == "bounced address cleared"
    qtbot.mouseClick(tab.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.status.text() == "0 suppressed address(es)", timeout=WAIT)
    assert store.suppressions.get(ADDRESS) is None
    [audit] = [e for e in store.audit_log() if e.action == "clear_suppression"]
    assert audit.operator == "Maria (supervisor)" and audit.task_ids == [task_id]


def test_staff_see_the_address_masked_and_cannot_clear_it(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, staff: RoleSession
) -> None:
    bounced(store)
    tab = tab_for(qtbot, store, bridge, staff)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=WAIT)
    assert tab.table.item(0, SupColumn.ADDRESS).text() == "n***@client.example"
    assert not tab.clear_button.isVisible()
    tab.table.selectRow(0)
    tab.confirm = lambda entry: True
    tab.clear_selected()  # the button is hidden; the call changes nothing either
    with pytest.raises(PermissionDenied):
        clear_suppression(store, staff, ADDRESS)
    assert store.suppressions.get(ADDRESS) is not None
    assert not [e for e in store.audit_log() if e.action == "clear_suppression"]


def _fix_to(qtbot: QtBot, tab: QueueTab, address: str) -> None:
    tab.table.selectRow(0)

    def answer(widget: QWidget) -> bool:
        field = widget.findChild(QLineEdit)
        if field is None:
            return False
        field.setText(address)
        qtbot.keyClick(field, Qt.Key.Key_Return)
        return True

    timer = answer_dialogs(answer)
    qtbot.mouseClick(tab.recipient_button, Qt.MouseButton.LeftButton)
    timer.stop()


def test_fixing_a_recipient_to_the_same_address_lifts_its_suppression(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    task_id = bounced(store)
    tab = QueueTab(store, bridge, supervisor, language="en")
    qtbot.addWidget(tab)
    tab.show()
    try:
        qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
        _fix_to(qtbot, tab, ADDRESS.upper())  # the same mailbox, however typed
        qtbot.waitUntil(lambda: tab.proxy.index(0, Column.STATE).data() == "pending", timeout=WAIT)
        assert store.suppressions.get(ADDRESS) is None
        actions = [e.action for e in store.audit_log()]
        assert sorted(actions) == ["clear_suppression", "update_recipient"]
        [cleared] = [e for e in store.audit_log() if e.action == "clear_suppression"]
        assert cleared.operator == "Maria (supervisor)"
        # The worker now sends to it: no suppression stands in the way.
        (task,) = store.claim_due("worker-a", 1, timedelta(minutes=5))
        assert task.id == task_id and store.suppressions.get(task.client_email) is None
    finally:
        tab.shutdown()


def test_a_fix_in_the_queue_redraws_the_open_suppression_list_and_audit_log(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    """Three tabs of one desk, none wired to another: the change hub tells the list and the
    log that the queue's fix lifted a suppression and was audited."""
    bounced(store)
    suppressions = tab_for(qtbot, store, bridge, supervisor)
    audit = AuditTab(suppressions.ctx)
    qtbot.addWidget(audit)
    audit.show()
    queue = QueueTab(suppressions.ctx)
    qtbot.addWidget(queue)
    queue.show()
    queue.set_store(store)
    try:
        qtbot.waitUntil(lambda: queue.proxy.rowCount() == 1, timeout=WAIT)
        assert suppressions.table.rowCount() == 1 and audit.table.rowCount() == 0
        _fix_to(qtbot, queue, ADDRESS)
        qtbot.waitUntil(lambda: suppressions.table.rowCount() == 0, timeout=WAIT)
        qtbot.waitUntil(lambda: audit.table.rowCount() == 2, timeout=WAIT)
        labels = {audit.table.item(r, 2).text() for r in range(2)}
        assert labels == {"fix recipient", "bounced address cleared"}
    finally:
        queue.shutdown()


def test_the_suppressed_reason_reads_in_the_desks_language(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    task_id = bounced(store)
    refused(store, task_id)
    day = store.suppressions.get(ADDRESS).at.strftime("%Y-%m-%d")
    assert store.get_task(task_id).status == TaskState.DEAD
    tab = QueueTab(store, bridge, supervisor, language="ro")
    qtbot.addWidget(tab)
    tab.show()
    try:
        qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
        error = tab.proxy.index(0, Column.LAST_ERROR).data()
        assert error == f"Adresă blocată după un mesaj returnat pe {day}; corectați destinatarul."
        tab._language = "en"
        tab.retranslate_ui()
        qtbot.waitUntil(
            lambda: (
                tab.proxy.index(0, Column.LAST_ERROR).data()
                == f"Address suppressed after a bounce on {day}; fix the recipient."
            ),
            timeout=WAIT,
        )
    finally:
        tab.shutdown()


@pytest.mark.parametrize("reads", [False, True])
def test_the_queue_says_when_this_desk_reads_no_bounces(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, staff: RoleSession, reads: bool
) -> None:
    tab = QueueTab(store, bridge, staff, language="en", bounces_read=reads)
    qtbot.addWidget(tab)
    tab.show()
    try:
        assert tab.bounce_status.isVisible() is (not reads)
        assert "no IMAP settings" in tab.bounce_status.text()
    finally:
        tab.shutdown()
