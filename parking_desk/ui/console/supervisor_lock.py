"""Who is signed in, as the queue tab shows it, and the relock watch of the whole desk.

``RoleSession`` ends the session by itself after inactivity; ``SessionWatch`` keeps it alive
on user input (any key or click in the application), notices when it has ended, and then
swallows the input that would otherwise reach a screen nobody is signed in to. The queue
tab's ``SupervisorLock`` shows the person and role, and offers "sign in as a supervisor"
when the person at the desk may not act on the queue.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QWidget

from parking_desk.services.roles import Person, Role, RoleSession

ROLE_POLL_MS = 5000
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
    }
)


class SessionWatch(QObject):
    """Emits ``ended`` once when the signed-in person's session ends by itself (inactivity),
    and ``changed`` whenever the person or role seen differs from the last look."""

    ended = Signal()
    changed = Signal(object)  # Person | None

    def __init__(self, session: RoleSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._seen: Person | None = session.person
        app = QApplication.instance()
        if app is not None:
            # Qt drops an application event filter when its object is destroyed.
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(ROLE_POLL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.session.touch()
            if self._seen is not None and self.session.person is None:
                self.check()
                return True  # the desk has relocked: this key or click goes nowhere
        return False

    def check(self) -> Person | None:
        person = self.session.person
        if person != self._seen:
            was = self._seen
            self._seen = person
            self.changed.emit(person)
            if person is None and was is not None:
                self.ended.emit()
        return person


class SupervisorLock(QWidget):
    role_changed = Signal(object)  # Role

    def __init__(self, session: RoleSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._role = session.role
        # Set by the desk window: signs a supervisor in (a dialog), then calls check_role.
        self.sign_in: Callable[[], None] | None = None
        self.status = QLabel()
        self.button = QPushButton()
        self.button.clicked.connect(self._sign_in)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.button)
        self.watch = SessionWatch(session, self)
        self.watch.changed.connect(lambda _person: self.check_role())
        self.timer = self.watch.timer
        self.retranslate_ui()

    def _sign_in(self) -> None:
        if self.sign_in is not None:
            self.sign_in()
        self.check_role()

    def check_role(self) -> Role:
        role = self.session.role
        self.retranslate_ui()
        if role != self._role:
            self._role = role
            self.role_changed.emit(role)
        return role

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        person = self.session.person
        names = {
            Role.STAFF: self.tr("staff, read-only queue"),
            Role.SUPERVISOR: self.tr("supervisor"),
            Role.ADMIN: self.tr("admin"),
        }
        if person is None:
            self.status.setText(self.tr("Nobody is signed in"))
        else:
            self.status.setText(
                self.tr("{name} ({role})").format(name=person.name, role=names[person.role])
            )
        self.button.setText(self.tr("Sign in as a supervisor…"))
        self.button.setVisible(
            self.sign_in is not None and not self.session.allows(Role.SUPERVISOR)
        )
