"""Where the keyboard is when a screen opens: the first letters typed must land in a field."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.ui.main_window import MainWindow
from parking_desk.ui.settings_dialog import SettingsDialog


def open_window(qtbot, ctx, tmp_path) -> MainWindow:
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, ui_state=state)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win


def test_the_desk_opens_with_the_cursor_in_the_client_name(qtbot, ctx, tmp_path):
    win = open_window(qtbot, ctx, tmp_path)
    assert QApplication.focusWidget() is win.new_booking.form.name
    qtbot.keyClicks(QApplication.focusWidget(), "Ion")
    assert win.new_booking.form.name.text() == "Ion"


def test_after_a_sign_in_the_cursor_is_in_the_client_name(qtbot, ctx, store, tmp_path):
    from parking_desk.services.staff import StaffService

    StaffService(store).create_first_admin("Vlad Admin", "9753")
    ctx.session = RoleSession()
    win = open_window(qtbot, ctx, tmp_path)
    form = win.sign_in.form
    qtbot.waitUntil(lambda: win.sign_in.page is form, timeout=10_000)
    form.name.setFocus()
    qtbot.keyClicks(form.name, "Vlad Admin")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    qtbot.keyClicks(form.pin, "9753")
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.tabs, timeout=10_000)
    assert QApplication.focusWidget() is win.new_booking.form.name


def test_clicking_another_tab_keeps_the_keyboard_on_the_tab_bar(qtbot, ctx, tmp_path):
    win = open_window(qtbot, ctx, tmp_path)
    bar = win.tabs.tabBar()
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_Right)
    qtbot.keyClick(bar, Qt.Key.Key_Left)
    assert QApplication.focusWidget() is bar  # arrows still walk the tabs


def test_the_settings_dialog_opens_with_the_cursor_in_its_first_field(qtbot, ctx):
    ctx.session = RoleSession(Person("vlad", "Vlad", Role.ADMIN))
    dialog = SettingsDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert QApplication.focusWidget() is dialog.site_name
