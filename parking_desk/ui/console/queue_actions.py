"""The supervisor's actions on the queue: retry (selection or everything the filter
matches), cancel, fix the recipient and resend.

Each runs through ``SupervisorService`` on the store-write thread, which checks the role
again; bulk work shows its progress and can be stopped between batches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QPushButton

from parking_desk.errors import StoreUnavailable
from parking_desk.services.supervisor import SupervisorService
from parking_desk.task import TaskFilter
from parking_desk.ui.console.bulk_run import BulkRun
from parking_desk.ui.console.recipient_dialog import RecipientDialog
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.weak_callback import weak_done

if TYPE_CHECKING:
    from parking_desk.ui.console.queue_tab import QueueTab

# A message made again in each language: the tab says it again when the language changes.
Text = Callable[[], str]


class QueueActions(QObject):
    def __init__(self, tab: QueueTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.last_run: BulkRun | None = None
        self.last_dialog: RecipientDialog | None = None
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

    def _service(self) -> SupervisorService | None:
        """Taken on the GUI thread, so background jobs never reach back into a widget."""
        try:
            return self.tab.service
        except StoreUnavailable as exc:
            unavailable = exc  # ``exc`` itself is gone once the except block ends
            self.tab.say(lambda: error_text(unavailable, self.tab.language), error=True)
            return None

    def retry_selected(self) -> None:
        ids = self.tab.selected_ids()
        if not ids:
            self.tab.say(lambda: self.tr("Select the tasks to retry first."), error=True)
            return
        service = self._service()
        if service is None:
            return
        self._run_bulk(
            self.tr("Retrying tasks"),
            lambda progress, stop: service.retry(ids, progress=progress, stop=stop),
            lambda: self.tr("Tasks retried: %1."),
            lambda: self.tr("Stopped: %1 of %2 tasks were retried before you stopped."),
        )

    def retry_matching(self) -> None:
        """Count first (in the background), confirm with the count, then retry in batches
        exactly the tasks counted, each only if unchanged since."""
        task_filter = self.tab.proxy.task_filter()
        service = self._service()
        if service is None:
            return
        self.tab.say(lambda: self.tr("Counting the matching tasks…"))
        self.tab.bridge.run(
            lambda: service.retry_candidates(task_filter),
            weak_done(self._counted, service, task_filter),
        )

    def _counted(
        self,
        service: SupervisorService,
        task_filter: TaskFilter,
        rows: Any,
        error: BaseException | None,
    ) -> None:
        if error is not None:
            self.tab.say(lambda: error_text(error, self.tab.language), error=True)
            return
        if not rows:
            self.tab.say(lambda: self.tr("No task matching the filter can be retried."))
            return
        question = self.tr("Tasks matching the current filter: %1. Retry them now?")
        if not self._confirm(self.tr("Retry all matching"), question.replace("%1", str(len(rows)))):
            self.tab.say(lambda: self.tr("Nothing was retried."))
            return
        self._run_bulk(
            self.tr("Retrying tasks"),
            lambda progress, stop: service.retry_listed(
                rows, filter=task_filter, progress=progress, stop=stop
            ),
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
        service = self._service()
        if service is None:
            return
        self._run_bulk(
            self.tr("Cancelling tasks"),
            lambda progress, stop: service.cancel(ids, progress=progress, stop=stop),
            lambda: self.tr("Tasks cancelled: %1."),
            lambda: self.tr("Stopped: %1 of %2 tasks were cancelled before you stopped."),
        )

    def _confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.tab)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _run_bulk(
        self, title: str, work: Any, done: Text, stopped: Text, skipped: Text | None = None
    ) -> BulkRun:
        run = BulkRun(self.tab.bridge, title, self.tab)
        run.finished.connect(
            lambda result, error: self._finished(result, error, done, stopped, skipped)
        )
        self.last_run = run
        run.start(work)
        return run

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
        self.last_dialog = dialog
        if dialog.exec() != RecipientDialog.DialogCode.Accepted:
            return
        address = dialog.address
        task_id = ids[0]
        service = self._service()
        if service is None:
            return
        self.tab.bridge.write(
            lambda: service.fix_recipient(task_id, address), weak_done(self._readdressed)
        )

    def _readdressed(self, _task: Any, error: BaseException | None) -> None:
        if error is not None:
            self.tab.say(lambda: error_text(error, self.tab.language), error=True)
        else:
            self.tab.say(lambda: self.tr("Recipient changed; the e-mail is being sent again."))
        self.tab.detail.refresh()
        self.tab.actions_done.emit()
