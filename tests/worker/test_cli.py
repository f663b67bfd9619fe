"""``parking-desk`` exit codes and the ``queue`` tools, against a real SQLite store file."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import free_port
from worker_data import booking

from parking_desk import __version__
from parking_desk.cli import main
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.staff import StaffService
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import LastError, TaskKind, TaskState

pytestmark = pytest.mark.timeout(60)


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
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PARKING_DESK_CONFIG": str(tmp_path / "absent.toml"),
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "cli.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }


@pytest.fixture
def db(tmp_path: Path):
    store = SqliteStore(tmp_path / "cli.db")
    yield store
    store.close()


def test_version_and_usage_errors(capsys, env):
    assert main(["--version"], env) == 0
    assert __version__ in capsys.readouterr().out
    assert main(["teleport"], env) == 2
    assert main(["queue"], env) == 2  # an action is required
    assert main(["queue", "retry", "abc"], env) == 2  # --as and the PIN are required
    assert main(["queue", "list", "--limit", "0"], env) == 2


def test_invalid_setting_is_named_in_english_or_romanian(capsys, env):
    bad = env | {"PARKING_DESK_SMTP_HOST": "smtp.example", "PARKING_DESK_SMTP_PORT": "abc"}
    assert main(["queue", "stats"], bad) == 2
    err = capsys.readouterr().err
    assert "Invalid setting PARKING_DESK_SMTP_PORT" in err
    assert main(["queue", "stats"], bad | {"PARKING_DESK_LANG": "ro"}) == 2
    assert "Setare invalidă PARKING_DESK_SMTP_PORT" in capsys.readouterr().err


def add_supervisor(store: SqliteStore, name: str = "Ana Popescu", pin: str = "2468") -> None:
    admin = StaffService(store)
    if admin.needs_setup():
        admin.create_first_admin("Site Admin", "9753")
    session = RoleSession(admin.sign_in("Site Admin", "9753"))
    admin.add(session, name, Role.SUPERVISOR, pin)


def test_queue_stats_list_retry_cancel(capsys, env, db):
    add_supervisor(db)
    ana = env | {"PARKING_DESK_PIN": "2468"}
    tasks = [db.create_booking(booking(email=f"c{i}@client.example"))[1] for i in range(4)]
    now = datetime.now(UTC)
    claimed = {t.id: t for t in db.claim_due("w1", 2, timedelta(minutes=5), now=now)}
    dead_id, retrying_id = sorted(claimed)
    error = LastError("smtp-550", "5.1.1 User unknown", True)
    db.fail_permanent(claimed[dead_id], "w1", error, now=now)
    later = now + timedelta(hours=1)
    db.fail_transient(claimed[retrying_id], "w1", LastError("smtp-451", "later", False), later)

    assert main(["queue", "stats"], env) == 0
    out = capsys.readouterr().out
    assert "dead              1" in out and "retrying          1" in out
    assert "pending           3" in out

    assert main(["queue", "list", "--state", "dead"], env) == 0
    out = capsys.readouterr().out
    assert dead_id in out and "User unknown" in out and retrying_id not in out
    assert main(["queue", "list", "--search", "c3@client"], env) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 2  # the header and the one match

    assert main(["queue", "retry", "--all-failed", "--as", "Ana Popescu"], ana) == 0
    assert "2 task(s)" in capsys.readouterr().out
    for task_id in (dead_id, retrying_id):
        again = db.get_task(task_id)
        assert again.status == TaskState.PENDING and again.attempts == 0
        assert again.is_due(datetime.now(UTC) + timedelta(seconds=1))
    [entry] = [e for e in db.audit_log() if e.action == "retry"]
    assert entry.operator == "Ana Popescu (supervisor)"
    assert set(entry.task_ids) == {dead_id, retrying_id}

    other = next(t.id for t in tasks if t.id not in claimed)
    assert main(["queue", "cancel", other, "--as", "Ana Popescu"], ana) == 0
    assert db.get_task(other).status == TaskState.CANCELLED
    assert main(["queue", "cancel", "no-such-task", "--as", "Ana Popescu"], ana) == 1
    assert main(["queue", "retry", "--as", "Ana Popescu"], ana) == 2  # nothing chosen


def test_worker_once_delivers_to_the_outbox(capsys, env, db, tmp_path):
    saved, task = db.create_booking(booking())
    assert main(["worker", "--once"], env) == 0
    assert "1 completed" in capsys.readouterr().out
    assert db.get_task(task.id).status == TaskState.COMPLETED
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    log_text = (tmp_path / "log" / "parking-desk.log").read_text(encoding="utf-8")
    assert f"Background processing started for booking {saved.booking_number}" in log_text


def test_doctor_reports_each_check(capsys, env, tmp_path):
    # Nothing listens on this port, and no signing key exists yet.
    broken = env | {
        "PARKING_DESK_SMTP_HOST": "127.0.0.1",
        "PARKING_DESK_SMTP_PORT": str(free_port()),
        "PARKING_DESK_SMTP_SECURITY": "none",
        "PARKING_DESK_SMTP_TIMEOUT": "2",
    }
    assert main(["doctor"], broken) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("OK   settings") and lines[1].startswith("OK   store")
    assert any(line.startswith("FAIL mail smtp:127.0.0.1") for line in lines)
    assert lines[-1].startswith("OK   signing key: not created yet: the first start")
    assert not (tmp_path / "key.pem").exists()  # doctor creates nothing

    assert main(["export-public-key", str(tmp_path / "gate.pem")], env) == 0
    assert (tmp_path / "gate.pem").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert main(["doctor"], env) == 0
    assert all(line.startswith("OK") for line in capsys.readouterr().out.splitlines()[-4:])
    assert main(["doctor"], env | {"PARKING_DESK_STORE": "mongodb"}) == 1
    assert "FAIL settings" in capsys.readouterr().out


def test_demo_fills_the_embedded_store(capsys, env, db):
    assert main(["demo", "--count", "25"], env) == 0
    assert "25 demo bookings" in capsys.readouterr().out
    tasks = db.list_tasks()
    states = {t.status for t in tasks}
    # One confirmation per booking, and a cancellation e-mail for each one cancelled.
    confirmations = [t for t in tasks if t.kind == TaskKind.CONFIRMATION]
    cancelled = [
        b for b in {t.booking_number for t in tasks} if db.get_booking(b).status == "cancelled"
    ]
    assert len(confirmations) == 25 and TaskState.COMPLETED in states
    assert len(tasks) == 25 + len(cancelled)
    dead = [t for t in tasks if t.status == TaskState.DEAD]
    assert all(t.last_error and t.last_error.message for t in dead)
    names = " ".join(db.get_booking(t.booking_number).client_name for t in tasks)
    assert any(ch in names for ch in "șțăîâȘȚ")
    assert (
        main(
            ["demo"],
            env | {"PARKING_DESK_STORE": "firestore", "PARKING_DESK_FIRESTORE_PROJECT": "prod"},
        )
        == 2
    )


def damage(path: Path, *, table: str | None) -> None:
    """Overwrite one page of the file: the header page, or the first page of *table*."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE type='table'"))
    conn.close()
    data = bytearray(path.read_bytes())
    start = (roots[table] - 1) * page if table else 0
    data[start : start + page] = b"\xff" * page
    path.write_bytes(bytes(data))


READ_COMMANDS = [
    ["queue", "list"],
    ["queue", "list", "--search", "c1@client"],
    ["queue", "stats"],
    ["queue", "retry", "--all-failed", "--as", "Ana Popescu"],
    ["demo", "--count", "2"],
]


@pytest.mark.parametrize("table", [None, "emailQueue"], ids=["header", "queue-page"])
def test_a_damaged_file_is_one_translated_line_and_exit_1(capsys, env, tmp_path, table):
    store = SqliteStore(tmp_path / "cli.db")
    for i in range(30):
        store.create_booking(booking(email=f"c{i}@client.example"))
    add_supervisor(store)
    store.close()
    env = env | {"PARKING_DESK_PIN": "2468"}
    damage(tmp_path / "cli.db", table=table)

    for command in READ_COMMANDS:
        for lang, said in (("en", "is damaged"), ("ro", "este deteriorat")):
            assert main(command, env | {"PARKING_DESK_LANG": lang}) == 1, command
            out, err = capsys.readouterr()
            assert out == "", command
            [line] = err.splitlines()
            assert said in line and str(tmp_path / "cli.db") in line, (command, line)
            assert "Traceback" not in line
