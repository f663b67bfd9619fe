"""The walk-in booking form, built for a queue of clients and a keyboard.

Tab walks the fields in the order a client answers, Enter saves from any field, Esc starts
over. The domain's validation decides what is wrong; the form only shows it next to the
field, in the UI language. Saving is an operation on the store-write thread
(``services.desk_actions.save_booking``), so the window never waits for the store, and on
failure everything typed stays where it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QDateTime, QEvent, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from parking_desk import booking_rules
from parking_desk.booking import Booking, Source
from parking_desk.errors import FieldError, ValidationError
from parking_desk.occupancy import OverCapacity
from parking_desk.services.desk_actions import SavedBooking, SavePolicy, save_booking
from parking_desk.services.roles import Role
from parking_desk.timeutil import utcnow
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.field_text import field_text
from parking_desk.ui.local_time import DISPLAY_FORMAT, qt_zone, to_utc
from parking_desk.ui.named import named
from parking_desk.ui.ops import BOOKING_AND_MAIL, NO_CHANGES, Changes, Op
from parking_desk.validation import (
    MAX_EMAIL,
    MAX_NAME,
    MAX_NOTES,
    MAX_PASSENGERS,
    MAX_PHONE,
    MIN_PASSENGERS,
    validate_booking,
)

DEFAULT_STAY_DAYS = 7
FIELDS = (
    "clientName",
    "clientEmail",
    "phone",
    "plate",
    "arrival",
    "departure",
    "passengers",
    "notes",
    "language",
)


class DateTimeField(QDateTimeEdit):
    """Tab leaves the field instead of stepping through day, month, year, hour and minute:
    the defaults are usually right, and digits typed still advance from section to section.

    Dates are typed as people write them, ``02.12.2026 06:30`` or ``2.3.2026 6:05``. Qt
    moves on by itself once a section is full ("02") and again on the dot that follows, so
    a separator right after such a move is swallowed; and a separator reaches the next
    section through the same ``focusNextPrevChild`` as Tab, so only Tab may leave the field.
    """

    _in_key_press = False
    _moved_on = False  # the last key filled its section and Qt moved to the next one

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        separator = bool(text) and text.isprintable() and not text.isalnum()
        if separator and self._moved_on:
            self._moved_on = False
            event.accept()
            return
        before = self.currentSectionIndex()
        self._in_key_press = True
        try:
            super().keyPressEvent(event)
        finally:
            self._in_key_press = False
        self._moved_on = bool(text) and not separator and self.currentSectionIndex() != before

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._moved_on = False
        super().focusInEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        if self._in_key_press:
            return super().focusNextPrevChild(next)  # a separator: the next section
        return QWidget.focusNextPrevChild(self, next)


class FieldMessage(QLabel):
    """The line under a field: red for an error, amber for a warning, hidden when all is well."""

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field
        self.setObjectName(f"error_{field}")
        self.setWordWrap(True)
        self.hide()

    def show_problem(self, problem: FieldError | None, lang: str) -> None:
        if problem is None:
            self.clear()
            self.setProperty("severity", "")
            self.hide()
            return
        colour = "#b00020" if problem.severity == "error" else "#8a5a00"
        self.setStyleSheet(f"color: {colour};")
        self.setProperty("severity", problem.severity)
        self.setText(field_text(problem, lang))
        self.show()


class BookingForm(QWidget):
    saved = Signal(object)  # SavedBooking
    # The first key of the next client after a save: the last client's ticket leaves.
    next_client = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._problems: list[FieldError] = []
        self._saving = False
        self._status_text: Callable[[], str] = str  # made again when the language changes
        self._after_save = False

        self.name = named(QLineEdit(maxLength=MAX_NAME), "clientName")
        self.email = named(QLineEdit(maxLength=MAX_EMAIL), "clientEmail")
        self.phone = named(QLineEdit(maxLength=MAX_PHONE), "phone")
        self.plate = named(QLineEdit(maxLength=18), "plate")
        self.plate.textEdited.connect(self._upper_case_plate)
        for line in (self.name, self.email, self.phone, self.plate):
            line.textEdited.connect(self._typing)
        self.arrival = named(DateTimeField(calendarPopup=True), "arrival")
        self.departure = named(DateTimeField(calendarPopup=True), "departure")
        for edit in (self.arrival, self.departure):
            edit.setDisplayFormat(DISPLAY_FORMAT)
            edit.setTimeZone(qt_zone())  # typed in the site's time, whatever this machine's
        self.passengers = named(QSpinBox(), "passengers")
        self.passengers.setRange(MIN_PASSENGERS, MAX_PASSENGERS)
        self.notes = named(QLineEdit(maxLength=MAX_NOTES), "notes")
        self.language = named(QComboBox(), "language")
        self.language.addItem("Română", "ro")
        self.language.addItem("English", "en")
        self.save_button = named(QPushButton(), "save")
        self.save_button.clicked.connect(self.save)
        self.clear_button = named(QPushButton(), "clear")
        self.clear_button.clicked.connect(self.clear)
        # Shown when the lot would be full; only a supervisor's session enables it.
        self.override_button = named(QPushButton(), "saveOverCapacity")
        self.override_button.clicked.connect(self.save_over_capacity)
        self.override_button.hide()
        self._over: OverCapacity | None = None
        for button in (self.save_button, self.clear_button, self.override_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.status = named(QLabel(wordWrap=True), "formStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.messages = {name: FieldMessage(name) for name in FIELDS}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, widget in self.editors().items():
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(self.messages[name])
            self.labels[name] = QLabel()
            self.labels[name].setBuddy(widget)
            form.addRow(self.labels[name], box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)

        editors = [
            *self.editors().values(),
            self.save_button,
            self.clear_button,
            self.override_button,
        ]
        for first, second in itertools.pairwise(editors):
            QWidget.setTabOrder(first, second)
        self.retranslate_ui()
        self.clear()

    def editors(self) -> dict[str, QWidget]:
        return {
            "clientName": self.name,
            "clientEmail": self.email,
            "phone": self.phone,
            "plate": self.plate,
            "arrival": self.arrival,
            "departure": self.departure,
            "passengers": self.passengers,
            "notes": self.notes,
            "language": self.language,
        }

    def retranslate_ui(self) -> None:
        titles = {
            "clientName": self.tr("Clien&t name"),
            "clientEmail": self.tr("E-&mail"),
            "phone": self.tr("Phon&e"),
            "plate": self.tr("P&late"),
            "arrival": self.tr("A&rrival"),
            "departure": self.tr("De&parture"),
            "passengers": self.tr("Passen&gers"),
            "notes": self.tr("N&otes"),
            "language": self.tr("E-mail lang&uage"),
        }
        for name, title in titles.items():
            self.labels[name].setText(title)
        self.name.setPlaceholderText(self.tr("First and last name"))
        self.email.setPlaceholderText(self.tr("client@example.com"))
        self.phone.setPlaceholderText(self.tr("+40 7xx xxx xxx"))
        self.plate.setPlaceholderText(self.tr("B123ABC"))
        self.save_button.setText(self.tr("Save (Enter)"))
        self.clear_button.setText(self.tr("Clear (Esc)"))
        self.override_button.setText(self.tr("Save over capacity (supervisor)"))
        self._show_problems()
        self.status.setText(self._status_text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Line edits, spin boxes and closed combo boxes pass Enter and Esc up to here.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
        elif event.key() == Qt.Key.Key_Escape:
            self.clear()
        else:
            super().keyPressEvent(event)

    def _typing(self, _text: str) -> None:
        self._forget_over_capacity()
        if self._after_save:
            self._after_save = False
            self._set_status("")
            self.next_client.emit()

    def _upper_case_plate(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            cursor = self.plate.cursorPosition()
            self.plate.setText(upper)
            self.plate.setCursorPosition(cursor)

    def clear(self) -> None:
        """Empty the form for the next client; arrival now, departure a week later."""
        for edit in (self.name, self.email, self.phone, self.plate, self.notes):
            edit.clear()
        now = QDateTime.currentDateTime()
        now = now.addSecs(-now.time().second())
        self.arrival.setDateTime(now)
        self.departure.setDateTime(now.addDays(DEFAULT_STAY_DAYS))
        self.passengers.setValue(MIN_PASSENGERS)
        self.language.setCurrentIndex(max(0, self.language.findData(self.ctx.language)))
        self._problems = []
        self._show_problems()
        self._set_status("")
        self._forget_over_capacity()
        self.name.setFocus()

    def booking(self) -> Booking:
        return Booking(
            client_name=self.name.text(),
            client_email=self.email.text(),
            phone=self.phone.text(),
            plate=self.plate.text(),
            arrival=to_utc(self.arrival.dateTime()),
            departure=to_utc(self.departure.dateTime()),
            passengers=self.passengers.value(),
            notes=self.notes.text(),
            language=self.language.currentData(),
            source=Source.DESK,
            created_by=self.ctx.operator(),
        )

    def problems(self) -> list[FieldError]:
        return list(self._problems)

    def _show_problems(self) -> None:
        for name, label in self.messages.items():
            found = [p for p in self._problems if p.field == name]
            errors = [p for p in found if p.severity == "error"]
            label.show_problem((errors or found)[0] if found else None, self.ctx.language)

    def save_over_capacity(self) -> None:
        """A supervisor saves the walk-in the lot has no place for; the store-write thread
        checks the role again and audits it."""
        self.save(override=True)

    def save(self, *, override: bool = False) -> None:
        if self._saving:
            return  # Enter held down or pressed twice: one booking, not two
        try:
            checked = validate_booking(self.booking())
        except ValidationError as exc:
            self._problems = list(exc.errors)
            self._show_problems()
            self._set_status(lambda: self.tr("Please correct the marked fields."), failed=True)
            first = self.editors().get(exc.errors[0].field)
            if first is not None:
                first.setFocus()
            return
        booking = checked.booking
        warnings = (*checked.warnings, *booking_rules.stay_warnings(booking, utcnow()))
        self._problems = list(warnings)
        self._show_problems()
        self._saving = True
        self.save_button.setEnabled(False)
        self._set_status(lambda: self.tr("Saving…"))
        policy = SavePolicy.of(self.ctx.settings, self.ctx.session, self.ctx.signer)
        Op(
            self.ctx,
            self,
            lambda store: save_booking(store, booking, policy, warnings, override=override),
            changes=_changed_by,
        ).success(self._done).failure(self._save_failed).run()

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self._failed(error)

    def _done(self, result: SavedBooking | OverCapacity) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(result, OverCapacity):
            self._over_capacity(result)
            return
        self._forget_over_capacity()
        self.clear()
        number = result.booking.booking_number
        warnings = result.warnings

        def said() -> str:
            text = self.tr("Booking {number} saved.").format(number=number)
            if not warnings:
                return text
            checks = " ".join(field_text(w, self.ctx.language) for w in warnings)
            return self.tr("{saved} Check with the client: {checks}").format(
                saved=text, checks=checks
            )

        # The form is empty for the next client, so what to check goes in the status line.
        self._set_status(said, warned=bool(warnings))
        self._after_save = True
        self.saved.emit(result)

    def _over_capacity(self, over: OverCapacity) -> None:
        """Nothing was saved: say which day is full, and let a supervisor save it anyway."""
        supervisor = self.ctx.session.allows(Role.SUPERVISOR)
        self._over = over
        self.override_button.setEnabled(supervisor)
        self.override_button.show()

        def said() -> str:
            text = self.tr(
                "Not saved: the lot is full on {day} ({booked} of {capacity} places taken)."
            ).format(day=over.day.strftime("%d.%m.%Y"), booked=over.booked, capacity=over.capacity)
            if supervisor:
                return text + " " + self.tr("A supervisor may save it anyway.")
            return text + " " + self.tr("Only a supervisor may save it anyway.")

        self._set_status(said, warned=True)

    def _forget_over_capacity(self) -> None:
        self._over = None
        self.override_button.hide()

    def over_capacity(self) -> OverCapacity | None:
        return self._over

    def _failed(self, error: BaseException) -> None:
        self._set_status(lambda: error_text(error, self.ctx.language), failed=True)

    def _set_status(
        self, text: Callable[[], str] | str, *, failed: bool = False, warned: bool = False
    ) -> None:
        """*text* as a callable is asked again when the language changes."""
        self._status_text = text if callable(text) else (lambda: text)
        style = "color: #8a5a00; font-weight: bold;" if warned else ""
        self.status.setStyleSheet("color: #b00020; font-weight: bold;" if failed else style)
        self.status.setProperty("failed", failed)
        self.status.setProperty("warned", warned)
        self.status.setText(self._status_text())

    def is_saving(self) -> bool:
        return self._saving


def _changed_by(result: SavedBooking | OverCapacity) -> Changes:
    """A save refused for want of capacity wrote nothing; a saved one queued its e-mail."""
    return NO_CHANGES if isinstance(result, OverCapacity) else BOOKING_AND_MAIL
