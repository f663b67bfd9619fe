"""The admin's screen: the site's staff, and adding, deactivating, resetting and promoting them.

Every change is an operation: ``StaffService`` on the store-write thread checks the admin
role itself and writes the audit entry; the list is read again when the change hub says the
staff changed.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parking_desk.services.staff import StaffService
from parking_desk.staff import ACCOUNT_ROLES, Role, StaffMember, wait_left
from parking_desk.timeutil import utcnow
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.named import named
from parking_desk.ui.ops import Changes, Op

# A person added, changed or deactivated, with its audit entry.
STAFF_CHANGED = Changes(staff=True, audit=True)


class Column(IntEnum):
    NAME = 0
    ROLE = 1
    STATE = 2
    CREATED_BY = 3


class StaffAdminDialog(QDialog):
    def __init__(
        self,
        service: Callable[[], StaffService],
        ctx: AppContext,
        parent: QWidget | None = None,
    ) -> None:
        """*service* is called off the GUI thread: the staff rules on the connected store."""
        super().__init__(parent)
        self._service = service
        self.ctx = ctx
        self.session = ctx.session
        self.members: list[StaffMember] = []
        self.resize(760, 520)

        self.table = named(QTableWidget(0, len(Column)), "staffTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)

        self.add_box = QGroupBox()
        self.new_name = named(QLineEdit(), "newStaffName")
        self.new_role = named(self._role_combo(), "newStaffRole")
        self.new_pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "newStaffPin")
        self.add_button = named(QPushButton(), "addStaff")
        self.add_button.clicked.connect(self.add)
        self.new_pin.returnPressed.connect(self.add)
        self.add_labels = [QLabel(), QLabel(), QLabel()]
        add_form = QFormLayout(self.add_box)
        for label, field in zip(
            self.add_labels, (self.new_name, self.new_role, self.new_pin), strict=True
        ):
            add_form.addRow(label, field)
        add_form.addRow(self.add_button)

        self.edit_box = QGroupBox()
        self.role = named(self._role_combo(), "staffRole")
        self.role_button = named(QPushButton(), "changeRole")
        self.role_button.clicked.connect(self.change_role)
        self.pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "resetPin")
        self.pin_button = named(QPushButton(), "resetPinButton")
        self.pin_button.clicked.connect(self.reset_pin)
        self.active_button = named(QPushButton(), "toggleActive")
        self.active_button.clicked.connect(self.toggle_active)
        edit = QVBoxLayout(self.edit_box)
        for row in ((self.role, self.role_button), (self.pin, self.pin_button)):
            line = QHBoxLayout()
            for widget in row:
                line.addWidget(widget)
            edit.addLayout(line)
        edit.addWidget(self.active_button)

        self.message = named(QLabel(wordWrap=True), "staffMessage")
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.accept)
        side = QVBoxLayout()
        side.addWidget(self.add_box)
        side.addWidget(self.edit_box)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.message)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.retranslate_ui()
        self._selected()
        ctx.hub.changed.connect(self._changed)
        self.refresh()

    def _role_combo(self) -> QComboBox:
        combo = QComboBox()
        for role in ACCOUNT_ROLES:
            combo.addItem("", str(role))
        return combo

    def role_name(self, role: Role) -> str:
        return {
            Role.STAFF: self.tr("Staff"),
            Role.SUPERVISOR: self.tr("Supervisor"),
            Role.ADMIN: self.tr("Admin"),
        }.get(role, str(role))

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Staff accounts"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Role"), self.tr("State"), self.tr("Created by")]
        )
        self.add_box.setTitle(self.tr("Add a person"))
        for label, text in zip(
            self.add_labels, (self.tr("Name"), self.tr("Role"), self.tr("PIN")), strict=True
        ):
            label.setText(text)
        self.add_button.setText(self.tr("&Add"))
        self.edit_box.setTitle(self.tr("Selected person"))
        self.role_button.setText(self.tr("Change &role"))
        self.pin.setPlaceholderText(self.tr("new PIN"))
        self.pin_button.setText(self.tr("Reset &PIN"))
        self.close_button.setText(self.tr("Close"))
        for combo in (self.new_role, self.role):
            for i in range(combo.count()):
                combo.setItemText(i, self.role_name(Role(combo.itemData(i))))
        self._selected()
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        service, session = self._service, self.session
        Op(self.ctx, self, lambda _store: service().list_staff(session), write=False).success(
            self._loaded
        ).failure(self._failed).run()

    def _changed(self, changes: Changes) -> None:
        if changes.staff:
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self.ctx.language))

    def _loaded(self, members: list[StaffMember]) -> None:
        chosen = self.selected()
        self.members = list(members)
        self._fill()
        if chosen is not None:
            self.select(chosen.name)

    def _fill(self) -> None:
        now = utcnow()
        self.table.setRowCount(len(self.members))
        for row, member in enumerate(self.members):
            if not member.active:
                state = self.tr("deactivated")
            elif wait_left(member, now) is not None:
                state = self.tr("locked (wrong PINs)")
            else:
                state = self.tr("active")
            for column, text in (
                (Column.NAME, member.name),
                (Column.ROLE, self.role_name(member.role)),
                (Column.STATE, state),
                (Column.CREATED_BY, member.created_by),
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.members):
            return None
        return self.members[rows[0].row()]

    def select(self, name: str) -> None:
        for row, member in enumerate(self.members):
            if member.name == name:
                self.table.selectRow(row)

    def _selected(self) -> None:
        member = self.selected()
        self.edit_box.setEnabled(member is not None)
        if member is None:
            self.active_button.setText(self.tr("&Deactivate"))
            return
        self.role.setCurrentIndex(self.role.findData(str(member.role)))
        self.active_button.setText(
            self.tr("&Deactivate") if member.active else self.tr("Reac&tivate")
        )

    # --- changes ------------------------------------------------------------------------------
    def _run(self, call: Callable[[StaffService], Any], done_text: str) -> None:
        service = self._service

        def work(_store: object) -> str:
            call(service())
            return done_text

        self.message.setText(self.tr("Saving…"))
        Op(self.ctx, self, work, changes=STAFF_CHANGED).success(self.message.setText).failure(
            self._failed
        ).run()

    def add(self) -> None:
        name, pin = self.new_name.text().strip(), self.new_pin.text()
        role = Role(self.new_role.currentData())
        session = self.session
        self.new_pin.clear()
        self._run(
            lambda s: s.add(session, name, role, pin),
            self.tr("{name} can sign in now.").format(name=name),
        )
        self.new_name.clear()

    def change_role(self) -> None:
        member = self.selected()
        if member is None:
            return
        role, session = Role(self.role.currentData()), self.session
        self._run(
            lambda s: s.change_role(session, member.id, role),
            self.tr("{name} is now: {role}.").format(name=member.name, role=self.role_name(role)),
        )

    def reset_pin(self) -> None:
        member = self.selected()
        if member is None:
            return
        pin, session = self.pin.text(), self.session
        self.pin.clear()
        self._run(
            lambda s: s.reset_pin(session, member.id, pin),
            self.tr("{name} has a new PIN.").format(name=member.name),
        )

    def toggle_active(self) -> None:
        member = self.selected()
        if member is None:
            return
        session = self.session
        if member.active:
            self._run(
                lambda s: s.deactivate(session, member.id),
                self.tr("{name} can no longer sign in.").format(name=member.name),
            )
        else:
            self._run(
                lambda s: s.activate(session, member.id),
                self.tr("{name} can sign in again.").format(name=member.name),
            )
