"""``parking-desk queue stats`` counts every state, the sent and cancelled too, though the
kiosk's board reads only the states it shows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import PROJECT
from worker_data import booking

from parking_desk.cli import main
from parking_desk.services.store import Store
from parking_desk.services.store.base import DeliveryOutcome

pytestmark = pytest.mark.timeout(120)


def test_queue_stats_counts_the_sent_and_cancelled(capsys, store: Store, tmp_path: Path) -> None:
    env = {
        "PARKING_DESK_CONFIG": str(tmp_path / "absent.toml"),
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "store.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }
    if store.kind == "firestore":
        env |= {"PARKING_DESK_STORE": "firestore", "PARKING_DESK_FIRESTORE_PROJECT": PROJECT}
    for _ in range(3):
        store.create_booking(booking())
    sent, cancelled, _waiting = store.claim_due("w1", 3, timedelta(minutes=5))
    store.complete(sent, "w1", DeliveryOutcome("smtp", "<m>", True))
    store.cancel_tasks([cancelled.id], operator="ana")

    assert main(["queue", "stats"], env) == 0
    shown = {line[:11].strip(): line[11:].strip() for line in capsys.readouterr().out.splitlines()}

    assert (shown["completed"], shown["cancelled"], shown["processing"]) == ("1", "1", "1")
