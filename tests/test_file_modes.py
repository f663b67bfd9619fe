"""What Parking Desk writes holds personal data or secrets: created 0600 in 0700 folders,
and a settings file others can read while it holds a secret is named at start."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from parking_desk.booking import Booking
from parking_desk.cli import main
from parking_desk.config import Settings, save_settings
from parking_desk.file_modes import exposed_secrets, private_dir
from parking_desk.services.logs import setup_logging
from parking_desk.services.mail.outbox import OutboxTransport
from parking_desk.services.qr import QrSigner
from parking_desk.services.runtime import open_store
from parking_desk.settings_model import SmtpSettings
from parking_desk.ui.settings_file import patch_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The most permissive umask a desktop session may have: modes must not depend on it."""
    old = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_a_fresh_data_folder_is_private(tmp_path, loose_umask, restore_root_logger):
    data, config = tmp_path / "share" / "parking-desk", tmp_path / "config" / "parking-desk"
    settings = Settings()
    settings.store.sqlite_path = data / "parking-desk.db"
    settings.mail.outbox_dir = data / "outbox"
    settings.qr.key_path = data / "keys" / "qr-signing-key.pem"

    store = open_store(settings)
    arrival = datetime.now(UTC) + timedelta(days=1)
    store.create_booking(
        Booking(
            client_name="Ana Popescu",
            client_email="ana@example.ro",
            phone="0722 123 456",
            plate="B 123 ABC",
            arrival=arrival,
            departure=arrival + timedelta(days=3),
        )
    )
    message = EmailMessage()
    message["From"], message["To"] = "desk@lot.example", "ana@example.ro"
    message["Message-ID"], message["Subject"] = "<task-1@lot.example>", "Rezervare"
    message.set_content("Bună ziua")
    OutboxTransport(settings.mail.outbox_dir).send(message)
    QrSigner.load_or_create(settings.qr.key_path)
    log_path = setup_logging(log_dir=data / "log", console=False, max_bytes=200, backups=2)
    for i in range(5):  # past max_bytes: the rotated files are private too
        logging.getLogger("parking_desk.test").warning("line %d %s", i, "x" * 80)
    settings.smtp = SmtpSettings(host="smtp.gmail.com", user="desk@lot.example", password="pw")
    saved = save_settings(settings, config / "settings.toml")
    patched = tmp_path / "config2" / "settings.toml"
    patch_file(patched, {"desk": {"site_name": "Parcare Otopeni"}})

    files = [
        settings.store.sqlite_path,
        Path(f"{settings.store.sqlite_path}-wal"),
        Path(f"{settings.store.sqlite_path}-shm"),
        *settings.mail.outbox_dir.glob("*.eml"),
        settings.qr.key_path,
        log_path,
        *log_path.parent.glob("parking-desk.log.*"),
        saved,
        patched,
    ]
    assert len(list(settings.mail.outbox_dir.glob("*.eml"))) == 1
    assert len(list(log_path.parent.glob("parking-desk.log.*"))) == 2
    for path in files:
        assert path.exists() and mode(path) == 0o600, f"{path}: {oct(mode(path))}"
    folders = {path.parent for path in files} | {data, tmp_path / "share", config}
    for folder in folders:
        assert mode(folder) == 0o700, f"{folder}: {oct(mode(folder))}"
    store.close()


def test_an_existing_folder_is_left_as_it_is(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    private_dir(shared / "mine")
    assert mode(shared) == 0o755 and mode(shared / "mine") == 0o700


SETTINGS_WITH_SECRET = """
[smtp]
host = "smtp.gmail.com"
user = "desk@lot.example"
password = "abcd efgh ijkl mnop"

[webhook]
url = "https://hooks.example/alerts"
secret = "whsec-7f3a"
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "cli.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }


def test_a_readable_settings_file_with_a_secret_is_named_at_start(
    tmp_path, env, capsys, restore_root_logger
):
    path = tmp_path / "settings.toml"
    path.write_text(SETTINGS_WITH_SECRET, encoding="utf-8")
    os.chmod(path, 0o644)
    assert exposed_secrets(path) == ["smtp.password", "webhook.secret"]

    assert main(["--config", str(path), "queue", "stats"], env) == 0
    [line] = [x for x in capsys.readouterr().err.splitlines() if str(path) in x]
    assert line.startswith("Warning:") and f"chmod 600 {path}" in line
    assert "smtp.password" in line and "abcd efgh" not in line

    ro = env | {"PARKING_DESK_LANG": "ro"}
    assert main(["--config", str(path), "queue", "stats"], ro) == 0
    [line] = [x for x in capsys.readouterr().err.splitlines() if str(path) in x]
    assert line.startswith("Atenție:") and f"„chmod 600 {path}”" in line

    os.chmod(path, 0o600)  # the fix the line names
    assert main(["--config", str(path), "queue", "stats"], env) == 0
    assert str(path) not in capsys.readouterr().err


def test_a_readable_settings_file_without_secrets_is_no_concern(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[desk]\nsite_name = "Parcare Otopeni"\n', encoding="utf-8")
    os.chmod(path, 0o644)
    assert exposed_secrets(path) == []
    assert exposed_secrets(tmp_path / "absent.toml") == []
