"""``worker --once`` runs the site's retention purge when a day has passed since the last one
(cron may run it every minute), against a real SQLite store file."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from worker_data import booking

from parking_desk.cli import main
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.sqlite.store import SqliteStore

pytestmark = pytest.mark.timeout(60)

SENT = DeliveryOutcome(provider="outbox", message_id="<m>", email_sent=True)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PARKING_DESK_CONFIG": str(tmp_path / "absent.toml"),
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "cli.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }


def departed_long_ago(store: SqliteStore, name: str) -> tuple[str, str]:
    """A booking that left 400 days ago (the default keeps 365), its e-mail sent then."""
    then = datetime.now(UTC).replace(microsecond=0) - timedelta(days=406)
    saved, task = store.create_booking(booking(name=name, arrival=then), now=then)
    [claimed] = store.claim_due("w-old", 1, timedelta(minutes=5), now=then)
    assert store.complete(claimed, "w-old", SENT, now=then)
    return saved.booking_number or "", task.id


def test_worker_once_purges_when_due_and_not_again_the_same_day(capsys, env, tmp_path):
    store = SqliteStore(tmp_path / "cli.db")
    try:
        number, task_id = departed_long_ago(store, "Ana Vechi")
        outbox = tmp_path / "outbox"
        outbox.mkdir()
        old_mail = outbox / "task-old@lot.ro.eml"
        old_mail.write_text("To: ana@client.example\r\n\r\nhi\r\n")
        forty_days = (datetime.now(UTC) - timedelta(days=40)).timestamp()
        os.utime(old_mail, (forty_days, forty_days))

        assert main(["worker", "--once"], env) == 0
        out = capsys.readouterr().out
        assert "retention: 1 booking(s) anonymised, 1 task(s) and 1 outbox file(s)" in out
        assert store.get_booking(number).client_name == ""
        assert store.get_task(task_id) is None and not old_mail.exists()

        # The next run the same day leaves what it finds for tomorrow's purge.
        second, second_task = departed_long_ago(store, "Ion Vechi")
        assert main(["worker", "--once"], env) == 0
        assert "retention" not in capsys.readouterr().out
        assert store.get_booking(second).client_name == "Ion Vechi"
        assert store.get_task(second_task) is not None
    finally:
        store.close()
