"""A desk's queue tab on Firestore keeps its table in the desk's data folder (where the
offline journal and the key ring are), and opens from it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from parking_desk.config import Settings
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.services.store.row_cache import row_cache_path
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.context import AppContext

pytestmark = pytest.mark.firestore
WAIT = 30_000


def desk_tab(
    qtbot: QtBot, settings: Settings, store: FirestoreStore, bridge: Bridge, who: RoleSession
) -> QueueTab:
    ctx = AppContext(settings=settings, bridge=bridge, session=who)
    tab = QueueTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.set_store(store)
    return tab


def bookings(tab: QueueTab) -> set[str]:
    return {r.booking_number for r in tab.model.rows()}


def test_the_desk_tab_opens_again_from_its_data_folder(
    qtbot: QtBot, firestore_db, bridge: Bridge, supervisor: RoleSession, tmp_path: Path
) -> None:
    settings = Settings()
    settings.qr.key_path = tmp_path / "data" / "qr-signing-key.pem"
    first = FirestoreStore(firestore_db.project)
    for i in range(3):
        first.import_raw_task(
            f"t{i}",
            {
                "type": "email",
                "bookingNumber": str(500000 + i),
                "clientEmail": f"c{i}@example.ro",
                "status": "completed",
                "createdAt": datetime.now(UTC) - timedelta(days=1),
                "updatedAt": datetime.now(UTC) - timedelta(days=1),
            },
        )
    tab = desk_tab(qtbot, settings, first, bridge, supervisor)
    qtbot.waitUntil(lambda: len(bookings(tab)) == 3, timeout=WAIT)
    tab.shutdown()
    first.close()
    assert row_cache_path(tmp_path / "data", firestore_db.project, "(default)").exists()

    first = FirestoreStore(firestore_db.project)
    first.conn.db.collection("emailQueue").document("t0").delete()  # while the desk is closed
    first.close()

    again = FirestoreStore(firestore_db.project)
    try:
        tab = desk_tab(qtbot, settings, again, bridge, supervisor)
        qtbot.waitUntil(lambda: bookings(tab) == {"500001", "500002"}, timeout=WAIT)
        tab.shutdown()
    finally:
        again.close()
