"""The supervisor's queue tab: the live table, its filters, the detail panel and the actions.

The table listens to the store's change feed; nothing here polls the collection. Every
action goes through ``SupervisorService`` in an operation (``ops.Op``) on the store-write
thread, and the service checks the role again, so a hidden button is a convenience, not the
guard. During a bulk action on a store whose feed crosses a network (``row_feed``) the table
stops following; when the change hub says the bulk is over it lists, projected, the rows
changed since the bulk began (whoever changed them) and follows from there. In a desk (a
tab given the desk's context) such a store keeps the table in the desk's data folder
between sessions (``row_feed.keep_rows_on_disk``); a tab built by hand keeps nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from parking_desk.config import Settings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.store.base import Store, Subscription
from parking_desk.services.store.row_feed import keep_rows_on_disk, row_feed_since
from parking_desk.services.supervisor import SupervisorService
from parking_desk.task import TaskState
from parking_desk.timeutil import utcnow
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_actions import QueueActions
from parking_desk.ui.console.queue_columns import Column, Roles, state_label
from parking_desk.ui.console.queue_filter import QueueFilter
from parking_desk.ui.console.queue_model import QueueModel
from parking_desk.ui.console.supervisor_lock import SupervisorLock
from parking_desk.ui.console.task_detail import TaskDetail
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import time_zone
from parking_desk.ui.ops import Changes, Op

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
# Writers' clocks differ a little: the catch-up lists from this much before the bulk began.
CLOCK_MARGIN = timedelta(seconds=5)
TIME_RANGES = (None, timedelta(hours=1), timedelta(hours=24), timedelta(days=7), timedelta(days=30))


class QueueTab(QWidget):
    actions_done = Signal()  # something was written: the audit tab refreshes

    def __init__(
        self,
        ctx: AppContext | Store | None,
        bridge: Bridge | None = None,
        session: RoleSession | None = None,
        *,
        language: str | Callable[[], str] | None = None,
        bounces_read: bool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """*ctx* is the desk's context; a tab built by hand (a test, a benchmark) may give
        its store (or ``None`` while connecting; ``set_store`` follows), bridge and session
        instead. *language* (or a callable giving the current one) picks the language of
        errors; the context's by default. *bounces_read* False says under the table that
        this desk reads no bounces (it has no IMAP settings); None says nothing."""
        super().__init__(parent)
        # The desk's data folder, where the offline journal and the key ring are kept too.
        self._rows_folder: Path | None = (
            ctx.settings.qr.key_path.parent if isinstance(ctx, AppContext) else None
        )
        if not isinstance(ctx, AppContext):
            assert bridge is not None and session is not None
            settings = Settings()
            settings.desk.time_zone = time_zone()  # keep the zone the process speaks
            ctx = AppContext(settings=settings, bridge=bridge, session=session, store=ctx)
            if isinstance(language, str):
                ctx.language = language
        self.ctx = ctx
        self.store = ctx.store
        self.bounces_read = bounces_read
        self.bridge = ctx.bridge
        self.session = ctx.session
        context = ctx
        self._language: str | Callable[[], str] = (
            language if language is not None else (lambda: context.language)
        )
        self._subscription: Subscription | None = None
        self._subscribing = False
        self._closed = False
        self._paused_since: datetime | None = None  # a bulk action of this tab is running
        self._said: Callable[[], str] = str  # the message under the table, in any language

        self.model = QueueModel(self)
        self.proxy = QueueFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build_filter_bar()
        self._build_actions()
        self._build_table()
        self.detail = TaskDetail(self.store, self.bridge, language=self.language)
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
        self.bounce_status = QLabel(wordWrap=True)
        self.bounce_status.setObjectName("bounceReaderStatus")
        self.bounce_status.setVisible(bounces_read is False)
        layout.addWidget(self.bounce_status)

        self.model.modelReset.connect(self._update_count)
        self.model.layoutChanged.connect(self._update_count)
        self.model.flushed.connect(self._update_count)
        self.model.flushed.connect(self._follow_detail)
        self._detail_row: object = None  # the table's row of the task the panel shows
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.lock.role_changed.connect(self._apply_role)
        self._tick = QTimer(self)
        self._tick.setInterval(RELATIVE_TIME_REFRESH_MS)
        self._tick.timeout.connect(self.table.viewport().update)
        self._tick.start()
        self.retranslate_ui()
        self._apply_role(self.session.role)
        ctx.hub.changed.connect(self._changed)
        if self.store is not None:
            self.set_store(self.store)

    @property
    def language(self) -> str:
        return self._language() if callable(self._language) else self._language

    @property
    def service(self) -> SupervisorService:
        if self.store is None:
            raise StoreUnavailable("not connected yet")
        suppressions = getattr(self.store, "suppressions", None)
        return SupervisorService(self.store, self.session, suppressions=suppressions)

    def set_store(self, store: Store) -> None:
        """The store is connected: start following its change feed."""
        if self._subscription is not None or self._subscribing:
            return
        self.store = store
        if self.ctx.store is None:
            self.ctx.store = store
        self.detail.store = store
        if self._rows_folder is not None:
            keep_rows_on_disk(store, self._rows_folder)
        self._subscribe(None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.state_label.setText(self.tr("State:"))
        self.state_combo.setItemText(0, self.tr("All states"))
        for i in range(1, self.state_combo.count()):
            value = self.state_combo.itemData(i)
            retrying = value == RETRYING
            state = TaskState.PENDING if retrying else value
            self.state_combo.setItemText(i, state_label(state, retrying=retrying))
        self.search.setPlaceholderText(self.tr("Search booking, recipient or error…"))
        labels = (
            self.tr("Any time"),
            self.tr("Last hour"),
            self.tr("Last 24 hours"),
            self.tr("Last 7 days"),
            self.tr("Last 30 days"),
        )
        for i, label in enumerate(labels):
            self.range_combo.setItemText(i, label)
        self.queue_actions.retranslate_ui()
        self.lock.retranslate_ui()
        self.bounce_status.setText(
            self.tr(
                "Bounces are not read on this desk: it has no IMAP settings. An e-mail the "
                'client\'s server returns later stays "completed" here unless a worker with '
                "IMAP settings reads the sending mailbox."
            )
        )
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self.model.set_language(self.language)
        self.model.retranslate()
        self.detail.language = self.language
        self.detail.rerender()
        self._update_count()
        self.message.setText(self._said())

    # --- layout ------------------------------------------------------------------------------
    def _build_filter_bar(self) -> None:
        self.state_combo = QComboBox()
        self.state_combo.addItem("", None)
        for state in TaskState:
            self.state_combo.addItem("", state)
            if state == TaskState.PENDING:
                self.state_combo.addItem("", RETRYING)
        self.state_combo.currentIndexChanged.connect(self._state_changed)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.range_combo = QComboBox()
        for span in TIME_RANGES:
            self.range_combo.addItem("", span)
        self.range_combo.currentIndexChanged.connect(self._range_changed)
        self.count_label = QLabel()
        self.filter_bar = QHBoxLayout()
        self.state_label = QLabel()
        self.filter_bar.addWidget(self.state_label)
        self.filter_bar.addWidget(self.state_combo)
        self.filter_bar.addWidget(self.search, 1)
        self.filter_bar.addWidget(self.range_combo)
        self.filter_bar.addWidget(self.count_label)

    def _build_actions(self) -> None:
        self.queue_actions = QueueActions(self)
        self.retry_button = self.queue_actions.retry_button
        self.retry_all_button = self.queue_actions.retry_all_button
        self.cancel_button = self.queue_actions.cancel_button
        self.recipient_button = self.queue_actions.recipient_button
        self.retry_selected = self.queue_actions.retry_selected
        self.retry_matching = self.queue_actions.retry_matching
        self.cancel_selected = self.queue_actions.cancel_selected
        self.fix_recipient = self.queue_actions.fix_recipient
        self.lock = SupervisorLock(self.session)
        self.action_bar = QHBoxLayout()
        for button in self.queue_actions.buttons():
            self.action_bar.addWidget(button)
        self.action_bar.addStretch(1)
        self.action_bar.addWidget(self.lock)
        self.message = QLabel()
        self.message.setWordWrap(True)

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
    def _subscribe(self, since: datetime | None) -> None:
        """Follow the row feed: every task, or (after a bulk action) the rows changed since
        *since*, listed projected, and each change from then on."""
        feed = self.model.feed()  # thread-safe to feed; the tab is not
        self._subscribing = True

        def subscribe(store: Store) -> Subscription:
            catch_up = row_feed_since(store) if since is not None else None
            if catch_up is not None and since is not None:
                return catch_up.watch_task_rows_since(feed, since)
            return store.watch_task_rows(feed)

        Op(self.ctx, self, subscribe, write=False).success(self._subscribed).failure(
            lambda error: self._not_subscribed(error, since)
        ).run()

    def _subscribed(self, subscription: Subscription) -> None:
        self._subscribing = False
        if self._closed or self._paused_since is not None:
            Op.without_store(self.ctx, self, subscription.unsubscribe).run()
        else:
            self._subscription = subscription

    def _not_subscribed(self, error: BaseException, since: datetime | None) -> None:
        self._subscribing = False
        self.say(lambda: error_text(error, self.language), error=True)
        if since is not None and not self._closed:
            self._subscribe(None)  # no catch-up: follow the whole queue again, as on opening

    def pause_feed(self) -> None:
        """A bulk action of this tab begins: stop following the feed, when the store can
        list what changed afterwards (``row_feed``); the hub's bulk change resumes it."""
        if self._subscription is None or row_feed_since(self.store) is None:
            return  # not following yet (or closed): nothing to stop
        if self._paused_since is None:
            self._paused_since = utcnow() - CLOCK_MARGIN
        self.model.stop_following()
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            Op.without_store(self.ctx, self, subscription.unsubscribe).run()

    def resume_feed(self) -> None:
        """The bulk action ended (done, stopped or failed): list the rows changed since it
        began and follow from there. Nothing to do when the feed was never paused."""
        since, self._paused_since = self._paused_since, None
        if since is not None and not self._closed:
            self._subscribe(since)

    def _changed(self, changes: Changes) -> None:
        if changes.bulk:
            self.resume_feed()

    def shutdown(self) -> None:
        """Stop listening; the desk calls this when it closes."""
        self._closed = True
        self.model.stop_following()
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
            .replace("%2", str(self.model.total_count()))
        )

    # --- selection and role ------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.data(index, Roles.TaskIdRole) for index in rows]

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self._detail_row = self.model.row(ids[0])
            self.detail.show_task(ids[0])
        elif not ids:
            self.detail.clear()

    def _follow_detail(self, _count: int) -> None:
        """A burst of changes arrived: if it holds the shown task, the panel reads it again
        (every change replaces the task's row, so a different row means a change)."""
        task_id = self.detail.task_id
        if task_id is None:
            return
        row = self.model.row(task_id)
        if row is not self._detail_row:
            self._detail_row = row
            self.detail.refresh()

    def _apply_role(self, role: Role) -> None:
        supervisor = role.at_least(Role.SUPERVISOR)
        for button in self.queue_actions.buttons():
            button.setVisible(supervisor)
        self.model.set_masked(not supervisor)
        self.detail.masked = not supervisor
        self.detail.rerender()

    def say(self, text: Callable[[], str] | str, *, error: bool = False) -> None:
        """*text* as a callable is asked again when the language changes."""
        self._said = text if callable(text) else (lambda: text)
        self.message.setStyleSheet("color: #c62828" if error else "")
        self.message.setText(self._said())
