"""Alt shortcuts: on no screen do two controls share a letter, in Romanian or in English.

A screen is what is on show at once: the menu bar and the tab titles with the current tab's
page, each menu with its items, each dialog. The catalogues are compiled afresh from the
.ts files, so the test reads the strings as they are now."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMenu,
    QTabBar,
    QWidget,
)

from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.staff import StaffService
from parking_desk.ui.desk.staff_admin import StaffAdminDialog
from parking_desk.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[3]
TS = ROOT / "resources" / "translations"


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def shown_mnemonics(top: QWidget, inside: QWidget | None = None) -> list[tuple[str, str]]:
    """(letter, text) of every control on show in *top* (only those in *inside*, if given)."""
    found: list[str] = []
    for widget in (inside or top).findChildren(QWidget):
        if not widget.isVisibleTo(top):
            continue
        if (isinstance(widget, QLabel) and widget.buddy() is not None) or isinstance(
            widget, QAbstractButton
        ):
            found.append(widget.text())
        elif isinstance(widget, QGroupBox):
            found.append(widget.title())
        elif isinstance(widget, QTabBar):
            found += [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
    return [(letter, text) for text in found if (letter := mnemonic(text))]


def clashes(mnemonics: list[tuple[str, str]]) -> dict[str, list[str]]:
    counts = Counter(letter for letter, _ in mnemonics)
    return {
        letter: [text for other, text in mnemonics if other == letter]
        for letter, n in counts.items()
        if n > 1
    }


def window_screens(win: MainWindow) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    bar = [(m, a.text()) for a in win.menuBar().actions() if (m := mnemonic(a.text()))]
    for i in range(win.tabs.count()):
        win.tabs.setCurrentIndex(i)
        page = win.tabs.widget(i)
        tabs = [
            (m, t) for j in range(win.tabs.count()) if (m := mnemonic(t := win.tabs.tabText(j)))
        ]
        yield win.tabs.tabText(i), bar + tabs + shown_mnemonics(win, page)
    for menu in win.menuBar().findChildren(QMenu):
        items = [
            (m, a.text()) for a in menu.actions() if a.isVisible() and (m := mnemonic(a.text()))
        ]
        yield menu.title(), items


def install_romanian(tmp_path: Path) -> list[QTranslator]:
    app = QApplication.instance()
    installed: list[QTranslator] = []
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    for name in ("desk", "console"):
        qm = tmp_path / f"{name}_ro.qm"
        ts = TS / f"{name}_ro.ts"
        subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)
        translator = QTranslator()
        assert translator.load(str(qm))
        app.installTranslator(translator)
        installed.append(translator)
    return installed


def back_to_english(installed: list[QTranslator]) -> None:
    app = QApplication.instance()
    for translator in installed:
        app.removeTranslator(translator)
    QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))


@pytest.fixture(params=["en", "ro"])
def language(request, tmp_path: Path) -> Iterator[str]:
    installed = install_romanian(tmp_path) if request.param == "ro" else []
    yield request.param
    back_to_english(installed)


def test_no_screen_of_the_desk_has_two_controls_on_one_alt_letter(qtbot, ctx, tmp_path, language):
    ctx.language = language
    ctx.session = RoleSession(Person("vlad", "Vlad", Role.ADMIN))
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, ui_state=state)
    qtbot.addWidget(win)
    win.show()
    found = {screen: clashes(mnemonics) for screen, mnemonics in window_screens(win)}
    assert {screen: c for screen, c in found.items() if c} == {}
    assert len(found) >= 6 + 4  # every tab and every menu was looked at

    win.lock(keep_name=False)  # signed out: the sign-in screen under the same menu bar
    qtbot.waitUntil(lambda: win.sign_in.page is win.sign_in.form, timeout=5000)
    bar = [(m, a.text()) for a in win.menuBar().actions() if (m := mnemonic(a.text()))]
    assert clashes(bar + shown_mnemonics(win, win.sign_in)) == {}


def test_the_staff_accounts_dialog_has_no_two_controls_on_one_alt_letter(
    qtbot, ctx, store, language
):
    service = StaffService(store)
    service.create_first_admin("Vlad Admin", "9753")
    admin = RoleSession(service.sign_in("Vlad Admin", "9753"))
    ion = service.add(admin, "Ion Pop", Role.STAFF, "1357")
    service.deactivate(admin, ion.id)
    ctx.session = admin
    dialog = StaffAdminDialog(lambda: service, ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=5000)
    seen = set()
    for row in range(dialog.table.rowCount()):  # an active person and a deactivated one
        dialog.table.selectRow(row)
        seen.add(dialog.active_button.text())
        assert clashes(shown_mnemonics(dialog)) == {}
    assert len(seen) == 2


def _letters(text: str) -> set[str]:
    return {c for c in text.replace("&", "").casefold() if c.isascii() and c.isalpha()}


def test_a_control_keeps_its_alt_letter_in_both_languages_where_both_words_have_it(
    qtbot, ctx, tmp_path
):
    """Alt+N is the new booking in Romanian and in English; a desk that switches language
    keeps its shortcuts, except where the two words share no letter (Queue, Coadă)."""
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, ui_state=state)
    qtbot.addWidget(win)
    form = win.new_booking.form

    def texts() -> dict[str, str]:
        shown = {f"tab {i}": win.tabs.tabText(i) for i in range(win.tabs.count())}
        shown |= {f"field {name}": label.text() for name, label in form.labels.items()}
        shown |= {f"menu {i}": a.text() for i, a in enumerate(win.menuBar().actions())}
        return shown

    english = texts()
    installed = install_romanian(tmp_path)
    try:
        qtbot.waitUntil(lambda: texts() != english, timeout=3000)
        romanian = texts()
    finally:
        back_to_english(installed)
    differ = {
        key: (english[key], romanian[key])
        for key in english
        if _letters(english[key]) & _letters(romanian[key])
        and mnemonic(english[key]) != mnemonic(romanian[key])
    }
    assert differ == {}
