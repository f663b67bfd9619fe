"""Queue data and dialog driving shared by the console and kiosk tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from parking_desk.config import Settings
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import LastError
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.context import AppContext

PIN = "2468"
BOUNCE = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)
TIMEOUT = LastError("smtp.timeout", "timed out talking to smtp.example.ro", False)


def console_context(store: SqliteStore | None, bridge: Bridge, session: RoleSession) -> AppContext:
    """What a desk hands its console tabs: the store, the bridge, who is signed in."""
    return AppContext(settings=Settings(), bridge=bridge, session=session, store=store)


def add_tasks(store: SqliteStore, n: int, *, start: int = 0, email: str = "client{i}@example.ro"):
    ids = []
    for i in range(start, start + n):
        task_id = f"task-{i:05d}"
        store.import_raw_task(
            task_id,
            {
                "type": "email",
                "bookingNumber": f"{700000 + i}",
                "clientEmail": email.format(i=i),
                "createdAt": datetime.now(UTC) - timedelta(minutes=30) + timedelta(seconds=i),
            },
        )
        ids.append(task_id)
    return ids


def fail_all(store: SqliteStore, error: LastError, *, limit: int = 100_000) -> int:
    """Claim every due task and fail it with *error*, as a worker meeting it would."""
    claimed = store.claim_due("worker-a", limit, timedelta(minutes=5))
    for task in claimed:
        if error.permanent:
            store.fail_permanent(task, "worker-a", error)
        else:
            store.fail_transient(task, "worker-a", error, datetime.now(UTC) + timedelta(minutes=4))
    return len(claimed)


def answer_dialogs(answer: Callable[[QWidget], bool]) -> QTimer:
    """Until *answer* returns True, offer it each modal dialog that opens (a real dialog is
    being driven, so its exec() returns as if a person had clicked)."""
    timer = QTimer()
    timer.setInterval(30)

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and answer(widget):
            timer.stop()

    timer.timeout.connect(poll)
    timer.start()
    return timer
