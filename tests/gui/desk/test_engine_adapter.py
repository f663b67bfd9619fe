"""The engine's events reach the GUI thread in bursts: every event, in order, on the GUI
thread, without one queued call per event and listener while a drain sends."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from parking_desk.services.worker_events import TaskClaimed, TaskCompleted, WorkerEvent
from parking_desk.ui.engine_adapter import EngineAdapter


class QueuedCalls(QObject):
    """Counts the queued slot calls posted anywhere in the application."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MetaCall:
            self.count += 1
        return False


def test_a_burst_of_engine_events_wakes_the_gui_thread_once(qtbot):
    adapter = EngineAdapter()
    completed: list[str] = []
    changed: list[WorkerEvent] = []
    threads: set[threading.Thread] = set()
    # As the desk listens: several listeners, some on every event.
    adapter.completed.connect(lambda e: completed.append(e.task_id))
    adapter.completed.connect(lambda _e: threads.add(threading.current_thread()))
    adapter.changed.connect(changed.append)
    calls = QueuedCalls()
    app = QApplication.instance()
    app.installEventFilter(calls)
    try:

        def drain() -> None:  # a drain of 300 tasks, as the worker's threads report it
            for n in range(300):
                adapter.on_event(TaskClaimed(f"t{n}", f"B{n}", "desk", 1))
                adapter.on_event(TaskCompleted(f"t{n}", f"B{n}", "smtp", None, True))

        sender = threading.Thread(target=drain)
        sender.start()
        sender.join()  # the GUI thread is busy meanwhile, as during a repaint
        qtbot.waitUntil(lambda: len(changed) == 600)
    finally:
        app.removeEventFilter(calls)
    assert completed == [f"t{n}" for n in range(300)]
    assert [type(e) for e in changed[:2]] == [TaskClaimed, TaskCompleted]
    assert threads == {threading.main_thread()}
    # One wake-up for the whole burst, not one per event and listener (900 before).
    assert calls.count <= 2


def test_events_after_a_delivery_still_arrive(qtbot):
    adapter = EngineAdapter()
    seen: list[str] = []
    adapter.completed.connect(lambda e: seen.append(e.task_id))
    for n in range(3):  # one at a time, each after the one before has been shown
        threading.Thread(
            target=adapter.on_event, args=(TaskCompleted(f"t{n}", "B", "smtp", None, True),)
        ).start()
        qtbot.waitUntil(lambda n=n: len(seen) == n + 1)
    assert seen == ["t0", "t1", "t2"]
