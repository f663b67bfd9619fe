"""The audit log: who retried, cancelled or re-addressed what, with which filter, and when.

Read in the background on demand (when the tab is shown and after every action), never
polled: the log changes only when someone acts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show
from parking_desk.ui.weak_callback import weak_done

SHOWN_IDS = 5


def describe_filter(flt: dict[str, Any] | None) -> str:
    if not flt:
        return ""
    parts = {k: v for k, v in flt.items() if v not in (None, "", [], False)}
    return json.dumps(parts, ensure_ascii=False) if parts else "{}"


def describe_ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return f"{shown} … (+{len(ids) - SHOWN_IDS})" if len(ids) > SHOWN_IDS else shown


class AuditTab(QWidget):
    def __init__(
        self,
        store: Store | None,
        bridge: Bridge,
        *,
        language: str | Callable[[], str] = "en",
        parent: QWidget | None = None,
    ) -> None:
        """*store* may be ``None`` while the desk is still connecting; ``set_store`` follows."""
        super().__init__(parent)
        self.store = store
        self.bridge = bridge
        self._language = language
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

    @property
    def language(self) -> str:
        return self._language() if callable(self._language) else self._language

    def set_store(self, store: Store) -> None:
        self.store = store
        if self.isVisible():
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Operator"),
                self.tr("Action"),
                self.tr("Tasks"),
                self.tr("Task ids"),
                self.tr("Filter"),
            ]
        )
        self.refresh_button.setText(self.tr("Refresh"))
        for row, entry in enumerate(self.entries):
            item = self.table.item(row, 2)
            if item is not None:
                item.setText(self.action_label(entry.action))

    def action_label(self, action: str) -> str:
        return {
            "retry": self.tr("retry"),
            "cancel": self.tr("cancel"),
            "update_recipient": self.tr("fix recipient"),
        }.get(action, action)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        store = self.store
        if store is None:
            return  # set_store refreshes once the desk is connected
        self.status.setText(self.tr("Loading…"))
        self.bridge.run(store.audit_log, weak_done(self._loaded))

    def _loaded(self, entries: Any, error: BaseException | None) -> None:
        if error is not None:
            self.status.setText(error_text(error, self.language))
            return
        self.entries = list(entries)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            values = (
                show(entry.at),
                entry.operator,
                self.action_label(entry.action),
                str(len(entry.task_ids)),
                describe_ids(entry.task_ids),
                describe_filter(entry.filter),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    item.setToolTip("\n".join(entry.task_ids[:200]))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        self.status.setText(self.tr("%n entries", "", len(self.entries)))
