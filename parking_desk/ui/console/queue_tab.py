"""The supervisor's queue tab: the live table, its filters, the detail panel and the actions.

The table listens to the store's change feed; nothing here polls the collection. Every
action goes through ``SupervisorService`` on the store-write thread, and the service checks
the role again, so a hidden button is a convenience, not the guard.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.store.base import Store, Subscription
from parking_desk.services.supervisor import SupervisorService
from parking_desk.task import TaskState
from parking_desk.timeutil import utcnow
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.bulk_run import BulkRun
from parking_desk.ui.console.queue_filter import QueueFilter
from parking_desk.ui.console.queue_model import Column, QueueModel, Roles, state_label
from parking_desk.ui.console.recipient_dialog import RecipientDialog
from parking_desk.ui.console.supervisor_lock import SupervisorLock
from parking_desk.ui.console.task_detail import TaskDetail
from parking_desk.ui.errors_text import error_text

SEARCH_DELAY_MS = 250
RELATIVE_TIME_REFRESH_MS = 30_000
RETRYING = "retrying"
COLUMN_WIDTHS = {
    Column.CREATED: 125,
    Column.BOOKING: 80,
    Column.RECIPIENT: 210,
    Column.TYPE: 95,
    Column.STATE: 120,
    Column.ATTEMPTS: 75,
    Column.NEXT_ATTEMPT: 150,
    Column.PROVIDER: 80,
    Column.WORKER: 130,
}
TIME_RANGES = (None, timedelta(hours=1), timedelta(hours=24), timedelta(days=7), timedelta(days=30))


class QueueTab(QWidget):
    actions_done = Signal()  # something was written: the audit tab refreshes

    def __init__(
        self,
        store: Store,
        bridge: Bridge,
        session: RoleSession,
        *,
        language: str = "en",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.bridge = bridge
        self.session = session
        self.language = language
        self.service = SupervisorService(store, session)
        self._subscription: Subscription | None = None
        self._closed = False

        self.model = QueueModel(self)
        self.proxy = QueueFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build_filter_bar()
        self._build_actions()
        self._build_table()
        self.detail = TaskDetail(store, bridge, language=language)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filter_bar)
        layout.addLayout(self.action_bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)

        self.model.modelReset.connect(self._update_count)
        self.model.layoutChanged.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.lock.role_changed.connect(self._apply_role)
        self._tick = QTimer(self)
        self._tick.setInterval(RELATIVE_TIME_REFRESH_MS)
        self._tick.timeout.connect(self.table.viewport().update)
        self._tick.start()
        self._apply_role(session.role)
        self._subscribe()

    # --- layout ------------------------------------------------------------------------------
    def _build_filter_bar(self) -> None:
        self.state_combo = QComboBox()
        self.state_combo.addItem(self.tr("All states"), None)
        for state in TaskState:
            self.state_combo.addItem(state_label(state), state)
            if state == TaskState.PENDING:
                self.state_combo.addItem(state_label(state, retrying=True), RETRYING)
        self.state_combo.currentIndexChanged.connect(self._state_changed)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search booking, recipient or error…"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.range_combo = QComboBox()
        labels = (
            self.tr("Any time"),
            self.tr("Last hour"),
            self.tr("Last 24 hours"),
            self.tr("Last 7 days"),
            self.tr("Last 30 days"),
        )
        for label, span in zip(labels, TIME_RANGES, strict=True):
            self.range_combo.addItem(label, span)
        self.range_combo.currentIndexChanged.connect(self._range_changed)
        self.count_label = QLabel()
        self.filter_bar = QHBoxLayout()
        self.filter_bar.addWidget(QLabel(self.tr("State:")))
        self.filter_bar.addWidget(self.state_combo)
        self.filter_bar.addWidget(self.search, 1)
        self.filter_bar.addWidget(self.range_combo)
        self.filter_bar.addWidget(self.count_label)

    def _build_actions(self) -> None:
        self.retry_button = QPushButton(self.tr("Retry selected"))
        self.retry_all_button = QPushButton(self.tr("Retry all matching…"))
        self.cancel_button = QPushButton(self.tr("Cancel selected"))
        self.recipient_button = QPushButton(self.tr("Fix recipient and resend…"))
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button.clicked.connect(self.retry_matching)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.recipient_button.clicked.connect(self.fix_recipient)
        self.lock = SupervisorLock(self.session)
        self.action_bar = QHBoxLayout()
        for button in self._action_buttons():
            self.action_bar.addWidget(button)
        self.action_bar.addStretch(1)
        self.action_bar.addWidget(self.lock)
        self.message = QLabel()
        self.message.setWordWrap(True)

    def _action_buttons(self) -> list[QPushButton]:
        return [self.retry_button, self.retry_all_button, self.cancel_button, self.recipient_button]

    def _build_table(self) -> None:
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(Column.CREATED, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.LAST_ERROR, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

    # --- live data ---------------------------------------------------------------------------
    def _subscribe(self) -> None:
        def subscribe() -> Subscription:
            return self.store.watch_tasks(self.model.queue_changes)

        def done(subscription: Any, error: BaseException | None) -> None:
            if error is not None:
                self._say(error_text(error, self.language), error=True)
            elif self._closed:
                self.bridge.run(subscription.unsubscribe)
            else:
                self._subscription = subscription

        self.bridge.run(subscribe, done)

    def shutdown(self) -> None:
        """Stop listening; the desk calls this when it closes."""
        self._closed = True
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.unsubscribe()

    # --- filters -----------------------------------------------------------------------------
    def _state_changed(self) -> None:
        value = self.state_combo.currentData()
        if value == RETRYING:
            self.proxy.set_state(TaskState.PENDING, retrying=True)
        else:
            self.proxy.set_state(value)
        self._update_count()

    def _apply_search(self) -> None:
        self.proxy.set_text(self.search.text())
        self._update_count()

    def _range_changed(self) -> None:
        span = self.range_combo.currentData()
        self.proxy.set_created_range(utcnow() - span if span else None, None)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(
            self.tr("%1 of %2 tasks")
            .replace("%1", str(self.proxy.rowCount()))
            .replace("%2", str(self.model.rowCount()))
        )

    # --- selection and role ------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.data(index, Roles.TaskIdRole) for index in rows]

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.detail.show_task(ids[0])
        elif not ids:
            self.detail.clear()

    def _apply_role(self, role: Role) -> None:
        supervisor = role == Role.SUPERVISOR
        for button in self._action_buttons():
            button.setVisible(supervisor)
        self.model.set_masked(not supervisor)
        self.detail.masked = not supervisor
        self.detail.refresh()

    # --- actions -----------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828" if error else "")
        self.message.setText(text)

    def _finished(self, result: Any, error: BaseException | None, done: str, stopped: str) -> None:
        """*done* and *stopped* are whole sentences with %1 (changed) and %2 (requested)."""
        if error is not None:
            self._say(error_text(error, self.language), error=True)
        else:
            text = stopped if result.cancelled else done
            self._say(text.replace("%1", str(result.changed)).replace("%2", str(result.requested)))
        self.detail.refresh()
        self.actions_done.emit()

    def retry_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self._say(self.tr("Select the tasks to retry first."), error=True)
            return
        self._run_bulk(
            self.tr("Retrying tasks"),
            lambda progress, stop: self.service.retry(ids, progress=progress, stop=stop),
            self.tr("%1 tasks retried."),
            self.tr("Stopped: %1 of %2 tasks were retried before you stopped."),
        )

    def retry_matching(self) -> None:
        """Count first (in the background), confirm with the count, then retry in batches."""
        task_filter = self.proxy.task_filter()
        self._say(self.tr("Counting the matching tasks…"))

        def counted(ids: Any, error: BaseException | None) -> None:
            if error is not None:
                self._say(error_text(error, self.language), error=True)
                return
            if not ids:
                self._say(self.tr("No task matching the filter can be retried."))
                return
            question = self.tr("Retry %1 tasks matching the current filter now?")
            if not self._confirm(
                self.tr("Retry all matching"), question.replace("%1", str(len(ids)))
            ):
                self._say(self.tr("Nothing was retried."))
                return
            self._run_bulk(
                self.tr("Retrying tasks"),
                lambda progress, stop: self.service.retry(
                    ids, filter=task_filter, progress=progress, stop=stop
                ),
                self.tr("%1 tasks retried."),
                self.tr("Stopped: %1 of %2 tasks were retried before you stopped."),
            )

        self.bridge.run(lambda: self.service.retry_candidates(task_filter), counted)

    def cancel_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self._say(self.tr("Select the tasks to cancel first."), error=True)
            return
        question = self.tr("Cancel %1 selected tasks? They will not be sent.")
        if not self._confirm(self.tr("Cancel tasks"), question.replace("%1", str(len(ids)))):
            return
        self._run_bulk(
            self.tr("Cancelling tasks"),
            lambda progress, stop: self.service.cancel(ids, progress=progress, stop=stop),
            self.tr("%1 tasks cancelled."),
            self.tr("Stopped: %1 of %2 tasks were cancelled before you stopped."),
        )

    def _confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _run_bulk(self, title: str, work: Any, done: str, stopped: str) -> BulkRun:
        run = BulkRun(self.bridge, title, self)
        run.finished.connect(lambda result, error: self._finished(result, error, done, stopped))
        self.last_run = run
        run.start(work)
        return run

    def fix_recipient(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            self._say(self.tr("Select exactly one task to fix its recipient."), error=True)
            return
        task = self.model.task(ids[0])
        dialog = RecipientDialog(
            task.client_email if task else "", language=self.language, parent=self
        )
        self.last_dialog = dialog
        if dialog.exec() != RecipientDialog.DialogCode.Accepted:
            return
        address = dialog.address
        task_id = ids[0]

        def done(_task: Any, error: BaseException | None) -> None:
            if error is not None:
                self._say(error_text(error, self.language), error=True)
            else:
                self._say(self.tr("Recipient changed; the e-mail is being sent again."))
            self.detail.refresh()
            self.actions_done.emit()

        self.bridge.write(lambda: self.service.fix_recipient(task_id, address), done)
