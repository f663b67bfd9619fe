"""The queue tab on real widgets over a real SQLite store and its change feed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from console_data import BOUNCE, TIMEOUT, add_tasks, answer_dialogs, console_context, fail_all
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import TaskState
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.audit_tab import AuditTab
from parking_desk.ui.console.bulk_run import BulkRun
from parking_desk.ui.console.queue_model import Column
from parking_desk.ui.console.queue_tab import QueueTab

WAIT = 5000


@pytest.fixture
def make_tab(qtbot: QtBot, store: SqliteStore, bridge: Bridge) -> Iterator[callable]:
    made: list[QueueTab] = []

    def make(session: RoleSession) -> QueueTab:
        tab = QueueTab(store, bridge, session, language="en")
        qtbot.addWidget(tab)
        tab.resize(1200, 700)
        tab.show()
        made.append(tab)
        return tab

    yield make
    for tab in made:
        tab.shutdown()


def cell(tab: QueueTab, booking: str, column: Column) -> str:
    for row in range(tab.proxy.rowCount()):
        if tab.proxy.index(row, Column.BOOKING).data() == booking:
            return tab.proxy.index(row, column).data()
    raise AssertionError(f"booking {booking} is not shown")


def shown_bookings(tab: QueueTab) -> set[str]:
    return {tab.proxy.index(r, Column.BOOKING).data() for r in range(tab.proxy.rowCount())}


def test_a_task_failing_in_the_store_appears_and_changes_state_live(
    qtbot: QtBot, store: SqliteStore, make_tab, supervisor: RoleSession
) -> None:
    tab = make_tab(supervisor)
    add_tasks(store, 1)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
    assert cell(tab, "700000", Column.STATE) == "pending"
    assert cell(tab, "700000", Column.RECIPIENT) == "client0@example.ro"

    fail_all(store, TIMEOUT)
    qtbot.waitUntil(lambda: cell(tab, "700000", Column.STATE) == "retrying", timeout=WAIT)
    assert cell(tab, "700000", Column.ATTEMPTS) == "1/10"
    assert cell(tab, "700000", Column.NEXT_ATTEMPT).startswith("in ")
    assert "timed out" in cell(tab, "700000", Column.LAST_ERROR)

    store.retry_tasks([("task-00000", None)], operator="test")  # due now, then a bounce
    fail_all(store, BOUNCE)
    qtbot.waitUntil(lambda: cell(tab, "700000", Column.STATE) == "dead", timeout=WAIT)
    assert cell(tab, "700000", Column.LAST_ERROR) == BOUNCE.message
    assert tab.count_label.text() == "1 of 1 tasks"


def test_the_detail_panel_shows_the_attempt_history_with_each_error(
    qtbot: QtBot, store: SqliteStore, make_tab, supervisor: RoleSession
) -> None:
    add_tasks(store, 1)
    fail_all(store, TIMEOUT)
    store.retry_tasks([("task-00000", None)], operator="test")
    fail_all(store, BOUNCE)
    tab = make_tab(supervisor)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: "Attempt history" in tab.detail.view.toPlainText(), timeout=WAIT)
    text = tab.detail.view.toPlainText()
    assert "timed out talking to smtp.example.ro" in text
    assert "550 5.1.1 mailbox unavailable" in text
    assert "The booking was not found." in text  # written by the website without a booking


def test_the_detail_panel_follows_changes_to_its_task(
    qtbot: QtBot, store: SqliteStore, make_tab, supervisor: RoleSession
) -> None:
    add_tasks(store, 2)
    tab = make_tab(supervisor)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 2, timeout=WAIT)
    tab.table.selectRow(0)
    shown = tab.detail.view.toPlainText
    qtbot.waitUntil(lambda: "pending" in shown(), timeout=WAIT)
    assert "timed out" not in shown()

    fail_all(store, TIMEOUT)  # a worker somewhere meets a timeout: no click here
    qtbot.waitUntil(lambda: "timed out talking to smtp.example.ro" in shown(), timeout=WAIT)
    assert "retrying" in shown() and "1/10" in shown()

    store.retry_tasks([(tab.selected_ids()[0], None)], operator="test")
    fail_all(store, BOUNCE)
    qtbot.waitUntil(lambda: "550 5.1.1 mailbox unavailable" in shown(), timeout=WAIT)
    assert "dead" in shown()


def test_filtering_by_error_text(
    qtbot: QtBot, store: SqliteStore, make_tab, supervisor: RoleSession
) -> None:
    add_tasks(store, 3)
    fail_all(store, BOUNCE)
    add_tasks(store, 2, start=3)
    fail_all(store, TIMEOUT)
    add_tasks(store, 1, start=5)
    tab = make_tab(supervisor)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 6, timeout=WAIT)

    qtbot.keyClicks(tab.search, "MAILBOX unavail")
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 3, timeout=WAIT)
    assert shown_bookings(tab) == {"700000", "700001", "700002"}
    assert tab.count_label.text() == "3 of 6 tasks"

    tab.search.clear()
    qtbot.keyClicks(tab.search, "smtp.example.ro")
    qtbot.waitUntil(lambda: shown_bookings(tab) == {"700003", "700004"}, timeout=WAIT)

    tab.search.clear()
    tab.state_combo.setCurrentIndex(tab.state_combo.findText("retrying"))
    qtbot.waitUntil(lambda: shown_bookings(tab) == {"700003", "700004"}, timeout=WAIT)
    tab.state_combo.setCurrentIndex(tab.state_combo.findText("pending"))
    qtbot.waitUntil(lambda: shown_bookings(tab) == {"700003", "700004", "700005"}, timeout=WAIT)


def test_bulk_retry_over_a_filter_shows_the_count_then_progress_and_writes_audit(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, make_tab, supervisor: RoleSession
) -> None:
    add_tasks(store, 1200)
    fail_all(store, BOUNCE)
    add_tasks(store, 5, start=1200)
    fail_all(store, TIMEOUT)  # transient: these stay pending, outside the filter
    tab = make_tab(supervisor)
    audit = AuditTab(console_context(store, bridge, supervisor))
    qtbot.addWidget(audit)
    tab.actions_done.connect(audit.refresh)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1205, timeout=WAIT)
    tab.state_combo.setCurrentIndex(tab.state_combo.findText("dead"))
    qtbot.keyClicks(tab.search, "mailbox")
    qtbot.waitUntil(lambda: tab.count_label.text() == "1200 of 1205 tasks", timeout=WAIT)
    qtbot.waitUntil(lambda: tab.proxy.task_filter().text == "mailbox", timeout=WAIT)

    questions: list[str] = []
    progress_said: list[str] = []

    def watch(run: BulkRun) -> None:
        dialog = tab.findChild(QProgressDialog, "bulk-progress")
        assert dialog is run.dialog  # the dialog the supervisor sees, found by its name
        run.finished.connect(lambda *_: progress_said.append(dialog.labelText()))

    tab.queue_actions.bulk_started.connect(watch)

    def confirm(widget: QWidget) -> bool:
        if isinstance(widget, QMessageBox):
            questions.append(widget.text())
            widget.button(QMessageBox.StandardButton.Yes).click()
            return True
        return False

    timer = answer_dialogs(confirm)
    qtbot.mouseClick(tab.retry_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.message.text() == "Tasks retried: 1200.", timeout=WAIT)
    timer.stop()

    assert questions == ["Tasks matching the current filter: 1200. Retry them now?"]
    assert progress_said == ["1200 of 1200 tasks…"]
    [entry] = store.audit_log()  # three batches of 500, one entry for the run
    assert len(set(entry.task_ids)) == 1200 and entry.details["count"] == 1200
    assert entry.operator == "Maria (supervisor)"
    assert entry.filter["states"] == ["dead"] and entry.filter["text"] == "mailbox"
    counts = {s: 0 for s in TaskState}
    for task in store.list_tasks():
        counts[task.status] += 1
    assert counts[TaskState.PENDING] == 1205 and counts[TaskState.DEAD] == 0
    qtbot.waitUntil(lambda: audit.table.rowCount() == 1, timeout=WAIT)
    assert audit.table.item(0, 1).text() == "Maria (supervisor)"
    assert audit.table.item(0, 2).text() == "retry"
    # The table follows the store: the filter (dead) now matches nothing.
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 0, timeout=WAIT)


def test_staff_cannot_retry_from_the_ui_and_see_recipients_masked(
    qtbot: QtBot, store: SqliteStore, make_tab, staff: RoleSession
) -> None:
    add_tasks(store, 2)
    fail_all(store, BOUNCE)
    tab = make_tab(staff)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 2, timeout=WAIT)
    assert not any(b.isVisible() for b in tab.queue_actions.buttons())
    assert cell(tab, "700001", Column.RECIPIENT) == "c***@example.ro"

    tab.table.selectAll()
    tab.retry_selected()  # as if the button were reachable anyway
    qtbot.waitUntil(lambda: "supervisor" in tab.message.text(), timeout=WAIT)
    assert tab.message.text() == "This action requires the supervisor role."
    assert {t.status for t in store.list_tasks()} == {TaskState.DEAD}
    assert store.audit_log() == []


def test_a_supervisor_signing_in_shows_actions_and_inactivity_hides_them(
    qtbot: QtBot, store: SqliteStore, make_tab
) -> None:
    now = [1000.0]
    session = RoleSession(Person("ion", "Ion", Role.STAFF), relock_after_s=60, clock=lambda: now[0])
    add_tasks(store, 1)
    tab = make_tab(session)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
    assert not tab.lock.button.isVisible()  # nobody to sign in with outside the desk window
    tab.lock.sign_in = lambda: session.sign_in(Person("maria", "Maria", Role.SUPERVISOR))
    tab.lock.check_role()
    assert tab.lock.status.text() == "Ion (staff, read-only queue)"
    assert not tab.retry_button.isVisible()

    qtbot.mouseClick(tab.lock.button, Qt.MouseButton.LeftButton)
    assert tab.retry_button.isVisible()
    assert tab.lock.status.text() == "Maria (supervisor)"
    assert not tab.lock.button.isVisible()
    assert cell(tab, "700000", Column.RECIPIENT) == "client0@example.ro"

    now[0] += 61  # a minute with no input
    tab.lock.check_role()
    assert not tab.retry_button.isVisible()
    assert tab.lock.status.text() == "Nobody is signed in"
    assert cell(tab, "700000", Column.RECIPIENT) == "c***@example.ro"


def test_fix_recipient_keeps_a_bad_address_in_the_dialog_then_resends(
    qtbot: QtBot, store: SqliteStore, make_tab, supervisor: RoleSession
) -> None:
    add_tasks(store, 1, email="client{i}@exmaple.ro")
    fail_all(store, BOUNCE)
    tab = make_tab(supervisor)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
    tab.table.selectRow(0)
    errors: list[str] = []

    def answer(widget: QWidget) -> bool:
        field = widget.findChild(QLineEdit)
        if field is None:
            return False
        if not errors:
            field.setText("client0@@example.ro")
            qtbot.keyClick(field, Qt.Key.Key_Return)
            errors.append(widget.error.text())
            assert widget.isVisible() and field.text() == "client0@@example.ro"
            return False
        field.setText("client0@example.ro")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        return True

    timer = answer_dialogs(answer)
    qtbot.mouseClick(tab.recipient_button, Qt.MouseButton.LeftButton)
    timer.stop()
    assert errors and errors[0].startswith("The e-mail address is not valid")
    qtbot.waitUntil(lambda: cell(tab, "700000", Column.STATE) == "pending", timeout=WAIT)
    assert cell(tab, "700000", Column.RECIPIENT) == "client0@example.ro"
    assert [e.action for e in store.audit_log()] == ["update_recipient"]


def test_cancel_selected_asks_first_and_is_audited(
    qtbot: QtBot, store: SqliteStore, make_tab, supervisor: RoleSession
) -> None:
    add_tasks(store, 3)
    tab = make_tab(supervisor)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 3, timeout=WAIT)
    tab.table.selectRow(0)
    tab.table.selectionModel().select(
        tab.proxy.index(1, 0),
        tab.table.selectionModel().SelectionFlag.Select
        | tab.table.selectionModel().SelectionFlag.Rows,
    )
    chosen = set(tab.selected_ids())
    assert len(chosen) == 2

    def answer(no: bool):
        def click(widget: QWidget) -> bool:
            if not isinstance(widget, QMessageBox):
                return False
            assert widget.text() == "Selected tasks: 2. Cancel them? They will not be sent."
            button = QMessageBox.StandardButton.No if no else QMessageBox.StandardButton.Yes
            widget.button(button).click()
            return True

        return click

    timer = answer_dialogs(answer(no=True))
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    timer.stop()
    assert {t.status for t in store.list_tasks()} == {TaskState.PENDING}

    timer = answer_dialogs(answer(no=False))
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.message.text() == "Tasks cancelled: 2.", timeout=WAIT)
    timer.stop()
    cancelled = {t.id for t in store.list_tasks() if t.status == TaskState.CANCELLED}
    assert cancelled == chosen
    (entry,) = store.audit_log()
    assert (entry.action, set(entry.task_ids)) == ("cancel", chosen)
    qtbot.waitUntil(
        lambda: (
            sorted(cell(tab, b, Column.STATE) for b in shown_bookings(tab))
            == ["cancelled", "cancelled", "pending"]
        ),
        timeout=WAIT,
    )


def test_the_last_message_is_said_again_in_the_new_language(
    qtbot: QtBot, store: SqliteStore, make_tab, supervisor: RoleSession
) -> None:
    from PySide6.QtWidgets import QApplication

    from parking_desk.ui.translations import Translations

    add_tasks(store, 2)
    translations = Translations(QApplication.instance())
    translations.apply("ro")
    try:
        tab = make_tab(supervisor)
        qtbot.waitUntil(lambda: tab.proxy.rowCount() == 2, timeout=WAIT)
        tab.table.selectAll()

        def yes(widget: QWidget) -> bool:
            if not isinstance(widget, QMessageBox):
                return False
            widget.button(QMessageBox.StandardButton.Yes).click()
            return True

        timer = answer_dialogs(yes)
        qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.message.text() == "Sarcini anulate: 2.", timeout=WAIT)
        timer.stop()
    finally:
        translations.apply("en")
    qtbot.waitUntil(lambda: tab.message.text() == "Tasks cancelled: 2.", timeout=WAIT)


@pytest.mark.firestore
def test_after_a_bulk_retry_on_firestore_the_table_lists_what_changed_meanwhile(
    qtbot: QtBot, firestore_db, bridge: Bridge, supervisor: RoleSession
) -> None:
    """During a bulk action the table stops following Firestore's listener; afterwards it
    lists the rows changed since the action began, the retried ones and a task another
    desk changed meanwhile, and follows again from there."""
    from parking_desk.services.store import open_firestore

    fs = open_firestore(firestore_db.project)
    tab = QueueTab(fs, bridge, supervisor, language="en")
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    try:
        add_tasks(fs, 4)
        qtbot.waitUntil(lambda: tab.proxy.rowCount() == 4, timeout=30_000)
        fail_all(fs, BOUNCE, limit=3)
        qtbot.waitUntil(lambda: cell(tab, "700002", Column.STATE) == "dead", timeout=WAIT)
        tab.state_combo.setCurrentIndex(tab.state_combo.findText("dead"))
        qtbot.waitUntil(lambda: tab.proxy.rowCount() == 3, timeout=WAIT)
        tab.table.selectAll()
        tab.pause_feed()  # as the retry does, a moment early, so the other desk's write
        fs.claim_due("other-desk", 1, timedelta(minutes=5))  # lands during the pause
        tab.retry_selected()
        qtbot.waitUntil(lambda: tab.message.text() == "Tasks retried: 3.", timeout=30_000)
        tab.state_combo.setCurrentIndex(0)
        qtbot.waitUntil(lambda: cell(tab, "700003", Column.STATE) == "processing", timeout=WAIT)
        assert {cell(tab, f"{700000 + i}", Column.STATE) for i in range(3)} == {"pending"}
        fs.import_raw_task(
            "after",
            {
                "type": "email",
                "bookingNumber": "799999",
                "clientEmail": "nou@example.ro",
                "status": "pending",
                "createdAt": datetime.now(UTC),
                "updatedAt": datetime.now(UTC),
            },
        )
        qtbot.waitUntil(lambda: "799999" in shown_bookings(tab), timeout=30_000)
    finally:
        tab.shutdown()
        fs.close()
