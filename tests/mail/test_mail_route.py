"""Where mail goes: never silently into a local folder on a shared store, and ``doctor`` says
which transport will carry it (and whether the embedded file is sound)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parking_desk.booking import Booking, EmailStatus
from parking_desk.cli import main
from parking_desk.config import load_settings
from parking_desk.errors import ConfigError
from parking_desk.services.doctor import doctor
from parking_desk.services.runtime import build_worker
from parking_desk.services.store import open_firestore
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import TaskState

pytestmark = pytest.mark.timeout(90)

PROJECT = "parking-desk-test"


@pytest.fixture(autouse=True)
def restore_root_logger():
    """``main`` sets up logging for the worker; leave the root logger as it was."""
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
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "desk.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "logs"),
        "PARKING_DESK_MAIL_FROM": "Parcare <rezervari@parcare.example>",
    }


@pytest.fixture
def firestore_env(env, firestore_db) -> dict[str, str]:
    return env | {
        "PARKING_DESK_STORE": "firestore",
        "PARKING_DESK_FIRESTORE_PROJECT": PROJECT,
        "FIRESTORE_EMULATOR_HOST": firestore_db.host,
    }


def booking() -> Booking:
    arrival = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return Booking(
        client_name="Ana Popescu",
        client_email="ana@client.example",
        phone="+40 722 123 456",
        plate="B 123 ABC",
        arrival=arrival,
        departure=arrival + timedelta(days=3),
    )


def outbox(tmp_path: Path) -> list[str]:
    folder = tmp_path / "outbox"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- the setting ---------------------------------------------------------------------------
def test_the_transport_setting_and_its_environment_variable(tmp_path, env):
    assert load_settings(env=env).mail.transport == ""
    chosen = load_settings(env=env | {"PARKING_DESK_MAIL_TRANSPORT": "Outbox"})
    assert chosen.mail.transport == "outbox"
    with pytest.raises(ConfigError) as bad:
        load_settings(env=env | {"PARKING_DESK_MAIL_TRANSPORT": "pigeon"})
    assert "PARKING_DESK_MAIL_TRANSPORT" in bad.value.translated("en")
    assert "smtp, outbox" in bad.value.translated("en")
    with pytest.raises(ConfigError) as missing:
        load_settings(env=env | {"PARKING_DESK_MAIL_TRANSPORT": "smtp"})
    assert "niciun server SMTP" in missing.value.translated("ro")


# --- the worker refuses a shared store without SMTP ----------------------------------------
@pytest.mark.firestore
def test_headless_worker_on_firestore_without_smtp_refuses_to_start(
    capsys, tmp_path, firestore_env
):
    store = open_firestore(PROJECT)
    saved, task = store.create_booking(booking())
    try:
        for lang, said in (("ro", "Nu este configurat niciun server SMTP"), ("en", "No SMTP")):
            code = main(["worker", "--once"], firestore_env | {"PARKING_DESK_LANG": lang})
            err = capsys.readouterr().err
            assert code == 2
            assert said in err and "mail.transport" in err and "Traceback" not in err
        # Nothing was written to a folder, and the booking does not claim a sent e-mail.
        assert outbox(tmp_path) == []
        assert store.get_task(task.id).status == TaskState.PENDING
        assert store.get_booking(saved.booking_number).email_status == EmailStatus.PENDING
    finally:
        store.close()


@pytest.mark.firestore
def test_the_outbox_chosen_explicitly_is_used_on_firestore(capsys, tmp_path, firestore_env):
    store = open_firestore(PROJECT)
    _saved, task = store.create_booking(booking())
    try:
        chosen = firestore_env | {"PARKING_DESK_MAIL_TRANSPORT": "outbox"}
        assert main(["worker", "--once"], chosen) == 0
        assert outbox(tmp_path) == [f"task-{task.id}@parcare.example.eml"]
        assert store.get_task(task.id).status == TaskState.COMPLETED
    finally:
        store.close()


@pytest.mark.firestore
def test_the_desk_engine_on_firestore_without_smtp_refuses_to_start(firestore_env):
    settings = load_settings(env=firestore_env)
    store = open_firestore(PROJECT)
    try:
        with pytest.raises(ConfigError) as refused:
            build_worker(settings, store, "desk")
    finally:
        store.close()
    assert "Nu este configurat niciun server SMTP" in refused.value.translated("ro")
    assert "PARKING_DESK_MAIL_TRANSPORT=outbox" in refused.value.translated("en")


def test_on_the_embedded_store_the_outbox_stays_the_default(capsys, tmp_path, env):
    store = SqliteStore(tmp_path / "desk.db")
    _saved, task = store.create_booking(booking())
    store.close()

    assert main(["worker", "--once"], env) == 0

    assert outbox(tmp_path) == [f"task-{task.id}@parcare.example.eml"]


# --- doctor --------------------------------------------------------------------------------
def run_doctor(env: dict[str, str]) -> tuple[int, dict[str, str]]:
    lines: list[str] = []
    code = doctor(None, env, out=lines.append)
    return code, {line.split(":", 1)[0]: line for line in lines}


def test_doctor_names_the_transport_that_will_carry_mail(tmp_path, env, smtp_server):
    _code, lines = run_doctor(env)
    assert lines["OK   mail route"].endswith("(no SMTP configured; nothing is sent)")
    assert str(tmp_path / "outbox") in lines["OK   mail route"]

    smtp = {
        "PARKING_DESK_SMTP_HOST": "127.0.0.1",
        "PARKING_DESK_SMTP_PORT": str(smtp_server.port),
        "PARKING_DESK_SMTP_SECURITY": "none",
        "PARKING_DESK_SMTP_DAILY_QUOTA": "500",
    }
    _code, lines = run_doctor(env | smtp)
    route = lines["OK   mail route"]
    assert route == f"OK   mail route: smtp:127.0.0.1 (127.0.0.1:{smtp_server.port}, 500 in 24 h)"


@pytest.mark.firestore
def test_doctor_fails_a_firestore_site_without_smtp(firestore_env):
    code, lines = run_doctor(firestore_env)
    assert code == 1
    assert "No SMTP server is configured" in lines["FAIL mail route"]
    code, lines = run_doctor(firestore_env | {"PARKING_DESK_MAIL_TRANSPORT": "outbox"})
    assert "outbox folder" in lines["OK   mail route"] and "chosen" in lines["OK   mail route"]


def damage_index(path: Path) -> None:
    """Overwrite the first page of an index: the file still opens and answers simple reads,
    but it is not sound."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bookings' "
            "ORDER BY name LIMIT 1"
        ).fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page
    data[start : start + page] = b"\xff" * page
    path.write_bytes(bytes(data))


def test_doctor_runs_the_integrity_check_on_the_embedded_store(tmp_path, env):
    store = SqliteStore(tmp_path / "desk.db")
    for _ in range(20):
        store.create_booking(booking())
    store.close()
    _code, lines = run_doctor(env)
    assert lines["OK   store"].endswith("reachable, integrity check OK")

    damage_index(tmp_path / "desk.db")

    code, lines = run_doctor(env)
    assert code == 1
    assert "integrity check failed" in lines["FAIL store"]
