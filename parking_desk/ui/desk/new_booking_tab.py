"""The "New booking" tab: the form on the left, the ticket it produced on the right.

The confirmation e-mail leaves in the background; its status is fetched again while it is
pending (a worker on another machine may be the one sending it), and at once whenever the
in-app engine reports progress.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QWidget

from parking_desk.booking import Booking, EmailStatus
from parking_desk.services.desk_actions import SavedBooking
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.booking_form import BookingForm
from parking_desk.ui.desk.qr_panel import QrPanel
from parking_desk.ui.ops import Op

EMAIL_POLL_MS = 2000


class NewBookingTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.form = BookingForm(ctx)
        self.qr = QrPanel(ctx)
        layout = QHBoxLayout(self)
        layout.addWidget(self.form, 3)
        layout.addWidget(self.qr, 2)
        self.form.saved.connect(self._saved)
        self.form.next_client.connect(self._next_client)
        self._poll = QTimer(self, interval=EMAIL_POLL_MS)
        self._poll.timeout.connect(self.refresh_email_status)
        self._fetching = False

    def showEvent(self, event: QShowEvent) -> None:
        # The desk opens here, and comes back here after a sign-in: the first letters typed
        # belong to the client's name, not to the tab bar that Qt would otherwise pick.
        # Focus a person put somewhere visible (the tab bar they clicked) is left alone.
        focus = self.window().focusWidget()
        if focus is None or not focus.isVisible():
            self.form.name.setFocus()
        super().showEvent(event)

    def _saved(self, result: SavedBooking) -> None:
        self.qr.set_ticket(result.booking, result.payload, result.png)
        self._poll.start()

    def _next_client(self) -> None:
        """The next client is being typed in: the last one's code leaves the screen, so it
        is never shown or printed for the wrong person."""
        self._poll.stop()
        self.qr.clear_ticket()

    def refresh_email_status(self) -> None:
        booking = self.qr.booking
        if booking is None or self._fetching or self.ctx.store is None:
            return
        number = booking.booking_number or ""
        self._fetching = True
        Op(self.ctx, self, lambda store: store.get_booking(number), write=False).success(
            self._fetched
        ).failure(self._not_fetched).run()

    def _not_fetched(self, _error: BaseException) -> None:
        self._fetching = False  # the next tick asks again; the status bar shows a lost store

    def _fetched(self, booking: Booking | None) -> None:
        self._fetching = False
        if booking is None:
            return
        self.qr.update_booking(booking)
        if booking.email_status != EmailStatus.PENDING:
            self._poll.stop()
