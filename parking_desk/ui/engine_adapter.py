"""Carries the in-app engine's events from scheduler threads to widgets, as Qt signals.

The worker calls ``on_event`` on its own threads. Emitting a signal of a QObject that lives
on the GUI thread queues the call there, so no widget is ever touched from a worker thread.
Listeners that only need "something moved" should set a dirty flag and let a GUI timer
refresh once per burst; ``changed`` is for them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from parking_desk.services.worker_events import (
    DrainFinished,
    TaskClaimed,
    TaskCompleted,
    TaskDead,
    TaskFailed,
    WorkerEvent,
)


class EngineAdapter(QObject):
    claimed = Signal(object)  # TaskClaimed
    completed = Signal(object)  # TaskCompleted
    failed = Signal(object)  # TaskFailed
    dead = Signal(object)  # TaskDead
    drain_finished = Signal(object)  # DrainFinished
    changed = Signal(object)  # any WorkerEvent

    def on_event(self, event: WorkerEvent) -> None:
        """Called on a scheduler or pool thread; only emits."""
        signal = {
            TaskClaimed: self.claimed,
            TaskCompleted: self.completed,
            TaskFailed: self.failed,
            TaskDead: self.dead,
            DrainFinished: self.drain_finished,
        }.get(type(event))
        if signal is not None:
            signal.emit(event)
        self.changed.emit(event)
