"""How the supervisor's queue table copes with 100,000 tasks: load, filter, sort, a burst.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/console_model.py
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from parking_desk.services.store.base import TaskRow, TaskRowBatch
from parking_desk.task import LastError, NotificationTask, TaskState, TaskType
from parking_desk.ui.console.queue_filter import QueueFilter
from parking_desk.ui.console.queue_model import Column, QueueModel

ERRORS = [
    LastError("smtp.550", "550 5.1.1 mailbox unavailable", True),
    LastError("smtp.421", "421 4.7.0 try again later", False),
    LastError("timeout", "connection timed out", False),
]


def make_tasks(n: int) -> list[NotificationTask]:
    rng = random.Random(5)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    tasks = []
    for i in range(n):
        state = rng.choice(list(TaskState))
        tasks.append(
            NotificationTask(
                id=f"t{i:06d}",
                type=TaskType.BOTH,
                booking_number=f"PD-{100000 + i}",
                client_email=f"client{i}@example.ro",
                status=state,
                attempts=rng.randint(0, 5),
                last_error=rng.choice(ERRORS) if state != TaskState.COMPLETED else None,
                created_at=start + timedelta(seconds=i * 20),
            )
        )
    return tasks


def timed(label: str, fn) -> float:
    """Wall time, and the process's CPU time: on a shared machine the second is the fairer."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    ms, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
    print(f"{label:<48} {ms:7.0f} ms wall {cpu:7.0f} ms cpu")
    return ms


def main() -> None:
    app = QApplication.instance() or QApplication([])
    tasks = make_tasks(100_000)
    model, proxy = QueueModel(), QueueFilter()
    proxy.setSourceModel(model)
    first = TaskRowBatch([TaskRow.of(t) for t in tasks], [], complete=True)
    timed("load 100,000 (first feed batch)", lambda: model.apply([first]))
    timed("proxy row count after load", proxy.rowCount)
    timed("filter: state dead", lambda: (proxy.set_state(TaskState.DEAD), proxy.rowCount()))
    timed("filter: text 'mailbox' (on dead)", lambda: (proxy.set_text("mailbox"), proxy.rowCount()))
    print("  rows shown:", proxy.rowCount())
    timed("filter: clear", lambda: (proxy.set_state(None), proxy.set_text(""), proxy.rowCount()))
    timed(
        "sort by booking ascending",
        lambda: (proxy.sort(Column.BOOKING, Qt.SortOrder.AscendingOrder), proxy.rowCount()),
    )
    timed(
        "sort by state descending",
        lambda: (proxy.sort(Column.STATE, Qt.SortOrder.DescendingOrder), proxy.rowCount()),
    )
    timed(
        "sort by created descending",
        lambda: (proxy.sort(Column.CREATED, Qt.SortOrder.DescendingOrder), proxy.rowCount()),
    )
    burst = TaskRowBatch(
        [
            TaskRow.of(t.with_changes(attempts=t.attempts + 1))
            for t in random.Random(1).sample(tasks, 1000)
        ],
        [],
        complete=False,
    )
    flushes = []
    model.flushed.connect(flushes.append)
    model.queue_changes(burst)
    timed("burst of 1,000 in-place changes (1 flush)", model.flush)
    moved = TaskRowBatch(
        [
            TaskRow.of(t.with_changes(status=TaskState.PENDING))
            for t in random.Random(2).sample(tasks, 1000)
        ],
        [],
        complete=False,
    )
    proxy.sort(Column.STATE, Qt.SortOrder.AscendingOrder)
    model.queue_changes(moved)
    timed("burst of 1,000 state changes, sorted by state", model.flush)
    print("  flushes:", len(flushes))
    del app


if __name__ == "__main__":
    main()
