"""The suppression list: addresses the worker will not send to since they bounced, and a
supervisor's "Clear".

Each line says when the address bounced, why (the remote server's words) and which booking
and task it came from. Staff see the address masked, as the queue masks recipients; a
supervisor sees it whole and may clear it once the mailbox works again. The list is read in
the background when the tab is shown and whenever the change hub says the suppressions
changed (a clear here, a recipient fixed in the queue); the role is checked again by the
service (``suppressions.clear_suppression``), which audits the clear.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parking_desk.bounce import Suppression
from parking_desk.services.roles import Role
from parking_desk.services.supervisor import mask_email
from parking_desk.services.suppressions import clear_suppression, list_suppressions
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import Changes, Op


class Column(IntEnum):
    ADDRESS = 0
    SINCE = 1
    REASON = 2
    BOOKING = 3
    TASK = 4


class SuppressionsTab(QWidget):
    cleared = Signal(object)  # the Suppression that was taken off the list

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        """Reads ``ctx.store`` at call time: the desk may still be connecting."""
        super().__init__(parent)
        self.ctx = ctx
        self.entries: list[Suppression] = []
        # What the status line says, kept as data (no closure over the tab, so the tab is
        # never part of a reference cycle the garbage collector frees on another thread).
        self._state = ""  # "" | loading | loaded | clearing | error
        self._error: BaseException | None = None
        self._address = ""  # being cleared, or just cleared
        self._just_cleared = False  # say "… cleared" with the count once the list is read
        # Asked before clearing; a test answers it without a dialog.
        self.confirm: Callable[[Suppression], bool] | None = None  # None: a dialog asks
        self.table = named(QTableWidget(0, len(Column)), "suppressions")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.REASON, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._enable)
        self.refresh_button = named(QPushButton(), "refreshSuppressions")
        self.refresh_button.clicked.connect(self.refresh)
        self.clear_button = named(QPushButton(), "clearSuppression")
        self.clear_button.clicked.connect(self.clear_selected)
        self.status = named(QLabel(wordWrap=True), "suppressionsStatus")
        self.explain = named(QLabel(wordWrap=True), "suppressionsHelp")
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.retranslate_ui()
        ctx.hub.changed.connect(self._changed)

    @property
    def supervisor(self) -> bool:
        return self.ctx.session.allows(Role.SUPERVISOR)

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Address"),
                self.tr("Bounced"),
                self.tr("Why"),
                self.tr("Booking"),
                self.tr("Task"),
            ]
        )
        self.explain.setText(
            self.tr(
                "The worker sends nothing to these addresses: each bounced permanently. Fix "
                "the recipient of the task in the Queue tab (the same address again lifts its "
                "block), or clear the address here once the client says the mailbox works."
            )
        )
        self.refresh_button.setText(self.tr("Refresh"))
        self.clear_button.setText(self.tr("Clear…"))
        self.status.setText(self._status_text())
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def selected(self) -> Suppression | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.entries[rows.pop()] if len(rows) == 1 else None

    def _enable(self) -> None:
        self.clear_button.setVisible(self.supervisor)
        self.clear_button.setEnabled(self.supervisor and self.selected() is not None)

    def _say(self, state: str, error: BaseException | None = None) -> None:
        self._state, self._error = state, error
        self.status.setText(self._status_text())

    def _status_text(self) -> str:
        if self._state == "loading":
            return self.tr("Loading…")
        if self._state == "clearing":
            return self.tr("Clearing {address}…").format(address=self._address)
        if self._state == "error" and self._error is not None:
            return error_text(self._error, self.ctx.language)
        if self._state != "loaded":
            return ""
        text = self.tr("%n suppressed address(es)", "", len(self.entries))
        if self._just_cleared:
            cleared = self.tr("{address} cleared; it is sent to again.")
            text = cleared.format(address=self._address) + " " + text
        return text

    # --- reading ----------------------------------------------------------------------------
    def _changed(self, changes: Changes) -> None:
        if changes.suppressions and self.isVisible():
            # Told before the clear's own answer: the status then says what was cleared.
            self.refresh(after_clear=self._state == "clearing")

    def refresh(self, *, after_clear: bool = False) -> None:
        if self.ctx.store is None:
            return  # still connecting: the list is read when the tab is next shown
        self._just_cleared = after_clear
        self._say("loading")
        Op(self.ctx, self, list_suppressions, write=False).success(self._loaded).failure(
            self._failed
        ).run()

    def _failed(self, error: BaseException) -> None:
        self._say("error", error)

    def _loaded(self, entries: list[Suppression]) -> None:
        self.entries = list(entries)
        self._fill()
        self._say("loaded")

    def shown_address(self, entry: Suppression) -> str:
        return entry.address if self.supervisor else mask_email(entry.address)

    def _fill(self) -> None:
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            reason = f"{entry.code}: {entry.reason}" if entry.code else entry.reason
            values = {
                Column.ADDRESS: self.shown_address(entry),
                Column.SINCE: show(entry.at),
                Column.REASON: reason,
                Column.BOOKING: entry.booking_number,
                Column.TASK: entry.task_id,
            }
            for column, value in values.items():
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == Column.REASON:
                    item.setToolTip(entry.reason)
                self.table.setItem(row, column, item)
        self._enable()

    # --- clearing ---------------------------------------------------------------------------
    def _ask(self, entry: Suppression) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Clear suppressed address"),
            self.tr(
                "Send to {address} again? It bounced on {when}. Clear it only if the client "
                "says the mailbox works; a retry of its task then sends the e-mail."
            ).format(address=entry.address, when=show(entry.at)),
        )
        return answer == QMessageBox.StandardButton.Yes

    def clear_selected(self) -> None:
        entry = self.selected()
        ask = self.confirm or self._ask
        if entry is None or not self.supervisor or not ask(entry):
            return
        session, address = self.ctx.session, entry.address
        self._address = address
        self._say("clearing")
        # The hub has this tab (and the audit log) read again.
        Op(
            self.ctx,
            self,
            lambda store: clear_suppression(store, session, address),
            changes=Changes(suppressions=True, audit=True),
        ).success(self._cleared).failure(self._failed).run()

    def _cleared(self, entry: Suppression) -> None:
        self.cleared.emit(entry)


def suppressions_title() -> str:
    return QCoreApplication.translate("ConsoleTabs", "&Bounced addresses")
