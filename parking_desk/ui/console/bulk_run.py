"""A long supervisor action in the background with a progress dialog that can cancel it.

The service reports progress from the store-write thread; a signal carries it to the GUI
thread. Cancelling sets an event the service checks between batches, so what was already
committed stays committed and the rest is left alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from parking_desk.services.supervisor import BulkResult
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.weak_callback import weak_done

Work = Callable[[Callable[[int, int], None], threading.Event], BulkResult]


class BulkRun(QObject):
    progressed = Signal(int, int)
    finished = Signal(object, object)  # BulkResult | None, error | None

    def __init__(self, bridge: Bridge, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.stop = threading.Event()
        self.last_progress = (0, 0)
        self.dialog = QProgressDialog(title, self.tr("Cancel"), 0, 0, parent)
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
        self.bridge.write(lambda: work(report, stop), weak_done(self._done))

    def _show_progress(self, done: int, total: int) -> None:
        self.last_progress = (done, total)
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(done)
        self.dialog.setLabelText(
            self.tr("%1 of %2 tasks…").replace("%1", str(done)).replace("%2", str(total))
        )

    def _done(self, result: Any, error: BaseException | None) -> None:
        self.dialog.canceled.disconnect(self.stop.set)
        self.dialog.close()
        self.dialog.deleteLater()
        self.finished.emit(result, error)
