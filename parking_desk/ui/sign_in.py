"""The sign-in screen: who is at the desk. Also the first start's "create the admin" page and
the dialog that signs a supervisor in for a queue action.

Keyboard first: the name field has the focus, Enter moves on to the PIN and Enter there signs
in. The check runs in ``StaffService`` on the store-write thread (it writes the wrong-PIN
counter), so the lockout holds whatever this screen does; the button stays disabled while a
try is in flight, so a held-down Enter key cannot queue up guesses.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from parking_desk.services.roles import Person
from parking_desk.services.staff import StaffService
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.named import named
from parking_desk.ui.ops import Op

ServiceOf = Callable[[], StaffService]


def _error_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setStyleSheet("color: #c62828")
    return label


class SignInForm(QWidget):
    """Name, PIN, Enter. Emits ``signed_in(Person)`` once the service accepts them."""

    signed_in = Signal(object)  # Person

    def __init__(self, service: ServiceOf, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.ctx = ctx
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18pt; font-weight: 600")
        self.name = named(QLineEdit(), "signInName")
        self.pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "signInPin")
        self.error = named(_error_label(), "signInError")
        self.button = named(QPushButton(), "signInButton")
        self.button.setDefault(True)
        self.name.returnPressed.connect(self._name_entered)
        self.pin.returnPressed.connect(self.try_sign_in)
        self.button.clicked.connect(self.try_sign_in)
        self.form = QFormLayout()
        self.name_label, self.pin_label = QLabel(), QLabel()
        self.form.addRow(self.name_label, self.name)
        self.form.addRow(self.pin_label, self.pin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self.busy = False
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("Sign in"))
        self.name_label.setText(self.tr("&Name"))
        self.name_label.setBuddy(self.name)
        self.pin_label.setText(self.tr("&PIN"))
        self.pin_label.setBuddy(self.pin)
        self.name.setAccessibleName(self.tr("Name"))
        self.pin.setAccessibleName(self.tr("PIN"))
        self.button.setText(self.tr("Sign in"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reset(self, name: str = "") -> None:
        """Ready for the next person: *name* kept when the same person is expected back."""
        self.name.setText(name)
        self.pin.clear()
        self.error.clear()
        (self.pin if name else self.name).setFocus()

    def _name_entered(self) -> None:
        if self.pin.text():
            self.try_sign_in()
        else:
            self.pin.setFocus()

    def try_sign_in(self) -> None:
        if self.busy:
            return
        name, pin = self.name.text().strip(), self.pin.text()
        if not name:
            self.name.setFocus()
            return
        if not pin:
            self.pin.setFocus()
            return
        self.pin.clear()
        self.busy = True
        self.button.setEnabled(False)
        self.error.setText(self.tr("Checking…"))
        service = self.service
        # A write: the service counts wrong PINs in the store.
        Op.without_store(self.ctx, self, lambda: service().sign_in(name, pin), write=True).success(
            self._accepted
        ).failure(self._refused).run()

    def _accepted(self, person: Person) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.error.clear()
        self.signed_in.emit(person)

    def _refused(self, error: BaseException) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.error.setText(error_text(error, self.ctx.language))
        self.pin.setFocus()


class SetupForm(QWidget):
    """The first start of a site: create the admin (who is then signed in)."""

    signed_in = Signal(object)  # Person

    def __init__(
        self,
        service: ServiceOf,
        ctx: AppContext,
        old_pin_hash: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.ctx = ctx
        self._old_pin_hash = old_pin_hash
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18pt; font-weight: 600")
        self.intro = QLabel(wordWrap=True)
        self.name = named(QLineEdit(), "setupName")
        self.pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "setupPin")
        self.pin_again = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "setupPinAgain")
        self.error = named(_error_label(), "setupError")
        self.button = named(QPushButton(), "setupButton")
        self.name.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.pin_again.setFocus)
        self.pin_again.returnPressed.connect(self.create_admin)
        self.button.clicked.connect(self.create_admin)
        self.labels = [QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        for label, field in zip(self.labels, (self.name, self.pin, self.pin_again), strict=True):
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("Welcome: create the admin account"))
        intro = self.tr(
            "Nobody has an account on this site yet. The admin adds the other staff "
            "and supervisors once signed in."
        )
        if self._old_pin_hash:
            intro += " " + self.tr(
                "Leave the PIN empty to keep this desk's supervisor PIN as the admin's PIN."
            )
        self.intro.setText(intro)
        for label, text in zip(
            self.labels,
            (self.tr("Your &name"), self.tr("&PIN"), self.tr("&Repeat the PIN")),
            strict=True,
        ):
            label.setText(text)
        for label, field in zip(self.labels, (self.name, self.pin, self.pin_again), strict=True):
            label.setBuddy(field)
        self.button.setText(self.tr("Create the admin and sign in"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def create_admin(self) -> None:
        name, pin = self.name.text().strip(), self.pin.text().strip()
        if pin != self.pin_again.text().strip():
            self.error.setText(self.tr("The two PINs differ."))
            return
        old_hash, service = self._old_pin_hash, self._service
        self.button.setEnabled(False)
        Op.without_store(
            self.ctx,
            self,
            lambda: service().create_first_admin(name, pin, pin_hash=old_hash),
            write=True,
        ).success(self._created).failure(self._refused).run()

    def _created(self, person: Person) -> None:
        self.button.setEnabled(True)
        self.signed_in.emit(person)

    def _refused(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.error.setText(error_text(error, self.ctx.language))


class SignInScreen(QStackedWidget):
    """What the desk shows while nobody is signed in: connecting, first start, or sign in."""

    signed_in = Signal(object)  # Person

    def __init__(
        self,
        service: ServiceOf,
        ctx: AppContext,
        old_pin_hash: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.ctx = ctx
        self._expected = ""  # the name the sign-in page starts with
        self.waiting = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.setup = SetupForm(service, ctx, old_pin_hash)
        self.form = SignInForm(service, ctx)
        for page in (self.waiting, self.setup, self.form):
            holder = QWidget()
            outer = QVBoxLayout(holder)
            outer.addStretch(1)
            page.setMaximumWidth(520)
            outer.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
            outer.addStretch(2)
            self.addWidget(holder)
        self.setup.signed_in.connect(self.signed_in)
        self.form.signed_in.connect(self.signed_in)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.waiting.setText(self.tr("Connecting to the database…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _show(self, page: QWidget) -> None:
        holder = page.parentWidget()
        if holder is not None:
            self.setCurrentWidget(holder)

    @property
    def page(self) -> QWidget:
        """The page shown: ``waiting``, ``setup`` or ``form``."""
        holder = self.currentWidget()
        return next(p for p in (self.waiting, self.setup, self.form) if p.parentWidget() is holder)

    def start(self, name: str = "") -> None:
        """The store is there: ask it whether the site has accounts yet, then show the page."""
        service = self._service
        self._expected = name
        Op.without_store(self.ctx, self, lambda: service().needs_setup()).success(
            self._setup_known
        ).failure(self._setup_unknown).run()

    def _setup_known(self, needs_setup: bool) -> None:
        if not needs_setup:
            self.show_sign_in(self._expected)
            return
        self._show(self.setup)
        self.setup.name.setFocus()

    def _setup_unknown(self, _error: BaseException) -> None:
        self.show_sign_in(self._expected)  # the sign-in itself says what is wrong

    def show_sign_in(self, name: str = "") -> None:
        self._show(self.form)
        self.form.reset(name)


class SignInDialog(QDialog):
    """Sign a (different) person in without leaving the screen, e.g. a supervisor for a
    queue action. ``person`` holds who signed in once accepted."""

    def __init__(
        self,
        service: ServiceOf,
        ctx: AppContext,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.person: Person | None = None
        self.form = SignInForm(service, ctx)
        self.form.title.setText(title)
        self.form.signed_in.connect(self._signed_in)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(cancel, 0, Qt.AlignmentFlag.AlignRight)
        self.form.reset()

    def _signed_in(self, person: Person) -> None:
        self.person = person
        self.accept()
