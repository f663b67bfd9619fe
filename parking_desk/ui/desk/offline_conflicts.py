"""The offline conflicts: what this desk did offline that the store would not take as it
was (a number taken, a booking cancelled or scanned at another desk meanwhile, a ticket the
store does not know). Staff read each one, deal with it (re-book the client, talk to the
other desk), then mark it resolved, or replay it once the other side has synced. Nothing is
read or written on the GUI thread: the list comes from the journal as an operation.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parking_desk.services.offline.journal import Entry
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import BOOKING_AND_MAIL, Op

SEQ_ROLE = Qt.ItemDataRole.UserRole + 1


class ConflictsDialog(QDialog):
    def __init__(self, ctx: AppContext, desk: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.desk = desk  # the OfflineDesk the context's store is
        self.entries: list[Entry] = []
        self.setWindowTitle(self.tr("Offline conflicts"))
        self.intro = QLabel(
            self.tr(
                "What this desk did offline that the database did not take as it was. "
                "Nothing was overwritten: deal with each one, then mark it resolved."
            ),
            wordWrap=True,
        )
        self.list = named(QListWidget(), "offlineConflicts")
        self.list.currentRowChanged.connect(self._selected)
        self.resolve_button = named(QPushButton(self.tr("Mark &resolved")), "resolveConflict")
        self.retry_button = named(QPushButton(self.tr("&Try again")), "retryConflict")
        self.resolve_button.clicked.connect(self.resolve)
        self.retry_button.clicked.connect(self.retry)
        self.message = named(QLabel(wordWrap=True), "conflictMessage")
        buttons = QHBoxLayout()
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(640, 360)
        self._selected(-1)
        self.refresh()

    def refresh(self) -> None:
        Op.without_store(self.ctx, self, self.desk.conflicts).success(self._listed).failure(
            self._failed
        ).run()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self.ctx.language))

    def _listed(self, entries: list[Entry]) -> None:
        self.entries = list(entries)
        self.list.clear()
        for entry in self.entries:
            item = QListWidgetItem(self.describe(entry))
            item.setData(SEQ_ROLE, entry.seq)
            self.list.addItem(item)
        if self.entries:
            self.list.setCurrentRow(0)
        else:
            self.message.setText(self.tr("No conflicts: everything this desk did is in."))
        self._selected(self.list.currentRow())

    def describe(self, entry: Entry) -> str:
        """One line a person can act on: what, which booking, when, who, and why not."""
        reasons = {
            "number_taken": self.tr(
                "its number is another booking's: book the client again and give them the new "
                "ticket"
            ),
            "cancelled_elsewhere": self.tr("the booking was cancelled meanwhile"),
            "scanned_elsewhere": self.tr(
                "another desk checked it in or out meanwhile (now: {current})"
            ).format(current=entry.details.get("current", "")),
            "unknown_booking": self.tr("the database has no such booking"),
            "booking_not_synced": self.tr("its booking did not go in (see above)"),
        }
        what = (
            self.tr("Booking {number} for {name}").format(
                number=entry.number, name=entry.body.get("booking", {}).get("clientName", "")
            )
            if entry.kind == "booking"
            else self.tr("Scan of {number} ({to})").format(
                number=entry.number,
                to=self.tr("check-in")
                if entry.body.get("to") == "checked_in"
                else self.tr("check-out"),
            )
        )
        reason = reasons.get(entry.conflict, entry.conflict)
        return self.tr("{what}, {when} by {who}: {reason}").format(
            what=what, when=show(entry.made_at), who=entry.operator or "–", reason=reason
        )

    def _selected(self, row: int) -> None:
        chosen = 0 <= row < len(self.entries)
        self.resolve_button.setEnabled(chosen)
        self.retry_button.setEnabled(chosen)

    def _current(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(SEQ_ROLE)) if item is not None else None

    def resolve(self) -> None:
        seq = self._current()
        if seq is None:
            return
        desk, operator = self.desk, self.ctx.operator()
        # Marked resolved in this desk's journal: the bookings stay as the store has them.
        Op.without_store(
            self.ctx, self, lambda: desk.resolve_conflict(seq, operator=operator), write=True
        ).success(self._acted).failure(self._failed).run()

    def retry(self) -> None:
        seq = self._current()
        if seq is None:
            return
        desk = self.desk
        # Replayed, a booking goes in with its confirmation e-mail, a scan changes its booking.
        # (*desk* is the context's store: the offline desk in front of the database.)
        Op(
            self.ctx, self, lambda _store: desk.retry_conflict(seq), changes=BOOKING_AND_MAIL
        ).success(self._acted).failure(self._failed).run()

    def _acted(self, _result: object) -> None:
        self.message.clear()
        self.refresh()
