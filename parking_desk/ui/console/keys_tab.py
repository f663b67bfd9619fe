"""The site's key ring: every machine's ticket-signing key, and revoking one.

A supervisor revokes the key of a lost or retired desk here; its tickets are refused from
then on at every desk and gate, with the reason. The list is read from the store in the
background when the tab is shown and whenever the keys change (the change hub says so after
a revocation); the role is checked again by
the service (``key_ring.revoke_key``), so a hidden button is never the only guard.
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

from parking_desk.services.key_ring import SigningKey, key_store, revoke_key
from parking_desk.services.store.base import Store
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import Changes, Op


class Column(IntEnum):
    KID = 0
    MACHINE = 1
    CREATED = 2
    REVOKED = 3


class KeysTab(QWidget):
    revoked = Signal(object)  # the SigningKey as the store now has it

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        """Reads ``ctx.store`` at call time: the desk may still be connecting."""
        super().__init__(parent)
        self.ctx = ctx
        self.keys: list[SigningKey] = []
        # Asked before revoking; a test answers it without a dialog.
        self.confirm: Callable[[SigningKey], bool] = self._ask
        self.table = named(QTableWidget(0, len(Column)), "signingKeys")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._enable)
        self.refresh_button = named(QPushButton(), "refreshKeys")
        self.refresh_button.clicked.connect(self.refresh)
        self.revoke_button = named(QPushButton(), "revokeKey")
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.status = named(QLabel(wordWrap=True), "keysStatus")
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.revoke_button)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.retranslate_ui()
        self._enable()
        ctx.hub.changed.connect(self._changed)

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [self.tr("Key"), self.tr("Machine"), self.tr("Created"), self.tr("Revoked")]
        )
        self.refresh_button.setText(self.tr("Refresh"))
        self.revoke_button.setText(self.tr("Revoke key…"))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def selected(self) -> SigningKey | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.keys[rows.pop()] if len(rows) == 1 else None

    def _enable(self) -> None:
        key = self.selected()
        self.revoke_button.setEnabled(key is not None and not key.revoked)

    # --- reading ----------------------------------------------------------------------------
    def _changed(self, changes: Changes) -> None:
        if changes.keys and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        if self.ctx.store is None:
            return  # still connecting: the tab is read when it is next shown
        self.status.setText(self.tr("Loading…"))
        Op(self.ctx, self, _signing_keys, write=False).success(self._loaded).failure(
            self._failed
        ).run()

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error, self.ctx.language))

    def _loaded(self, keys: list[SigningKey]) -> None:
        self.keys = list(keys)
        self._fill()
        trusted = sum(1 for k in self.keys if not k.revoked)
        self.status.setText(
            self.tr("%n trusted key(s)", "", trusted)
            + (
                self.tr(", %n revoked", "", len(self.keys) - trusted)
                if trusted < len(self.keys)
                else ""
            )
        )

    def _fill(self) -> None:
        own = self.ctx.signer.key_id if self.ctx.signer is not None else ""
        self.table.setRowCount(len(self.keys))
        for row, key in enumerate(self.keys):
            machine = key.machine + (self.tr(" (this computer)") if key.kid == own else "")
            revoked = (
                self.tr("{when} by {who}").format(when=show(key.revoked_at), who=key.revoked_by)
                if key.revoked
                else ""
            )
            values = {
                Column.KID: key.kid,
                Column.MACHINE: machine,
                Column.CREATED: show(key.created_at),
                Column.REVOKED: revoked,
            }
            for column, value in values.items():
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        self._enable()

    # --- revoking ---------------------------------------------------------------------------
    def _ask(self, key: SigningKey) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Revoke signing key"),
            self.tr(
                "Revoke the key {kid} of {machine}? Every ticket it signed will be refused at "
                "every desk and gate; clients need a reissued ticket."
            ).format(kid=key.kid, machine=key.machine),
        )
        return answer == QMessageBox.StandardButton.Yes

    def revoke_selected(self) -> None:
        key = self.selected()
        if key is None or key.revoked or not self.confirm(key):
            return
        session, kid = self.ctx.session, key.kid
        self.status.setText(self.tr("Revoking {kid}…").format(kid=kid))
        # The hub tells this tab (and the audit log) to read again.
        Op(
            self.ctx,
            self,
            lambda store: revoke_key(store, session, kid),
            changes=Changes(keys=True, audit=True),
        ).success(self._revoked).failure(self._failed).run()

    def _revoked(self, key: SigningKey) -> None:
        self.revoked.emit(key)


def _signing_keys(store: Store) -> list[SigningKey]:
    return list(key_store(store).signing_keys())


def keys_title() -> str:
    return QCoreApplication.translate("ConsoleTabs", "&Signing keys")
