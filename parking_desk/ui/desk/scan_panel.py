"""Check-in and check-out at the gate by scanning the ticket.

USB scanners type like keyboards and end with Enter, so the scan field is a line edit that
keeps focus. A typed booking number works too, for a ticket the scanner cannot read. The
signature is checked here, offline, against the site's key ring (every desk's and worker's
published key, as this desk last saw it); whether the ticket is *unused* is the store's
atomic status change, so two desks can never check the same car in twice. A ticket signed
with a revoked key is refused with the reason, and the desk may reissue it with its own key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.booking_rules import ScanQuestion
from parking_desk.services.desk_actions import (
    ScanLimits,
    ScanMode,
    ScanResult,
    check_in_or_out,
    reissue_refused_ticket,
    undo_last_scan,
)
from parking_desk.services.key_ring import Reissued, TicketVerdict, machine_name
from parking_desk.services.store.base import Store
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.qr_fullscreen import QrFullscreen
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import now as site_now
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import Changes, Op

RECENT_SCANS = 50
# A recent scan's booking number while its scan may still be undone from the list.
UNDO_ROLE = Qt.ItemDataRole.UserRole + 1
_NUMBER = re.compile(r"^[0-9A-Z\-]{1,24}$")
# A check-in, a check-out or an undo: the booking and its audit entry.
SCANNED = Changes(bookings=True, audit=True)


class ScanPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mode = named(QComboBox(), "scanMode")
        for mode in ScanMode:
            self.mode.addItem("", mode)
        self.mode_label = QLabel()
        self.mode_label.setBuddy(self.mode)
        self.input = named(QLineEdit(), "scanInput")
        self.input.returnPressed.connect(self.scan)
        big = QFont()
        big.setPointSize(16)
        self.input.setFont(big)
        self.result = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "scanResult")
        self.result.setWordWrap(True)
        self.result.setMinimumHeight(140)
        font = QFont()
        font.setPointSize(22)
        font.setBold(True)
        self.result.setFont(font)
        self.details = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "scanDetails")
        self.details.setWordWrap(True)
        self.reissue_button = named(QPushButton(), "reissueTicket")
        self.reissue_button.clicked.connect(self.reissue)
        self.reissue_button.hide()
        self._reissue_number = ""
        self.fullscreen: QrFullscreen | None = None
        self.reissued: Reissued | None = None
        self.hint = QLabel(wordWrap=True)
        self.recent_title = QLabel()
        self.recent = named(QListWidget(), "recentScans")
        self.question_box: QMessageBox | None = None
        self._pending: tuple[str, str, datetime | None] | None = None
        self.recent.currentItemChanged.connect(lambda *_: self._enable_undo())
        # Undo acts on the selected recent scan; each new check-in or check-out is selected.
        self.undo_button = named(QPushButton(), "undoScan")
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(self.mode_label)
        top.addWidget(self.mode)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.input)
        layout.addWidget(self.result)
        layout.addWidget(self.details)
        layout.addWidget(self.reissue_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.recent_title)
        layout.addWidget(self.recent, 1)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._outcome = ""
        # What the banner and the recent list say, as texts made again in each language.
        self._banner: Callable[[], str] = str
        self._recent: list[tuple[str, Callable[[], str]]] = []
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.mode_label.setText(self.tr("&Mode"))
        titles = {
            ScanMode.AUTO: self.tr("Automatic: check in, then check out"),
            ScanMode.CHECK_IN: self.tr("Check in only"),
            ScanMode.CHECK_OUT: self.tr("Check out only"),
        }
        for i in range(self.mode.count()):
            self.mode.setItemText(i, titles[self.mode.itemData(i)])
        self.hint.setText(
            self.tr("Scan the ticket's QR code, or type the booking number and press Enter.")
        )
        self.input.setPlaceholderText(self.tr("Scan or type a booking number"))
        self.recent_title.setText(self.tr("Recent scans"))
        self.reissue_button.setText(self.tr("Reissue ticket"))
        self.undo_button.setText(self.tr("&Undo the selected scan"))
        self.result.setText(self._banner())
        for row, (stamp, text) in enumerate(self._recent):
            self.recent.item(row).setText(f"{stamp}  {text()}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def showEvent(self, event) -> None:
        self.input.setFocus()
        super().showEvent(event)

    def outcome(self) -> str:
        """ "checked_in", "checked_out" or "refused": what the big message says."""
        return self._outcome

    def scan(self) -> None:
        text = self.input.text().strip()
        self.input.clear()
        if not text:
            return
        ticket_plate, valid_until = "", None
        if ":" in text:
            verdict = self.ctx.trusted_keys().verify(text)
            if not verdict.ok:
                self._refuse_ticket(verdict)
                return
            number, ticket_plate = verdict.booking_number, verdict.check.plate
            valid_until = verdict.check.valid_until
        else:
            number = re.sub(r"\s+", "", text)
            if not _NUMBER.match(number.upper()):
                self._show("refused", self._unreadable, "")
                return
        mode = ScanMode(self.mode.currentData())
        self._check(number, mode, ticket_plate, valid_until, confirmed=False)

    def _check(
        self,
        number: str,
        mode: ScanMode,
        ticket_plate: str,
        valid_until: datetime | None,
        *,
        confirmed: bool,
    ) -> None:
        self._show("busy", lambda: self.tr("Checking {number}…").format(number=number), "")
        operator = self.ctx.operator()
        desk = self.ctx.settings.desk
        limits = ScanLimits(
            recent=timedelta(minutes=desk.confirm_check_out_within_minutes),
            early=timedelta(hours=desk.confirm_early_check_in_hours),
        )
        machine = machine_name(desk.operator)
        self._pending = (number, ticket_plate, valid_until)

        def work(store: Store) -> ScanResult:
            return check_in_or_out(
                store,
                number,
                mode,
                operator,
                ticket_plate,
                valid_until,
                desk=machine,
                limits=limits,
                confirmed=confirmed,
            )

        # A question asked before the scan wrote nothing.
        Op(self.ctx, self, work, changes=_scanned).success(self._done).failure(self._refused).run()

    # --- a scan to confirm first --------------------------------------------------------
    def _ask(self, result: ScanResult) -> None:
        """Ask before a check-out moments after the check-in (most often the same ticket
        scanned twice) or a check-in long before the booked arrival. Enter and Esc keep
        things as they are, so a scanner's next Enter cannot answer yes by accident; the
        underlined letter (or Tab and Space) says yes."""
        question, booking = result.question, result.booking
        assert question is not None and result.target is not None
        number = booking.booking_number or ""
        target = result.target
        text = self._question_text(booking, question)
        box = named(QMessageBox(self), "scanQuestion")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Confirm the scan"))
        box.setText(text)
        if target == BookingStatus.CHECKED_OUT:
            yes = box.addButton(self.tr("Check &out now"), QMessageBox.ButtonRole.AcceptRole)
            no = box.addButton(self.tr("&Keep it checked in"), QMessageBox.ButtonRole.RejectRole)
        else:
            yes = box.addButton(self.tr("Check &in now"), QMessageBox.ButtonRole.AcceptRole)
            no = box.addButton(self.tr("&Not yet"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        self.question_box = box
        self._show("question", lambda: text, "")

        def answered() -> None:
            self.question_box = None
            box.deleteLater()
            self.window().activateWindow()  # the next scan types into the scan field
            if box.clickedButton() is yes and self._pending is not None:
                _number, plate, valid_until = self._pending
                out = target == BookingStatus.CHECKED_OUT
                mode = ScanMode.CHECK_OUT if out else ScanMode.CHECK_IN
                self._check(number, mode, plate, valid_until, confirmed=True)
                return
            kept = (
                self.tr("Not checked out: {number} stays checked in.")
                if target == BookingStatus.CHECKED_OUT
                else self.tr("Not checked in: {number} is still expected.")
            )
            self._show("kept", lambda: kept.format(number=number), "")

        box.finished.connect(answered)
        box.open()

    def _question_text(self, booking: Booking, question: ScanQuestion) -> str:
        number = booking.booking_number or ""
        if question.kind == "early":
            hours = question.ahead.total_seconds() / 3600
            ahead = (
                self.tr("%n day(s)", "", round(hours / 24))
                if hours >= 48
                else self.tr("%n hour(s)", "", round(hours))
            )
            return self.tr(
                "Booking {number} arrives on {arrival}, {ahead} from now. Check it in already?"
            ).format(number=number, arrival=show(booking.arrival), ahead=ahead)
        ago = self.tr("%n minute(s)", "", max(1, round(question.ahead.total_seconds() / 60)))
        entry = question.entry or {}
        when, who = show(entry.get("at") or booking.checked_in_at), str(entry.get("by") or "?")
        desk = booking_rules.scan_desk(entry)
        if desk:
            text = self.tr(
                "Booking {number} was checked in only {ago} ago, at {when} by {who} at {desk}. "
                "Check the car out now?"
            )
        else:
            text = self.tr(
                "Booking {number} was checked in only {ago} ago, at {when} by {who}. "
                "Check the car out now?"
            )
        return text.format(number=number, ago=ago, when=when, who=who, desk=desk)

    def _unreadable(self) -> str:
        return self.tr("Not a ticket or booking number this desk can read.")

    def _error(self, error: BaseException) -> Callable[[], str]:
        return lambda: error_text(error, self.ctx.language)

    def _refuse_ticket(self, verdict: TicketVerdict) -> None:
        if verdict.status == "revoked":
            self._show("refused", lambda: self._refusal(verdict), verdict.booking_number)
            can_reissue = self.ctx.signer is not None and self.ctx.store is not None
            self._reissue_number = verdict.booking_number
            self.reissue_button.setVisible(can_reissue)
            return
        self._show("refused", lambda: self._refusal(verdict), "")

    def _refusal(self, verdict: TicketVerdict) -> str:
        status, key = verdict.status, verdict.key
        texts = {
            "forged": self.tr("FORGED TICKET: it was not issued by this operator."),
            "altered": self.tr("ALTERED TICKET: its data does not match its signature."),
            "expired": self.tr("EXPIRED TICKET: it was valid until {when}.").format(
                when=show(verdict.check.valid_until)
            ),
        }
        if status == "revoked":
            return self.tr(
                "REVOKED KEY: ticket signed with a revoked key ({machine}, revoked {when} "
                "by {who}). Reissue the ticket."
            ).format(
                machine=key.machine if key and key.machine else verdict.check.key_id,
                when=show(key.revoked_at) if key else "",
                who=key.revoked_by if key else "",
            )
        return texts.get(status, self._unreadable())

    def reissue(self) -> None:
        """A new ticket for the refused one's booking, signed with this desk's own key."""
        number, signer = self._reissue_number, self.ctx.signer
        if not number or signer is None:
            return
        ring, session = self.ctx.trusted_keys(), self.ctx.session
        validity = timedelta(hours=self.ctx.settings.qr.validity_hours_after_departure)

        def work(store: Store) -> tuple[Reissued, bytes]:
            return reissue_refused_ticket(store, signer, ring, session, number, validity=validity)

        self._show(
            "busy", lambda: self.tr("Reissuing the ticket of {number}…").format(number=number), ""
        )
        # The reissue is audited.
        Op(self.ctx, self, work, changes=Changes(audit=True)).success(self._reissued).failure(
            self._refused
        ).run()

    def _refused(self, error: BaseException) -> None:
        self._show("refused", self._error(error), "")

    def _reissued(self, result: tuple[Reissued, bytes]) -> None:
        done, png = result
        self.reissue_button.hide()
        self.reissued = done
        number = done.booking.booking_number
        self._show(
            "reissued",
            lambda: self.tr("TICKET REISSUED: {number}. Show it to the client or print it.").format(
                number=number
            ),
            "",
        )
        number = number or self._reissue_number
        self.fullscreen = QrFullscreen(png, number, done.booking.plate)
        self.fullscreen.open()
        self._reissue_number = ""

    def _done(self, result: ScanResult) -> None:
        if result.question is not None:
            self._ask(result)
            return
        booking = result.booking
        details = self.tr("{name} · {plate} · {arrival} → {departure}").format(
            name=booking.client_name,
            plate=booking.plate,
            arrival=show(booking.arrival),
            departure=show(booking.departure),
        )
        number = booking.booking_number
        if result.done is None:
            old, new = result.ticket_plate, booking.plate
            self._show(
                "refused",
                lambda: self.tr(
                    "Refused: this ticket is for plate {old}, the booking now has {new}. "
                    "Ask for the newer ticket."
                ).format(old=old, new=new),
                details,
            )
        elif result.done == BookingStatus.CHECKED_IN:
            self._show(
                "checked_in",
                lambda: self.tr("CHECKED IN: {number}").format(number=number),
                details,
                number or "",
            )
        else:
            self._show(
                "checked_out",
                lambda: self.tr("CHECKED OUT: {number}").format(number=number),
                details,
                number or "",
            )

    # --- undo -------------------------------------------------------------------------------
    def _enable_undo(self) -> None:
        item = self.recent.currentItem()
        self.undo_button.setEnabled(bool(item is not None and item.data(UNDO_ROLE)))

    def undo(self) -> None:
        """Take back the selected check-in or check-out (a wrong car, a ticket scanned
        twice): the store refuses one older than the undo window."""
        item = self.recent.currentItem()
        number = str(item.data(UNDO_ROLE) or "") if item is not None else ""
        if not number:
            return
        try:
            operator = self.ctx.operator()
        except Exception as exc:  # nobody signed in
            self._show("refused", self._error(exc), "")
            return
        assert item is not None
        item.setData(UNDO_ROLE, "")  # one undo per scan
        self._enable_undo()
        window = timedelta(hours=self.ctx.settings.desk.undo_window_hours)
        self._show(
            "busy", lambda: self.tr("Undoing the scan of {number}…").format(number=number), ""
        )
        Op(
            self.ctx,
            self,
            lambda store: undo_last_scan(store, number, operator, window),
            changes=SCANNED,
        ).success(self._undone).failure(self._refused).run()

    def _undone(self, result: Booking) -> None:
        number = result.booking_number or ""
        checked_in = result.status == BookingStatus.CHECKED_IN

        def text() -> str:
            if checked_in:
                return self.tr("CHECK-OUT UNDONE: {number} is on the lot again.").format(
                    number=number
                )
            return self.tr("CHECK-IN UNDONE: {number} is not on the lot.").format(number=number)

        self._show("undone", text, "", number)

    def _show(self, outcome: str, text: Callable[[], str], details: str, number: str = "") -> None:
        """*text* is asked again when the language changes, for the banner and the list;
        *number*: the booking a check-in or check-out (or an undo) can still be undone of."""
        colours = {
            "undone": "#e65100",
            "checked_in": "#1b5e20",
            "checked_out": "#0d47a1",
            "refused": "#b00020",
            "busy": "#555555",
            "question": "#8a5a00",
            "kept": "#555555",
            "reissued": "#1b5e20",
        }
        self._outcome = outcome
        self.reissue_button.hide()
        self.result.setStyleSheet(
            f"background: {colours[outcome]}; color: white; border-radius: 8px; padding: 12px;"
        )
        self._banner = text
        self.result.setText(text())
        self.details.setText(details)
        self.input.setFocus()
        if outcome != "busy":
            stamp = site_now().toString("HH:mm:ss")
            self.recent.insertItem(0, f"{stamp}  {text()}")
            self.recent.item(0).setData(UNDO_ROLE, number)
            if number:
                self.recent.setCurrentRow(0)
            self._enable_undo()
            self._recent.insert(0, (stamp, text))
            while self.recent.count() > RECENT_SCANS:
                self.recent.takeItem(self.recent.count() - 1)
            del self._recent[RECENT_SCANS:]


def _scanned(result: ScanResult) -> Changes:
    """A scan asked about, or refused for its plate, wrote nothing."""
    return SCANNED if result.done is not None else Changes()
