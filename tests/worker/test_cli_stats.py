"""``parking-desk queue stats`` on both stores: the website's documents that have no status
yet, and an SMTP outage, read as the kiosk reads them (the same light, the same reasons)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import PROJECT
from worker_data import booking

from parking_desk.cli import main
from parking_desk.services.runtime import build_worker
from parking_desk.services.store import Store

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def env(store: Store, tmp_path: Path) -> dict[str, str]:
    """The command line's settings, pointing at the test's store."""
    made = {
        "PARKING_DESK_CONFIG": str(tmp_path / "absent.toml"),
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "store.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }
    if store.kind == "firestore":
        made |= {"PARKING_DESK_STORE": "firestore", "PARKING_DESK_FIRESTORE_PROJECT": PROJECT}
    return made


def stats(capsys, env: dict[str, str]) -> dict[str, str]:
    assert main(["queue", "stats"], env) == 0
    lines = capsys.readouterr().out.splitlines()
    return {line[:11].strip(): line[11:].strip() for line in lines}


def test_website_documents_without_status_are_pending_and_due(capsys, env, store) -> None:
    created = datetime.now(UTC) - timedelta(seconds=210)
    for i in range(2):
        store.import_raw_task(
            f"web-{i}",
            {
                "type": "both",
                "bookingNumber": f"80000{i}",
                "clientEmail": f"client{i}@example.ro",
                "bookingData": {"clientName": "Ion Ionescu", "plate": "CJ12XYZ"},
                "createdAt": created,
            },
        )

    shown = stats(capsys, env)

    assert shown["pending"] == "2"
    waited = int(shown["oldest due"].removesuffix(" s"))
    assert 200 <= waited <= 240
    assert shown["health"] == "amber (no_worker)"  # nobody is draining what is due


def test_an_smtp_outage_turns_queue_stats_amber_at_once(
    capsys, env, store, smtp, make_settings
) -> None:
    for i in range(3):
        store.create_booking(booking(email=f"client{i}@client.example"))
    smtp.faults.tempfail = 100  # "451 4.3.0": the server is having a bad day
    worker, _ = build_worker(make_settings(smtp), store, "worker")

    report = worker.drain_once()

    assert (report.claimed, report.retried, report.completed) == (3, 3, 0)
    shown = stats(capsys, env)
    assert (shown["retrying"], shown["pending"], shown["dead"]) == ("3", "3", "0")
    assert shown["oldest due"] == "-"  # every one waits for its next attempt
    assert shown["health"] == "amber (retrying)"
