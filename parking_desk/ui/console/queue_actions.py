"""The supervisor's actions on the queue: retry (selection or everything the filter
matches), cancel, fix the recipient and resend.

Each runs as an operation (``ops.Op``) through ``SupervisorService`` on the store-write
thread, which checks the role again; bulk work shows its progress and can be stopped between
batches, and the table stops following its feed meanwhile (``QueueTab.pause_feed``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton

from parking_desk.services.roles import RoleSession
from parking_desk.services.store.base import Store, TaskRow
from parking_desk.services.supervisor import BulkResult, SupervisorService
from parking_desk.task import NotificationTask, TaskFilter
from parking_desk.ui.console.bulk_run import BulkRun, Work
from parking_desk.ui.console.recipient_dialog import RecipientDialog
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.ops import Changes, Op

if TYPE_CHECKING:
    from parking_desk.ui.console.queue_tab import QueueTab

# A message made again in each language: the tab says it again when the language changes.
Text = Callable[[], str]
Progress = Callable[[int, int], None]
READDRESSED = Changes(tasks=True, enqueued=True, bookings=True, suppressions=True, audit=True)


def service_of(store: Store, session: RoleSession) -> SupervisorService:
    """The supervisor's service over *store*, made where the operation runs."""
    suppressions = getattr(store, "suppressions", None)
    return SupervisorService(store, session, suppressions=suppressions)


class QueueActions(QObject):
    bulk_started = Signal(object)  # the BulkRun, before its work starts

    def __init__(self, tab: QueueTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self._running: set[BulkRun] = set()  # kept until each ends
        self.retry_button = QPushButton()
        self.retry_all_button = QPushButton()
        self.cancel_button = QPushButton()
        self.recipient_button = QPushButton()
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button.clicked.connect(self.retry_matching)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.recipient_button.clicked.connect(self.fix_recipient)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.retry_button.setText(self.tr("Retry selected"))
        self.retry_all_button.setText(self.tr("Retry all matching…"))
        self.cancel_button.setText(self.tr("Cancel selected"))
        self.recipient_button.setText(self.tr("Fix recipient and resend…"))

    def buttons(self) -> list[QPushButton]:
        return [self.retry_button, self.retry_all_button, self.cancel_button, self.recipient_button]

    def _finished(
        self,
        result: Any,
        error: BaseException | None,
        done: Text,
        stopped: Text,
        skipped: Text | None,
    ) -> None:
        """*done* and *stopped* are whole sentences with %1 (changed) and %2 (requested),
        worded so that no plural depends on the number; *skipped*, when given, is added with
        the number of tasks left alone. Each is asked for its words when shown."""
        self.tab.resume_feed()  # a failed or stopped run ends the pause too
        if error is not None:
            self.tab.say(lambda: error_text(error, self.tab.language), error=True)
        else:

            def text() -> str:
                said = (stopped if result.cancelled else done)()
                said = said.replace("%1", str(result.changed)).replace("%2", str(result.requested))
                if skipped is not None and result.submitted > result.changed:
                    said += " " + skipped().replace("%1", str(result.submitted - result.changed))
                return said

            self.tab.say(text)
        self.tab.detail.refresh()
        self.tab.actions_done.emit()

    def retry_selected(self) -> None:
        ids = self.tab.selected_ids()
        if not ids:
            self.tab.say(lambda: self.tr("Select the tasks to retry first."), error=True)
            return
        session = self.tab.session

        def work(store: Store, progress: Progress, stop: threading.Event) -> BulkResult:
            return service_of(store, session).retry(ids, progress=progress, stop=stop)

        self._run_bulk(
            self.tr("Retrying tasks"),
            work,
            lambda: self.tr("Tasks retried: %1."),
            lambda: self.tr("Stopped: %1 of %2 tasks were retried before you stopped."),
        )

    def retry_matching(self) -> None:
        """Count first (in the background), confirm with the count, then retry in batches
        exactly the tasks counted, each only if unchanged since."""
        task_filter = self.tab.proxy.task_filter()
        session = self.tab.session
        self.tab.say(lambda: self.tr("Counting the matching tasks…"))

        def count(store: Store) -> list[TaskRow]:
            return service_of(store, session).retry_candidates(task_filter)

        Op(self.tab.ctx, self, count, write=False).success(
            lambda rows: self._counted(task_filter, rows)
        ).failure(self._refused).run()

    def _refused(self, error: BaseException) -> None:
        self.tab.say(lambda: error_text(error, self.tab.language), error=True)

    def _counted(self, task_filter: TaskFilter, rows: Sequence[TaskRow]) -> None:
        if not rows:
            self.tab.say(lambda: self.tr("No task matching the filter can be retried."))
            return
        question = self.tr("Tasks matching the current filter: %1. Retry them now?")
        if not self._confirm(self.tr("Retry all matching"), question.replace("%1", str(len(rows)))):
            self.tab.say(lambda: self.tr("Nothing was retried."))
            return
        session = self.tab.session

        def work(store: Store, progress: Progress, stop: threading.Event) -> BulkResult:
            return service_of(store, session).retry_listed(
                rows, filter=task_filter, progress=progress, stop=stop
            )

        self._run_bulk(
            self.tr("Retrying tasks"),
            work,
            lambda: self.tr("Tasks retried: %1."),
            lambda: self.tr("Stopped: %1 of %2 tasks were retried before you stopped."),
            lambda: self.tr("Tasks left as they were because they changed after counting: %1."),
        )

    def cancel_selected(self) -> None:
        ids = self.tab.selected_ids()
        if not ids:
            self.tab.say(lambda: self.tr("Select the tasks to cancel first."), error=True)
            return
        question = self.tr("Selected tasks: %1. Cancel them? They will not be sent.")
        if not self._confirm(self.tr("Cancel tasks"), question.replace("%1", str(len(ids)))):
            return
        session = self.tab.session

        def work(store: Store, progress: Progress, stop: threading.Event) -> BulkResult:
            return service_of(store, session).cancel(ids, progress=progress, stop=stop)

        self._run_bulk(
            self.tr("Cancelling tasks"),
            work,
            lambda: self.tr("Tasks cancelled: %1."),
            lambda: self.tr("Stopped: %1 of %2 tasks were cancelled before you stopped."),
        )

    def _confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.tab)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _run_bulk(
        self, title: str, work: Work, done: Text, stopped: Text, skipped: Text | None = None
    ) -> None:
        run = BulkRun(self.tab.ctx, title, self.tab)
        self._running.add(run)

        def finished(result: Any, error: BaseException | None) -> None:
            self._running.discard(run)
            self._finished(result, error, done, stopped, skipped)

        run.finished.connect(finished)
        self.tab.pause_feed()
        self.bulk_started.emit(run)
        run.start(work)

    def fix_recipient(self) -> None:
        ids = self.tab.selected_ids()
        if len(ids) != 1:
            self.tab.say(
                lambda: self.tr("Select exactly one task to fix its recipient."), error=True
            )
            return
        row = self.tab.model.row(ids[0])
        dialog = RecipientDialog(
            row.client_email if row else "", language=self.tab.language, parent=self.tab
        )
        if dialog.exec() != RecipientDialog.DialogCode.Accepted:
            return
        address = dialog.address
        task_id = ids[0]
        session = self.tab.session

        def readdress(store: Store) -> NotificationTask:
            return service_of(store, session).fix_recipient(task_id, address)

        Op(self.tab.ctx, self, readdress, changes=READDRESSED).success(self._readdressed).failure(
            self._readdress_refused
        ).run()

    def _readdressed(self, _task: NotificationTask) -> None:
        self.tab.say(lambda: self.tr("Recipient changed; the e-mail is being sent again."))
        self._after_write()

    def _readdress_refused(self, error: BaseException) -> None:
        self._refused(error)
        self._after_write()

    def _after_write(self) -> None:
        self.tab.detail.refresh()
        self.tab.actions_done.emit()
