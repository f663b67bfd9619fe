"""The desk's main window: tabs, menus and the status bar, and nothing else.

Screens do their own work; the window only arranges them, switches the language, and keeps
its geometry and table layouts in QSettings between runs. Nobody works at the desk unsigned:
until a person signs in (and again after "Lock", "Switch user" or inactivity) the window
shows the sign-in screen instead of the tabs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QByteArray, QEvent, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from parking_desk import __version__
from parking_desk.services.roles import Person, Role
from parking_desk.services.staff import StaffService, StaffStore
from parking_desk.services.store.base import Store
from parking_desk.ui.console.console_tabs import attach_console
from parking_desk.ui.console.supervisor_lock import SessionWatch
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.bookings_tab import BookingsTab
from parking_desk.ui.desk.new_booking_tab import NewBookingTab
from parking_desk.ui.desk.scan_panel import ScanPanel
from parking_desk.ui.desk.scanner_route import ScannerRouter
from parking_desk.ui.engine_adapter import EngineAdapter
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.named import named
from parking_desk.ui.ops import Op
from parking_desk.ui.settings_file import patch_file
from parking_desk.ui.sign_in import SignInDialog, SignInScreen
from parking_desk.ui.status_bar import StatusBar
from parking_desk.ui.translations import Translations

Title = str | Callable[[], str]
RECONNECT_MS = 10_000


class MainWindow(QMainWindow):
    closing = Signal()

    def __init__(
        self,
        ctx: AppContext,
        translations: Translations | None = None,
        engine_events: EngineAdapter | None = None,
        settings_path: Path | None = None,
        ui_state: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.translations = translations
        self.settings_path = settings_path
        # Set by the application: tries the store connection again after a failure.
        self.reconnect: Callable[[], None] | None = None
        self.ui_state = ui_state or QSettings("parking-desk", "desk")
        self.tabs = named(QTabWidget(), "mainTabs")
        self.sign_in = named(
            SignInScreen(
                self.staff_service, ctx, old_pin_hash=ctx.settings.security.supervisor_pin_hash
            ),
            "signInScreen",
        )
        self.sign_in.signed_in.connect(self.signed_in)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.sign_in)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self._titles: list[tuple[QWidget, Title]] = []
        self.status = StatusBar(ctx)
        self.setStatusBar(self.status)
        self._build_tabs()
        self.console = attach_console(self)
        self.console.queue.lock.sign_in = self.sign_in_as_supervisor
        self.watch = SessionWatch(ctx.session, self)
        self.watch.ended.connect(lambda: self.lock(keep_name=True))
        self._build_menus()
        if engine_events is not None:
            engine_events.changed.connect(self.status.mark_dirty)
            engine_events.completed.connect(self.bookings.mark_dirty)
            engine_events.dead.connect(self.bookings.mark_dirty)
            engine_events.completed.connect(self._email_moved)
            engine_events.dead.connect(self._email_moved)
        self.retranslate_ui()
        self._restore_state()
        self._show_person()
        if ctx.store is not None and ctx.session.person is None:
            self.sign_in.start()

    def _build_tabs(self) -> None:
        """The desk's own tabs. Other screens join with ``add_tab`` after this."""
        self.new_booking = NewBookingTab(self.ctx)
        self.bookings = BookingsTab(self.ctx)
        self.scan = ScanPanel(self.ctx)
        self.add_tab(self.new_booking, lambda: self.tr("&New booking"))
        self.add_tab(self.bookings, lambda: self.tr("Book&ings"))
        self.add_tab(self.scan, lambda: self.tr("S&can"))
        suffix = lambda: self.ctx.settings.desk.scanner_suffix  # noqa: E731
        self.scanner = ScannerRouter(self.scanned_elsewhere, lambda: self.scan.input, suffix, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)

    def scanned_elsewhere(self, payload: str) -> bool:
        """A ticket the scanner typed into another tab: checked on the scan panel."""
        if self.ctx.session.person is None:
            return False
        self.tabs.setCurrentWidget(self.scan)
        self.scan.input.setText(payload)
        self.scan.scan()
        return True

    def add_tab(self, widget: QWidget, title: Title) -> int:
        """Add a screen; a callable title is asked again whenever the language changes."""
        self._titles.append((widget, title))
        return self.tabs.addTab(widget, title() if callable(title) else title)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.export_action = QAction(self)
        self.export_action.triggered.connect(self.bookings.ask_export)
        self.export_range_action = QAction(self)
        self.export_range_action.triggered.connect(self.open_export)
        self.shift_action = QAction(self)
        self.shift_action.triggered.connect(self.open_shift_report)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.close)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.switch_action = QAction(self)
        self.switch_action.setShortcut(QKeySequence("Ctrl+U"))
        self.switch_action.triggered.connect(lambda: self.lock(keep_name=False))
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock(keep_name=True))
        self.staff_action = QAction(self)
        self.staff_action.triggered.connect(self.open_staff_admin)
        self.file_menu.addAction(self.export_action)
        self.file_menu.addAction(self.export_range_action)
        self.file_menu.addAction(self.shift_action)
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addAction(self.staff_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.switch_action)
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in (("ro", "Română"), ("en", "English")):
            action = QAction(name, self, checkable=True)
            action.setChecked(code == self.ctx.language)
            action.triggered.connect(lambda _checked=False, c=code: self.set_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.about)
        self.help_menu.addAction(self.about_action)

    def retranslate_ui(self) -> None:
        window_title = self.tr("Parking Desk — {site}").format(site=self.ctx.site_name())
        person = self.ctx.session.person
        if person is not None:
            window_title += " — " + person.name
        self.setWindowTitle(window_title)
        for widget, title in self._titles:
            index = self.tabs.indexOf(widget)
            if index >= 0 and callable(title):
                self.tabs.setTabText(index, title())
        self.file_menu.setTitle(self.tr("&File"))
        self.export_action.setText(self.tr("&Export bookings to CSV…"))
        self.export_range_action.setText(self.tr("Export bookings for &dates (CSV, XLSX)…"))
        self.shift_action.setText(self.tr("S&hift report…"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.staff_action.setText(self.tr("S&taff accounts…"))
        self.switch_action.setText(self.tr("Switch &user…"))
        self.lock_action.setText(self.tr("&Lock the desk"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About Parking Desk"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- language ------------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        """Switch now; every open screen re-labels itself on the LanguageChange event."""
        self.ctx.language = language
        self.language_actions[language].setChecked(True)
        if self.translations is not None:
            self.translations.apply(language)
        if self.settings_path is not None:
            self.ctx.settings.desk.language = language
            path = self.settings_path
            # On the write thread: two quick switches reach the file in the order made.
            Op.without_store(
                self.ctx,
                self,
                lambda: patch_file(path, {"desk": {"language": language}}),
                write=True,
            ).run()

    # --- the store arrives ------------------------------------------------------------------
    def connected(self, result: tuple[Store, object] | None, error: BaseException | None) -> None:
        """The background connection finished: *result* is (store, engine or None)."""
        if error is not None or result is None:
            self.status.set_online(False)
            self.statusBar().showMessage(error_text(error or RuntimeError(), self.ctx.language))
            if self.reconnect is not None:
                QTimer.singleShot(RECONNECT_MS, self.reconnect)
            return
        self.ctx.store, self.ctx.engine = result
        self.console.set_store(self.ctx.store)
        if self.ctx.session.person is None:
            self.sign_in.start()
        self.status.set_online(True)
        self.status.mark_dirty()
        self.bookings.refresh()

    def _email_moved(self, _event: object) -> None:
        self.new_booking.refresh_email_status()

    # --- who is at the desk ----------------------------------------------------------------
    def staff_service(self) -> StaffService:
        """For bridge threads: the sign-in and staff rules on the connected store."""
        return StaffService(cast(StaffStore, self.ctx.require_store()), where="desk")

    def signed_in(self, person: Person) -> None:
        self.ctx.session.sign_in(person)
        self._show_person()

    def lock(self, *, keep_name: bool) -> None:
        """Back to the sign-in screen; *keep_name* when the same person is expected back
        (lock, inactivity), not when someone else takes over (switch user)."""
        person = self.ctx.session.person or self._last_person
        self.ctx.session.lock()
        self._show_person()
        self.sign_in.show_sign_in(person.name if keep_name and person is not None else "")
        if self.ctx.store is None:
            self.sign_in.setCurrentIndex(0)  # still connecting: sign-in follows

    def _show_person(self) -> None:
        """Tabs and menus for whoever is signed in now (nobody: the sign-in screen)."""
        person = self.ctx.session.person
        self.watch.check()
        if person is not None:
            self._last_person = person
        signed = person is not None
        self.stack.setCurrentWidget(self.tabs if signed else self.sign_in)
        for action in (
            self.export_action,
            self.export_range_action,
            self.shift_action,
            self.settings_action,
            self.switch_action,
        ):
            action.setEnabled(signed)
        self.lock_action.setEnabled(signed)
        self.staff_action.setVisible(signed and self.ctx.session.allows(Role.ADMIN))
        self.console.queue.lock.check_role()
        self.retranslate_ui()

    _last_person: Person | None = None

    def sign_in_as_supervisor(self) -> None:
        """A queue action needs a supervisor: they sign in here and the desk is theirs."""
        dialog = SignInDialog(
            self.staff_service, self.ctx, self.tr("Sign in as a supervisor"), self
        )
        self.supervisor_dialog = dialog
        if dialog.exec() == SignInDialog.DialogCode.Accepted and dialog.person is not None:
            self.signed_in(dialog.person)

    def open_staff_admin(self) -> None:
        from parking_desk.ui.desk.staff_admin import StaffAdminDialog

        dialog = StaffAdminDialog(self.staff_service, self.ctx, self)
        self.staff_dialog: Any = dialog
        dialog.exec()

    # --- dialogs -----------------------------------------------------------------------------
    def open_export(self) -> None:
        from parking_desk.ui.desk.export_dialog import ExportDialog

        self.export_dialog = ExportDialog(self.ctx, self)
        self.export_dialog.exec()

    def open_shift_report(self) -> None:
        from parking_desk.ui.desk.shift_report_dialog import ShiftReportDialog

        self.shift_dialog = ShiftReportDialog(self.ctx, self)
        self.shift_dialog.exec()

    def open_settings(self) -> None:
        from parking_desk.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self.settings_path, self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self.retranslate_ui()
            if dialog.language_changed():
                self.set_language(dialog.chosen_language())

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Parking Desk"),
            self.tr(
                "Parking Desk {version}\n\nWalk-in bookings, tickets and check-in for "
                "park-and-fly parking."
            ).format(version=__version__),
        )

    # --- state kept between runs ---------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.ui_state.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)
        self.bookings.restore_layout(self.ui_state)

    def save_state(self) -> None:
        self.ui_state.setValue("window/geometry", self.saveGeometry())
        self.bookings.save_layout(self.ui_state)
        self.ui_state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.status.stop()
        self.closing.emit()
        super().closeEvent(event)
