"""Fix recipient: what the supervisor types replaces the old address, and a bad address is
explained in one language, in full."""

from __future__ import annotations

import pytest
from console_data import BOUNCE, add_tasks, answer_dialogs, fail_all
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from parking_desk.services.roles import RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_model import Column
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.console.recipient_dialog import RecipientDialog

WAIT = 5000


def open_dialog(qtbot: QtBot, current: str, language: str) -> RecipientDialog:
    dialog = RecipientDialog(current, language=language)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def not_clipped(dialog: RecipientDialog) -> bool:
    label = dialog.error
    return (
        label.isVisible()
        and label.height() >= label.heightForWidth(label.width())
        and dialog.rect().contains(label.geometry())
    )


def test_typing_replaces_the_old_address(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, "client0@exmaple.ro", "en")
    assert QApplication.focusWidget() is dialog.email
    qtbot.keyClicks(dialog.email, "client0@example.ro")
    assert dialog.email.text() == "client0@example.ro"


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("ro", "not-an-email", "Adresa de e-mail nu este validă."),
        ("ro", "client0@@example.ro", "Adresa de e-mail nu este validă."),
        ("en", "not-an-email", "The e-mail address is not valid: "),
    ],
)
def test_a_bad_address_is_explained_in_one_language_unclipped(
    qtbot: QtBot, language: str, typed: str, expected: str
) -> None:
    dialog = open_dialog(qtbot, "client0@exmaple.ro", language)
    qtbot.keyClicks(dialog.email, typed)
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.email.text() == typed
    text = dialog.error.text()
    if language == "ro":
        assert text == expected  # no English reason tacked on
    else:
        assert text.startswith(expected) and len(text) > len(expected)
    qtbot.waitUntil(lambda: not_clipped(dialog), timeout=WAIT)


def test_the_typed_address_alone_is_saved_and_resent(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    add_tasks(store, 1, email="client{i}@exmaple.ro")
    fail_all(store, BOUNCE)
    tab = QueueTab(store, bridge, supervisor, language="en")
    qtbot.addWidget(tab)
    tab.show()
    try:
        qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
        tab.table.selectRow(0)
        refused: list[str] = []

        def answer(widget: QWidget) -> bool:
            if not isinstance(widget, RecipientDialog):
                return False
            widget.activateWindow()
            qtbot.keyClicks(widget.email, "client0@example.ro")
            qtbot.keyClick(widget.email, Qt.Key.Key_Return)
            refused.append(widget.error.text() if widget.isVisible() else "")
            if widget.isVisible():
                widget.reject()  # refused: end the dialog so the test can say why
            return True

        timer = answer_dialogs(answer)
        qtbot.mouseClick(tab.recipient_button, Qt.MouseButton.LeftButton)
        timer.stop()
        assert refused == [""]
        qtbot.waitUntil(lambda: tab.proxy.index(0, Column.STATE).data() == "pending", timeout=WAIT)
        assert store.get_task("task-00000").client_email == "client0@example.ro"
    finally:
        tab.shutdown()
