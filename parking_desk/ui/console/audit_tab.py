"""The audit log: who retried, cancelled or re-addressed what, who signed in (or failed to),
who revoked a key or reissued a ticket, who changed the staff, cleared a bounced address,
erased a client or set the retention periods; with which filter, and when.

Each action is shown by a translated label, and what it was about by the booking number, the
account or the key named in its details, task ids only when nothing better is recorded. No
e-mail address is shown: staff read this tab too.

Read in the background on demand (when the tab is shown, and while it is shown whenever the
change hub says an audited write was made, at any screen of this desk), never polled: the
log changes only when someone acts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parking_desk.services.store.base import AuditEntry, Store
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.ops import Changes, Op

SHOWN_IDS = 5
SHOW_MINUTES_FROM_S = 120
# "Maria Pop (supervisor)": how Person.label() names someone in the log.
_LABELLED = re.compile(r"^(?P<name>.*) \((?P<role>staff|supervisor|admin)\)$")


def describe_filter(flt: dict[str, Any] | None) -> str:
    if not flt:
        return ""
    parts = {k: v for k, v in flt.items() if v not in (None, "", [], False)}
    return json.dumps(parts, ensure_ascii=False) if parts else "{}"


def describe_ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return f"{shown} … (+{len(ids) - SHOWN_IDS})" if len(ids) > SHOWN_IDS else shown


def booking_numbers(details: dict[str, Any]) -> list[str]:
    """The booking numbers an entry's details carry (one, or a list), as text."""
    found: list[Any] = []
    if details.get("bookingNumber") not in (None, ""):
        found.append(details["bookingNumber"])
    many = details.get("bookingNumbers")
    if isinstance(many, list):
        found += [n for n in many if n not in (None, "")]
    return [str(n) for n in found]


class AuditTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        """Reads ``ctx.store`` at call time: the desk may still be connecting (``connected``
        follows)."""
        super().__init__(parent)
        self.ctx = ctx
        self.entries: list[AuditEntry] = []
        self.table = QTableWidget(0, 6)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.retranslate_ui()
        ctx.hub.changed.connect(self._changed)

    @property
    def language(self) -> str:
        return self.ctx.language

    def connected(self) -> None:
        """The store has arrived."""
        if self.isVisible():
            self.refresh()

    def _changed(self, changes: Changes) -> None:
        if changes.audit and self.isVisible():
            self.refresh()  # hidden, it reads the log when it is next shown

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Who"),
                self.tr("Action"),
                self.tr("Tasks"),
                self.tr("Booking or subject"),
                self.tr("Details"),
            ]
        )
        self.refresh_button.setText(self.tr("Refresh"))
        if self.entries:
            self._fill()

    def action_label(self, action: str) -> str:
        return {
            "retry": self.tr("retry"),
            "cancel": self.tr("cancel"),
            "update_recipient": self.tr("fix recipient"),
            "revoke_key": self.tr("revoke signing key"),
            "reissue_ticket": self.tr("reissue ticket"),
            "sign_in": self.tr("sign-in"),
            "sign_in_failed": self.tr("failed sign-in"),
            "sign_in_locked": self.tr("locked out after wrong PINs"),
            "sign_in_refused": self.tr("sign-in refused, account locked"),
            "staff_first_admin": self.tr("first admin created"),
            "staff_add": self.tr("account added"),
            "staff_deactivate": self.tr("account deactivated"),
            "staff_activate": self.tr("account reactivated"),
            "staff_reset_pin": self.tr("PIN reset"),
            "staff_role": self.tr("role changed"),
            "clear_suppression": self.tr("bounced address cleared"),
            "erase_client": self.tr("client erased"),
            "set_retention": self.tr("retention periods set"),
            "offline_conflict": self.tr("offline conflict"),
            "offline_conflict_resolved": self.tr("offline conflict resolved"),
            "undo": self.tr("scan undone"),
            "capacity_override": self.tr("walk-in saved over capacity"),
        }.get(action, action)

    def role_label(self, role: str) -> str:
        return {
            "staff": self.tr("staff"),
            "supervisor": self.tr("supervisor"),
            "admin": self.tr("admin"),
        }.get(role, role)

    def who(self, operator: str) -> str:
        """The person with their role in this language; any other operator text as it is."""
        match = _LABELLED.match(operator)
        if match is None:
            return operator
        return f"{match['name']} ({self.role_label(match['role'])})"

    def subject(self, entry: AuditEntry) -> str:
        """What the action was about: booking numbers, the account, the key; else task ids."""
        d = entry.details or {}
        numbers = booking_numbers(d)
        if numbers:
            return describe_ids(numbers)
        if entry.action.startswith("staff_") and d.get("name"):
            return str(d["name"])
        if entry.action == "erase_client" and isinstance(d.get("bookings"), list):
            return describe_ids([str(n) for n in d["bookings"]])
        if entry.action == "revoke_key":
            return f"{d.get('machine', '')} ({d.get('kid', '')})".strip()
        return describe_ids(entry.task_ids)

    def retention_text(self, figures: dict[str, Any]) -> str:
        """The periods an admin set, in days (0: kept for ever)."""
        names = {
            "anonymise_after_days": self.tr("bookings"),
            "finished_tasks_days": self.tr("finished tasks"),
            "dead_tasks_days": self.tr("dead tasks"),
            "outbox_days": self.tr("outbox"),
        }
        shown = []
        for key, name in names.items():
            days = figures.get(key)
            if isinstance(days, int):
                value = (
                    self.tr("for ever") if days == 0 else self.tr("%1 d").replace("%1", str(days))
                )
                shown.append(f"{name} {value}")
        return ", ".join(shown)

    def seconds_text(self, seconds: Any) -> str:
        if not isinstance(seconds, int | float):
            return ""
        if seconds >= SHOW_MINUTES_FROM_S:
            return self.tr("%1 min").replace("%1", str(-(-int(seconds) // 60)))
        return self.tr("%1 s").replace("%1", str(int(seconds)))

    def details_text(self, entry: AuditEntry) -> str:
        """The entry's details in words, then the filter a bulk action ran over."""
        d = entry.details or {}
        parts: list[str] = []
        where = {
            "desk": self.tr("at a desk"),
            "cli": self.tr("on the command line"),
            "kiosk": self.tr("at the kiosk"),
        }.get(str(d.get("where", "")))
        if entry.action == "sign_in_failed":
            reason = {
                "unknown": self.tr("unknown name"),
                "inactive": self.tr("deactivated account"),
                "pin": self.tr("wrong PIN"),
            }.get(str(d.get("reason", "")))
            if reason:
                parts.append(reason)
            if isinstance(d.get("failedAttempts"), int):
                parts.append(self.tr("%1 in a row").replace("%1", str(d["failedAttempts"])))
        elif entry.action == "sign_in_locked":
            parts.append(self.tr("locked for %1").replace("%1", self.seconds_text(d.get("waitS"))))
        elif entry.action == "sign_in_refused":
            parts.append(
                self.tr("%1 still to wait").replace("%1", self.seconds_text(d.get("waitS")))
            )
        elif entry.action in ("staff_add", "staff_role") and d.get("role"):
            parts.append(self.tr("role: %1").replace("%1", self.role_label(str(d["role"]))))
        elif entry.action == "staff_first_admin" and d.get("pinFrom") == "settings":
            parts.append(self.tr("PIN kept from the desk's old supervisor PIN"))
        elif entry.action == "reissue_ticket" and d.get("kid"):
            parts.append(self.tr("signed with key %1").replace("%1", str(d["kid"])))
        elif entry.action == "update_recipient":
            parts.append(self.tr("new address, e-mail sent again"))
        elif entry.action == "clear_suppression":
            parts.append(self.tr("the address is sent to again"))
        elif entry.action == "erase_client" and isinstance(d.get("tasks"), int):
            parts.append(self.tr("tasks cleaned: %1").replace("%1", str(d["tasks"])))
        elif entry.action == "set_retention":
            parts.append(self.retention_text(d))
        if where:
            parts.append(where)
        described = describe_filter(entry.filter)
        if described:
            parts.append(self.tr("filter: %1").replace("%1", described))
        return "; ".join(p for p in parts if p)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if self.ctx.store is None:
            return  # connected() refreshes once the desk is connected
        self.status.setText(self.tr("Loading…"))
        Op(self.ctx, self, _audit_log, write=False).success(self._loaded).failure(
            self._failed
        ).run()

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error, self.language))

    def _loaded(self, entries: list[AuditEntry]) -> None:
        self.entries = list(entries)
        self._fill()
        self.status.setText(self.tr("%n entries", "", len(self.entries)))

    def _fill(self) -> None:
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            values = (
                show(entry.at),
                self.who(entry.operator),
                self.action_label(entry.action),
                str(len(entry.task_ids)) if entry.task_ids else "",
                self.subject(entry),
                self.details_text(entry),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    # Every number or id, and the task ids behind booking numbers.
                    shown = booking_numbers(entry.details or {}) + entry.task_ids
                    item.setToolTip("\n".join(shown[:200]))
                if column == 2:
                    item.setData(Qt.ItemDataRole.UserRole, entry.action)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)


def _audit_log(store: Store) -> list[AuditEntry]:
    return list(store.audit_log())
