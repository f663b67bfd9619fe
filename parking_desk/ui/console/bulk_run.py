"""A long supervisor action in the background with a progress dialog that can cancel it.

The work runs as an operation (``ops.Op``) on the store-write thread and reports progress
from there; a signal carries it to the GUI thread. Cancelling sets an event the service
checks between batches, so what was already committed stays committed and the rest is left
alone. A successful run tells the change hub of a bulk change of tasks (and the audit log),
which is what makes an open queue table catch up with a projected listing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from parking_desk.services.store.base import Store
from parking_desk.services.supervisor import BulkResult
from parking_desk.ui.context import AppContext
from parking_desk.ui.ops import Changes, Op

# The work, given the store, a progress report (done, total) and the stop event.
Work = Callable[[Store, Callable[[int, int], None], threading.Event], BulkResult]
BULK_TASKS = Changes(tasks=True, bulk=True, audit=True)
PROGRESS_NAME = "bulk-progress"  # the dialog's objectName


class BulkRun(QObject):
    progressed = Signal(int, int)
    finished = Signal(object, object)  # BulkResult | None, error | None

    def __init__(self, ctx: AppContext, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stop = threading.Event()
        self.dialog = QProgressDialog(title, self.tr("Cancel"), 0, 0, parent)
        self.dialog.setObjectName(PROGRESS_NAME)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.stop.set)
        self.progressed.connect(self._show_progress)

    def start(self, work: Work) -> None:
        self.dialog.show()
        report, stop = self.progressed.emit, self.stop
        Op(self.ctx, self, lambda store: work(store, report, stop), changes=BULK_TASKS).success(
            self._succeeded
        ).failure(self._failed).run()

    def _show_progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(done)
        self.dialog.setLabelText(
            self.tr("%1 of %2 tasks…").replace("%1", str(done)).replace("%2", str(total))
        )

    def _succeeded(self, result: BulkResult) -> None:
        self._done(result, None)

    def _failed(self, error: BaseException) -> None:
        self._done(None, error)

    def _done(self, result: BulkResult | None, error: BaseException | None) -> None:
        self.dialog.canceled.disconnect(self.stop.set)
        self.dialog.close()
        self.dialog.deleteLater()
        self.finished.emit(result, error)
