"""One booking in full, with what the desk may do to it.

Every action is a store call on the write queue; the panel shows the booking the store
returns, so what is on screen is what was committed, never what the desk hoped for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus, EmailStatus
from parking_desk.services import desk_actions
from parking_desk.services.roles import Role
from parking_desk.services.store.base import Store
from parking_desk.timeutil import as_utc, utcnow
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.amend_dialog import AmendDialog
from parking_desk.ui.desk.bookings_model import status_text
from parking_desk.ui.desk.ticket_actions import TicketActions
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import BOOKING_AND_MAIL, Changes, Op

FIELDS = (
    "number",
    "name",
    "email",
    "phone",
    "plate",
    "arrival",
    "departure",
    "passengers",
    "notes",
    "status",
    "email_status",
    "source",
)


# A scan, a status or an erasure: the booking and its audit entry (a cancel or an erasure
# also touches the booking's waiting e-mails).
STATUS_CHANGE = Changes(bookings=True, audit=True)
TASKS_TOUCHED = Changes(bookings=True, tasks=True, audit=True)


class BookingDetails(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.booking: Booking | None = None
        self.values = {name: named(QLabel(), f"detail_{name}") for name in FIELDS}
        self.titles = {name: QLabel() for name in FIELDS}
        form = QFormLayout()
        for name in FIELDS:
            self.values[name].setWordWrap(True)
            self.values[name].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.titles[name], self.values[name])
        self.history_title = QLabel()
        self.history = named(QListWidget(), "history")
        self.history.setMaximumHeight(140)
        self.message = named(QLabel(wordWrap=True), "detailMessage")

        self.amend_button = named(QPushButton(), "amend")
        self.resend_button = named(QPushButton(), "resend")
        self.cancel_button = named(QPushButton(), "cancelBooking")
        self.check_in_button = named(QPushButton(), "checkIn")
        self.check_out_button = named(QPushButton(), "checkOut")
        self.erase_button = named(QPushButton(), "eraseClient")
        self.undo_button = named(QPushButton(), "undoScan")
        self.undo_button.clicked.connect(self.undo_scan)
        self.amend_button.clicked.connect(self._ask_amend)
        self.resend_button.clicked.connect(self.resend)
        self.cancel_button.clicked.connect(self._ask_cancel)
        self.check_in_button.clicked.connect(lambda: self.set_status(BookingStatus.CHECKED_IN))
        self.check_out_button.clicked.connect(lambda: self.set_status(BookingStatus.CHECKED_OUT))
        self.erase_button.clicked.connect(self._ask_erase)
        buttons = QGridLayout()
        buttons.addWidget(self.check_in_button, 0, 0)
        buttons.addWidget(self.check_out_button, 0, 1)
        buttons.addWidget(self.amend_button, 1, 0)
        buttons.addWidget(self.resend_button, 1, 1)
        buttons.addWidget(self.cancel_button, 2, 0)
        buttons.addWidget(self.erase_button, 2, 1)
        buttons.addWidget(self.undo_button, 3, 0)
        # The booking's ticket, whoever made the booking (the website's too): Ctrl+T, Ctrl+P.
        self.tickets = TicketActions(ctx, self, lambda: self.booking)
        self.tickets.reported.connect(self._ticket_said)
        ticket_row = QHBoxLayout()
        self.ticket_buttons: list[QToolButton] = []
        for action in self.tickets.actions():
            button = named(QToolButton(), f"{action.objectName()}Button")
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            ticket_row.addWidget(button)
            self.ticket_buttons.append(button)
        ticket_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.history_title)
        layout.addWidget(self.history)
        layout.addLayout(buttons)
        layout.addLayout(ticket_row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.retranslate_ui()
        self.show_booking(None)

    def retranslate_ui(self) -> None:
        titles = {
            "number": self.tr("Booking number"),
            "name": self.tr("Client"),
            "email": self.tr("E-mail"),
            "phone": self.tr("Phone"),
            "plate": self.tr("Plate"),
            "arrival": self.tr("Arrival"),
            "departure": self.tr("Departure"),
            "passengers": self.tr("Passengers"),
            "notes": self.tr("Notes"),
            "status": self.tr("Status"),
            "email_status": self.tr("Confirmation e-mail"),
            "source": self.tr("Source"),
        }
        for name, title in titles.items():
            self.titles[name].setText(title)
        self.history_title.setText(self.tr("History"))
        self.amend_button.setText(self.tr("Amend…"))
        self.resend_button.setText(self.tr("Resend e-mail"))
        self.cancel_button.setText(self.tr("Cancel booking"))
        self.check_in_button.setText(self.tr("Check in"))
        self.check_out_button.setText(self.tr("Check out"))
        self.erase_button.setText(self.tr("Erase this client…"))
        self.undo_button.setText(self.tr("Undo the last scan"))
        self.tickets.retranslate_ui()
        self.show_booking(self.booking)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_booking(self, booking: Booking | None) -> None:
        self.booking = booking
        b = booking
        values = {
            "number": b.booking_number if b else "",
            "name": b.client_name if b else "",
            "email": b.client_email if b else "",
            "phone": b.phone if b else "",
            "plate": b.plate if b else "",
            "arrival": show(b.arrival) if b else "",
            "departure": show(b.departure) if b else "",
            "passengers": str(b.passengers) if b else "",
            "notes": b.notes if b else "",
            "status": status_text(str(b.status)) if b else "",
            "email_status": self._email_text(b) if b else "",
            "source": self._source_text(str(b.source)) if b else "",
        }
        for name, value in values.items():
            self.values[name].setText(value or "")
        self.history.clear()
        for entry in reversed(b.history if b else []):
            self.history.addItem(self._history_line(entry))
        status = b.status if b else None
        self.check_in_button.setEnabled(status == BookingStatus.CONFIRMED)
        self.check_out_button.setEnabled(status == BookingStatus.CHECKED_IN)
        open_ = status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
        self.amend_button.setEnabled(open_)
        self.cancel_button.setEnabled(status == BookingStatus.CONFIRMED)
        self.resend_button.setEnabled(b is not None and status != BookingStatus.CANCELLED)
        # Shown to a supervisor only; the service checks the role again when it runs.
        self.erase_button.setVisible(self.ctx.session.allows(Role.SUPERVISOR))
        self.erase_button.setEnabled(b is not None)
        self.undo_button.setEnabled(b is not None and self._undoable(b))
        self.tickets.enable(b if open_ else None)  # no ticket for a stay that is over

    def _ticket_said(self, text: str, failed: bool) -> None:
        if text or failed:
            self._say(text, failed=failed)

    def _email_text(self, b: Booking) -> str:
        if b.email_status == EmailStatus.SENT:
            return self.tr("sent at {when}").format(when=show(b.email_sent_at))
        if b.email_status == EmailStatus.FAILED:
            when = show(b.updated_at)
            return self.tr("failed (last change {when})").format(when=when)
        return self.tr("pending")

    def _source_text(self, source: str) -> str:
        names = {
            "desk": self.tr("desk"),
            "web": self.tr("website"),
            "test_mode": self.tr("test mode"),
        }
        return names.get(source, source)

    def _history_line(self, entry: dict[str, Any]) -> str:
        """One line per change, in words; tolerant of entries written by other programs."""
        try:
            when = show(as_utc(entry.get("at")))
        except (TypeError, ValueError):
            when = "?"
        action = str(entry.get("action", ""))
        actions = {
            "checked_in": self.tr("Checked in"),
            "checked_out": self.tr("Checked out"),
            "cancelled": self.tr("Cancelled"),
            "confirmed": self.tr("Confirmed"),
            "resend": self.tr("E-mail queued again"),
            "amend": self.tr("Amended"),
            "anonymised": self.tr("Client's personal data removed"),
            "undo": self.tr("Scan undone"),
        }
        text = actions.get(action, action)
        details = entry.get("details")
        if action == "amend" and isinstance(details, dict):
            changes = []
            for name, change in details.items():
                old, new = _old_new(change)
                changes.append(f"{self._field_name(name)}: {self._value(old)} → {self._value(new)}")
            text = f"{text}: {'; '.join(changes)}"
        return f"{when} · {entry.get('by', '')} · {text}"

    def _field_name(self, name: str) -> str:
        names = {
            "client_name": self.tr("Client"),
            "client_email": self.tr("E-mail"),
            "clientName": self.tr("Client"),
            "clientEmail": self.tr("E-mail"),
            "phone": self.tr("Phone"),
            "plate": self.tr("Plate"),
            "arrival": self.tr("Arrival"),
            "departure": self.tr("Departure"),
            "passengers": self.tr("Passengers"),
            "notes": self.tr("Notes"),
            "language": self.tr("Language"),
        }
        return names.get(name, name)

    @staticmethod
    def _value(value: Any) -> str:
        if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
            try:
                return show(as_utc(value))
            except (TypeError, ValueError):
                return value
        if hasattr(value, "tzinfo"):
            return show(as_utc(value))
        return str(value)

    # --- actions -------------------------------------------------------------------------
    def _run(self, job: Callable[[Store], Booking], done_text: str, changes: Changes) -> None:
        """*job* runs on the write thread; the lists showing bookings hear of it from the
        change hub, and this panel shows the booking the store returned."""
        self._say(self.tr("Working…"))
        Op(self.ctx, self, lambda store: (job(store), done_text), changes=changes).success(
            self._ran
        ).failure(self._failed).run()

    def _ran(self, result: tuple[Booking, str]) -> None:
        booking, done_text = result
        self.show_booking(booking)
        self._say(done_text)

    def _failed(self, error: BaseException) -> None:
        self._say(error_text(error, self.ctx.language), failed=True)

    def _say(self, text: str, *, failed: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020; font-weight: bold;" if failed else "")
        self.message.setProperty("failed", failed)
        self.message.setText(text)

    def set_status(self, to: BookingStatus) -> None:
        if self.booking is None:
            return
        number, operator = self.booking.booking_number or "", self.ctx.operator()
        texts = {
            BookingStatus.CHECKED_IN: self.tr("Checked in."),
            BookingStatus.CHECKED_OUT: self.tr("Checked out."),
            BookingStatus.CANCELLED: self.tr("Booking cancelled."),
        }
        # A cancel also cancels the booking's e-mails still waiting in the queue.
        changes = TASKS_TOUCHED if to == BookingStatus.CANCELLED else STATUS_CHANGE
        self._run(lambda s: s.set_booking_status(number, to, operator=operator), texts[to], changes)

    def _window(self) -> timedelta:
        return timedelta(hours=self.ctx.settings.desk.undo_window_hours)

    def _undoable(self, booking: Booking) -> bool:
        """A check-in or check-out made within the undo window (the store decides again)."""
        scan = booking_rules.last_scan(booking)
        at = scan.get("at") if scan is not None else None
        stamp = as_utc(at) if isinstance(at, datetime) else None
        return stamp is not None and stamp >= utcnow() - self._window()

    def undo_scan(self) -> None:
        if self.booking is None:
            return
        number, operator, window = (
            self.booking.booking_number or "",
            self.ctx.operator(),
            self._window(),
        )
        texts = {
            BookingStatus.CHECKED_IN: self.tr("Check-in undone: the booking is confirmed again."),
            BookingStatus.CHECKED_OUT: self.tr("Check-out undone: the car is on the lot again."),
        }
        text = texts.get(self.booking.status, "")
        self._run(
            lambda s: desk_actions.undo_last_scan(s, number, operator, window), text, STATUS_CHANGE
        )

    def _ask_cancel(self) -> None:
        if self.booking is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Cancel booking"),
            self.tr("Cancel booking {number}? The ticket will be refused at the gate.").format(
                number=self.booking.booking_number
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.set_status(BookingStatus.CANCELLED)

    def resend(self) -> None:
        if self.booking is None:
            return
        number, operator = self.booking.booking_number or "", self.ctx.operator()
        self._run(
            lambda s: desk_actions.resend_confirmation(s, number, operator),
            self.tr("The confirmation e-mail is queued again."),
            BOOKING_AND_MAIL,
        )

    def amend(self, changes: dict[str, Any]) -> None:
        """Apply already validated *changes* (attribute names of ``Booking``)."""
        if self.booking is None or not changes:
            return
        number, operator = self.booking.booking_number or "", self.ctx.operator()
        self._run(
            lambda s: desk_actions.amend(s, number, changes, operator),
            self.tr("Booking amended; a new confirmation is on its way."),
            BOOKING_AND_MAIL,
        )

    def erase_client(self) -> None:
        """Remove the client's personal data from this booking, every other booking with
        their address, their e-mails in the queue and the outbox folder (a supervisor's
        action, checked by ``retention.erase_client``)."""
        if self.booking is None:
            return
        number, session = self.booking.booking_number or "", self.ctx.session
        outbox = self.ctx.settings.mail.outbox_dir

        self._run(
            lambda s: desk_actions.erase_and_reread(s, session, number, outbox_dir=outbox),
            self.tr("The client's personal data is erased."),
            TASKS_TOUCHED,
        )

    def _ask_erase(self) -> None:
        if self.booking is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Erase this client"),
            self.tr(
                "Remove the name, e-mail, phone and plate of this client from booking "
                "{number}, from their other bookings with the same e-mail, and from their "
                "e-mails? The bookings stay, without them. This cannot be undone."
            ).format(number=self.booking.booking_number),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.erase_client()

    def _ask_amend(self) -> None:
        if self.booking is None:
            return
        dialog = AmendDialog(self.ctx, self.booking, self)
        if dialog.exec() == AmendDialog.DialogCode.Accepted:
            self.amend(dialog.changes())


def _old_new(change: Any) -> tuple[Any, Any]:
    """Stores write a change as ``[old, new]`` or ``{"from": old, "to": new}``."""
    if isinstance(change, (list, tuple)) and len(change) == 2:
        return change[0], change[1]
    if isinstance(change, dict):
        return change.get("from", ""), change.get("to", "")
    return "", change
