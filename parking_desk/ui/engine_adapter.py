"""Carries the in-app engine's events from scheduler threads to widgets, as Qt signals.

The worker calls ``on_event`` on its own threads. The events wait in a list, and the GUI
thread is woken once for all that arrived meanwhile, at most every ``DELIVERY_SPACING_MS``
(the first event after a quiet spell goes at once); it then emits each event's signals
itself, in order. A drain sends two or three events per task, and the desk listens to each
of them several times (status bar, bookings tab, e-mail status): a queued call per event and
listener woke the GUI thread hundreds of times a second, each wake-up a GIL hand-over from
the sending thread. No widget is ever touched from a worker thread.

Listeners that only need "something moved" should set a dirty flag and let a GUI timer
refresh once per burst; ``changed`` is for them.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from parking_desk.services.worker_events import (
    DrainFinished,
    TaskClaimed,
    TaskCompleted,
    TaskDead,
    TaskFailed,
    WorkerEvent,
)

# Long enough to gather a burst (a task takes a few ms to send), short against what a person
# notices in the e-mail status of the booking just saved.
DELIVERY_SPACING_MS = 50


class EngineAdapter(QObject):
    claimed = Signal(object)  # TaskClaimed
    completed = Signal(object)  # TaskCompleted
    failed = Signal(object)  # TaskFailed
    dead = Signal(object)  # TaskDead
    drain_finished = Signal(object)  # DrainFinished
    changed = Signal(object)  # any WorkerEvent
    # Internal: "events are waiting", sent from a worker thread once per batch.
    _arrived = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._by_type = {
            TaskClaimed: self.claimed,
            TaskCompleted: self.completed,
            TaskFailed: self.failed,
            TaskDead: self.dead,
            DrainFinished: self.drain_finished,
        }
        self._lock = threading.Lock()  # guards _waiting: worker threads add, the GUI takes
        self._waiting: list[WorkerEvent] = []
        self._delivered_at = float("-inf")  # GUI thread only
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._deliver)
        self._arrived.connect(self._wake, Qt.ConnectionType.QueuedConnection)

    def on_event(self, event: WorkerEvent) -> None:
        """Called on a scheduler or pool thread; only queues the event."""
        with self._lock:
            self._waiting.append(event)
            first = len(self._waiting) == 1
        if first:
            self._arrived.emit()

    def _wake(self) -> None:
        """GUI thread: deliver now, or when the spacing since the last delivery is over."""
        if self._later.isActive():
            return
        wait_ms = DELIVERY_SPACING_MS - (time.monotonic() - self._delivered_at) * 1000
        if wait_ms <= 0:
            self._deliver()
        else:
            self._later.start(max(1, int(wait_ms)))

    def _deliver(self) -> None:
        self._delivered_at = time.monotonic()
        with self._lock:
            events, self._waiting = self._waiting, []
        for event in events:
            signal = self._by_type.get(type(event))
            if signal is not None:
                signal.emit(event)
            self.changed.emit(event)
