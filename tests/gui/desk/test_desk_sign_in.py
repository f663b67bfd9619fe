"""The desk's sign-in on real widgets and a real store: the first start creates the admin,
people sign in with the keyboard, the desk relocks after inactivity, users switch, a
supervisor signs in for a queue action, and guessing PINs meets the lockout."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from parking_desk.services.roles import Role, RoleSession, check_pin, hash_pin
from parking_desk.services.staff import StaffService
from parking_desk.ui.main_window import MainWindow
from parking_desk.ui.sign_in import SignInDialog

WAIT = 10_000


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_window(qtbot, ctx, tmp_path, clock):
    ctx.session = RoleSession(relock_after_s=60, clock=clock)  # nobody signed in yet

    def make() -> MainWindow:
        state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        win = MainWindow(ctx, ui_state=state)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        # Focus moves in the active window only; nothing else spins the event loop now that
        # operations finish inline.
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=WAIT)
        return win

    return make


@pytest.fixture
def accounts(store):
    service = StaffService(store)
    service.create_first_admin("Vlad Admin", "9753")
    admin = RoleSession(service.sign_in("Vlad Admin", "9753"))
    service.add(admin, "Ion Pop", Role.STAFF, "1357")
    service.add(admin, "Ana Popescu", Role.SUPERVISOR, "2468")
    return service


def type_in(qtbot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def sign_in(qtbot, win: MainWindow, name: str, pin: str) -> None:
    form = win.sign_in.form
    form.name.clear()
    type_in(qtbot, form.name, name)
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    assert form.pin.hasFocus()
    qtbot.keyClicks(form.pin, pin)
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.busy, timeout=WAIT)


def on_desk(win: MainWindow) -> bool:
    return win.stack.currentWidget() is win.tabs


def test_first_start_creates_the_admin_from_the_old_supervisor_pin(
    qtbot, ctx, store, make_window
) -> None:
    ctx.settings.security.supervisor_pin_hash = hash_pin("4821")
    win = make_window()
    assert not on_desk(win)
    qtbot.waitUntil(lambda: win.sign_in.page is win.sign_in.setup, timeout=WAIT)
    setup = win.sign_in.setup
    assert "supervisor PIN" in setup.intro.text()
    type_in(qtbot, setup.name, "Maria Ionescu")
    qtbot.keyClick(setup.name, Qt.Key.Key_Return)
    qtbot.keyClick(setup.pin, Qt.Key.Key_Return)  # the PIN left empty: keep the old one
    qtbot.keyClick(setup.pin_again, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: on_desk(win), timeout=WAIT)
    assert ctx.session.person.name == "Maria Ionescu" and ctx.session.role == Role.ADMIN
    assert win.windowTitle().endswith("— Maria Ionescu")
    assert win.staff_action.isVisible()
    [admin] = store.staff.all()
    assert admin.role == Role.ADMIN and check_pin("4821", admin.pin_hash)
    assert [e.action for e in store.audit_log()] == ["staff_first_admin"]


def test_first_start_with_a_new_pin_then_the_admin_adds_a_person(
    qtbot, ctx, store, make_window
) -> None:
    win = make_window()
    qtbot.waitUntil(lambda: win.sign_in.page is win.sign_in.setup, timeout=WAIT)
    setup = win.sign_in.setup
    type_in(qtbot, setup.name, "Maria Ionescu")
    type_in(qtbot, setup.pin, "4821")
    type_in(qtbot, setup.pin_again, "4822")
    qtbot.keyClick(setup.pin_again, Qt.Key.Key_Return)
    assert setup.error.text() == "The two PINs differ."
    setup.pin_again.clear()
    type_in(qtbot, setup.pin_again, "4821")
    qtbot.keyClick(setup.pin_again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: on_desk(win), timeout=WAIT)

    from parking_desk.ui.desk.staff_admin import StaffAdminDialog

    dialog = StaffAdminDialog(win.staff_service, ctx, win)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT)
    type_in(qtbot, dialog.new_name, "Ion Pop")
    type_in(qtbot, dialog.new_pin, "1357")
    qtbot.keyClick(dialog.new_pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT)
    assert dialog.message.text() == "Ion Pop can sign in now."
    dialog.select("Ion Pop")
    dialog.role.setCurrentIndex(dialog.role.findData("supervisor"))
    dialog.change_role()
    qtbot.waitUntil(lambda: "is now" in dialog.message.text(), timeout=WAIT)
    assert store.staff.by_name("Ion Pop").role == Role.SUPERVISOR
    dialog.select("Ion Pop")
    dialog.toggle_active()
    qtbot.waitUntil(lambda: "no longer" in dialog.message.text(), timeout=WAIT)
    assert not store.staff.by_name("Ion Pop").active
    assert store.staff.by_name("Ion Pop").created_by == "Maria Ionescu (admin)"


def test_keyboard_sign_in_inactivity_lock_and_switch_user(
    qtbot, ctx, store, accounts, make_window, clock
) -> None:
    win = make_window()
    qtbot.waitUntil(lambda: win.sign_in.page is win.sign_in.form, timeout=WAIT)
    form = win.sign_in.form
    qtbot.waitUntil(form.name.hasFocus, timeout=WAIT)  # keyboard first
    assert not win.settings_action.isEnabled()

    sign_in(qtbot, win, "Ion Pop", "1357")
    qtbot.waitUntil(lambda: on_desk(win), timeout=WAIT)
    assert ctx.operator() == "Ion Pop (staff)"
    assert not win.staff_action.isVisible()  # staff: no admin screen
    assert not win.console.queue.retry_button.isVisible()

    clock.now += 59
    qtbot.keyClick(win.tabs, Qt.Key.Key_Tab)  # activity keeps him signed in
    clock.now += 59
    assert on_desk(win)
    clock.now += 61  # a minute with no input: the next key goes nowhere, the desk locks
    qtbot.keyClick(win.new_booking, Qt.Key.Key_A)
    assert not on_desk(win)
    assert form.name.text() == "Ion Pop" and form.pin.text() == ""
    assert ctx.session.person is None

    sign_in(qtbot, win, "Ion Pop", "1357")
    qtbot.waitUntil(lambda: on_desk(win), timeout=WAIT)
    win.switch_action.trigger()  # another person takes the desk
    assert not on_desk(win) and form.name.text() == ""
    sign_in(qtbot, win, "Ana Popescu", "2468")
    qtbot.waitUntil(lambda: on_desk(win), timeout=WAIT)
    assert ctx.operator() == "Ana Popescu (supervisor)"
    assert win.windowTitle().endswith("— Ana Popescu")

    win.lock_action.trigger()
    assert not on_desk(win) and form.name.text() == "Ana Popescu"
    assert form.pin.hasFocus()
    signed = [e.operator for e in store.audit_log() if e.action == "sign_in"]
    assert signed.count("Ion Pop (staff)") == 2 and "Ana Popescu (supervisor)" in signed


class CountingCheck:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, pin: str, stored: str) -> bool:
        self.calls += 1
        return check_pin(pin, stored)


def test_guessing_pins_in_the_sign_in_screen_meets_the_lockout(
    qtbot, ctx, store, accounts, make_window
) -> None:
    win = make_window()
    form = win.sign_in.form
    checks = CountingCheck()
    form.service = lambda: StaffService(store, check=checks)
    qtbot.waitUntil(lambda: win.sign_in.page is form, timeout=WAIT)
    for guess in ("0001", "0002", "0003", "0004"):
        sign_in(qtbot, win, "Ana Popescu", guess)
        assert form.error.text() == "Wrong name or PIN."
        assert form.pin.text() == "" and form.pin.hasFocus()
    sign_in(qtbot, win, "Ana Popescu", "0005")
    assert form.error.text() == "Too many wrong PINs for Ana Popescu. Try again in 30 s."
    assert checks.calls == 5

    sign_in(qtbot, win, "Ana Popescu", "2468")  # the right PIN, while locked
    assert form.error.text().startswith("Too many wrong PINs for Ana Popescu. Try again in")
    assert checks.calls == 5  # not looked at
    assert not on_desk(win) and ctx.session.person is None
    actions = [e.action for e in store.audit_log()]
    assert actions.count("sign_in_locked") == 1 and actions.count("sign_in_refused") == 1


def answer_dialogs(answer: Callable[[QWidget], bool]) -> QTimer:
    timer = QTimer()
    timer.setInterval(30)

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and answer(widget):
            timer.stop()

    timer.timeout.connect(poll)
    timer.start()
    return timer


def test_staff_at_the_queue_hand_over_to_a_supervisor(
    qtbot, ctx, store, accounts, make_window
) -> None:
    win = make_window()
    qtbot.waitUntil(lambda: win.sign_in.page is win.sign_in.form, timeout=WAIT)
    sign_in(qtbot, win, "Ion Pop", "1357")
    qtbot.waitUntil(lambda: on_desk(win), timeout=WAIT)
    lock = win.console.queue.lock
    assert lock.status.text() == "Ion Pop (staff, read-only queue)"
    assert not lock.button.isHidden()

    def supervisor_signs_in(widget: QWidget) -> bool:
        if not isinstance(widget, SignInDialog):
            return False
        widget.form.name.setText("Ana Popescu")
        widget.form.pin.setText("2468")
        widget.form.try_sign_in()
        return True

    timer = answer_dialogs(supervisor_signs_in)
    qtbot.mouseClick(lock.button, Qt.MouseButton.LeftButton)
    timer.stop()
    assert ctx.operator() == "Ana Popescu (supervisor)"
    assert lock.status.text() == "Ana Popescu (supervisor)"
    assert lock.button.isHidden()
    assert not win.console.queue.retry_button.isHidden()
