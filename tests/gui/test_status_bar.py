"""The status bar's queue counts follow this desk's writes through the change hub."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from parking_desk.config import Settings
from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store import open_sqlite
from parking_desk.ui.bridge import SyncBridge
from parking_desk.ui.context import AppContext
from parking_desk.ui.ops import Changes, Op
from parking_desk.ui.status_bar import StatusBar


def test_a_write_that_queued_a_task_shows_in_the_queue_counts(qtbot: QtBot, tmp_path: Path):
    store = open_sqlite(tmp_path / "desk.db")
    ctx = AppContext(
        settings=Settings(),
        bridge=SyncBridge(),
        session=RoleSession(Person("ana", "Ana", Role.STAFF)),
        store=store,
    )
    bar = StatusBar(ctx)
    qtbot.addWidget(bar)
    try:
        qtbot.waitUntil(lambda: bar.queue_label.text().startswith("Queue: 0 waiting"), timeout=5000)

        def queue_one(s):
            s.import_raw_task(
                "t1",
                {
                    "type": "email",
                    "bookingNumber": "700001",
                    "clientEmail": "ana.popa@example.ro",
                    "createdAt": datetime.now(UTC),
                },
            )

        # Nobody tells the bar: the operation's changes reach it through the hub.
        Op(ctx, bar, queue_one, changes=Changes(tasks=True)).run()
        qtbot.waitUntil(lambda: bar.queue_label.text().startswith("Queue: 1 waiting"), timeout=5000)
    finally:
        bar.stop()
        store.close()
