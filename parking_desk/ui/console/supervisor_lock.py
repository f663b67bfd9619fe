"""The lock/unlock control and the relock watch.

``RoleSession`` expires the supervisor role by itself after inactivity; this widget keeps it
alive on user input (any key or click in the application) and polls the role so the
console hides its actions as soon as the desk has relocked.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QWidget

from parking_desk.services.roles import Role, RoleSession
from parking_desk.ui.console.pin_dialog import PinDialog

ROLE_POLL_MS = 5000
_INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})


class _ActivityFilter(QObject):
    def __init__(self, session: RoleSession, parent: QObject) -> None:
        super().__init__(parent)
        self._session = session

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._session.touch()
        return False


class SupervisorLock(QWidget):
    role_changed = Signal(object)  # Role

    def __init__(self, session: RoleSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._role = session.role
        self.status = QLabel()
        self.button = QPushButton()
        self.button.clicked.connect(self._toggle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.button)
        # Owned by this widget: Qt drops an application event filter when it is destroyed.
        self._activity = _ActivityFilter(session, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity)
        self.timer = QTimer(self)
        self.timer.setInterval(ROLE_POLL_MS)
        self.timer.timeout.connect(self.check_role)
        self.timer.start()
        self.retranslate_ui()

    def _toggle(self) -> None:
        if self.session.role == Role.SUPERVISOR:
            self.session.lock()
        elif not self.session.has_pin:
            self.status.setText(self.tr("No supervisor PIN is set (see the settings)."))
            return
        else:
            PinDialog(self.session.unlock, self).exec()
        self.check_role()

    def check_role(self) -> Role:
        role = self.session.role
        if role != self._role:
            self._role = role
            self.retranslate_ui()
            self.role_changed.emit(role)
        return role

    def retranslate_ui(self) -> None:
        if self._role == Role.SUPERVISOR:
            self.status.setText(self.tr("Supervisor"))
            self.button.setText(self.tr("Lock"))
        else:
            self.status.setText(self.tr("Staff (read-only queue)"))
            self.button.setText(self.tr("Unlock supervisor…"))
