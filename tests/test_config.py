"""Settings: TOML file, environment on top, every bad value named, secrets kept out of sight."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from parking_desk.config import (
    Settings,
    SmtpSettings,
    default_settings_path,
    load_settings,
    save_settings,
)
from parking_desk.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_or_environment(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "absent.toml", env={})
    assert s.store.kind == "sqlite"
    assert s.store.sqlite_path.name == "parking-desk.db"
    assert s.smtp is None and s.smtp_backup is None
    assert s.mail.outbox_dir.name == "outbox"
    assert s.worker.drain_interval_s == 30 and s.worker.lease_s == 120
    assert s.qr.key_path.name == "qr-signing-key.pem"
    assert s.mail.site_name == "Parking Desk"
    assert "@" in s.mail.mail_from


def test_config_path_from_environment(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.toml"
    assert default_settings_path({"PARKING_DESK_CONFIG": str(target)}) == target
    write(target, '[store]\nkind = "firestore"\nfirestore_project = "lot-1"\n')
    s = load_settings(env={"PARKING_DESK_CONFIG": str(target)})
    assert s.store.kind == "firestore" and s.store.firestore_project == "lot-1"


def test_environment_wins_over_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.toml",
        '[smtp]\nhost = "mail.example.com"\nport = 2525\nsecurity = "none"\n'
        '[worker]\ndrain_interval_s = 5\n[mail]\nmail_from = "desk@example.com"\n',
    )
    env = {
        "PARKING_DESK_SMTP_PORT": "465",
        "PARKING_DESK_SMTP_SECURITY": "ssl",
        "PARKING_DESK_SMTP_USER": "desk",
        "PARKING_DESK_SMTP_PASSWORD": "hunter2",
        "PARKING_DESK_SMTP_BACKUP_HOST": "backup.example.com",
        "PARKING_DESK_MAIL_FROM": "Lot <lot@example.ro>",
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "out"),
        "PARKING_DESK_STORE": "firestore",
        "GOOGLE_CLOUD_PROJECT": "from-gcloud",
        "PARKING_DESK_WEBHOOK_URL": "https://hooks.example.com/dead",
        "PARKING_DESK_WEBHOOK_SECRET": "s3cret",
    }
    s = load_settings(path, env)
    assert s.smtp == SmtpSettings(
        host="mail.example.com",
        port=465,
        security="ssl",
        user="desk",
        password="hunter2",
        name="smtp:mail.example.com",
    )
    assert s.smtp_backup is not None
    assert (s.smtp_backup.host, s.smtp_backup.port, s.smtp_backup.security) == (
        "backup.example.com",
        587,
        "starttls",
    )
    assert s.smtp_backup.name == "smtp-backup:backup.example.com"
    assert s.worker.drain_interval_s == 5
    assert s.mail.mail_from == "Lot <lot@example.ro>"
    assert s.mail.outbox_dir == tmp_path / "out"
    assert s.store.firestore_project == "from-gcloud"
    assert s.webhook.url == "https://hooks.example.com/dead" and s.webhook.secret == "s3cret"


def test_choices_are_case_insensitive(tmp_path: Path) -> None:
    env = {
        "PARKING_DESK_STORE": "SQLite",
        "PARKING_DESK_SMTP_HOST": "h",
        "PARKING_DESK_SMTP_SECURITY": "SSL",
    }
    s = load_settings(tmp_path / "x.toml", env)
    assert s.store.kind == "sqlite"
    assert s.smtp is not None and (s.smtp.security, s.smtp.port) == ("ssl", 465)


def test_own_project_variable_wins_over_google_cloud_project(tmp_path: Path) -> None:
    env = {
        "PARKING_DESK_STORE": "firestore",
        "PARKING_DESK_FIRESTORE_PROJECT": "mine",
        "GOOGLE_CLOUD_PROJECT": "other",
    }
    assert load_settings(tmp_path / "x.toml", env).store.firestore_project == "mine"


def test_gmail_variables_give_gmail_defaults(tmp_path: Path) -> None:
    env = {"GMAIL_USER": "lot@gmail.com", "GMAIL_APP_PASSWORD": "abcd efgh ijkl mnop"}
    s = load_settings(tmp_path / "x.toml", env)
    assert s.smtp is not None
    assert (s.smtp.host, s.smtp.port, s.smtp.security) == ("smtp.gmail.com", 587, "starttls")
    assert s.smtp.daily_quota == 500
    assert s.smtp.user == "lot@gmail.com"
    assert s.mail.mail_from == "lot@gmail.com"


def test_explicit_smtp_host_beats_gmail_variables(tmp_path: Path) -> None:
    env = {
        "GMAIL_USER": "lot@gmail.com",
        "GMAIL_APP_PASSWORD": "x",
        "PARKING_DESK_SMTP_HOST": "relay.example.com",
    }
    s = load_settings(tmp_path / "x.toml", env)
    assert s.smtp is not None and s.smtp.host == "relay.example.com" and s.smtp.user == ""
    assert s.smtp.daily_quota == 0


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PARKING_DESK_SMTP_HOST": "h", "PARKING_DESK_SMTP_PORT": "70000"}, "PORT"),
        ({"PARKING_DESK_SMTP_HOST": "h", "PARKING_DESK_SMTP_PORT": "abc"}, "PORT"),
        ({"PARKING_DESK_SMTP_HOST": "h", "PARKING_DESK_SMTP_SECURITY": "tls13"}, "SECURITY"),
        ({"PARKING_DESK_SMTP_BACKUP_HOST": "h", "PARKING_DESK_SMTP_BACKUP_PORT": "0"}, "PORT"),
        ({"PARKING_DESK_SMTP_USER": "someone"}, "PARKING_DESK_SMTP_HOST"),
        ({"PARKING_DESK_SMTP_HOST": "h", "PARKING_DESK_SMTP_USER": "u"}, "PASSWORD"),
        ({"PARKING_DESK_STORE": "mysql"}, "PARKING_DESK_STORE"),
        ({"PARKING_DESK_STORE": "firestore"}, "store.firestore_project"),
        ({"PARKING_DESK_MAIL_FROM": "not an address"}, "PARKING_DESK_MAIL_FROM"),
        ({"GMAIL_USER": "lot@gmail.com"}, "GMAIL_APP_PASSWORD"),
        ({"PARKING_DESK_WEBHOOK_URL": "ftp://x"}, "PARKING_DESK_WEBHOOK_URL"),
    ],
)
def test_invalid_environment_value_is_named(tmp_path: Path, env: dict, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "x.toml", env)
    assert named in info.value.params["name"]
    assert named in info.value.translated("ro") and "Setare invalidă" in info.value.translated("ro")
    assert "Invalid setting" in info.value.translated("en")


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[worker]\ndrain_interval_s = "soon"\n', "worker.drain_interval_s"),
        ("[worker]\nbatch_size = 0\n", "worker.batch_size"),
        ("[worker]\nlease_s = -5\n", "worker.lease_s"),
        ('[worker]\nrun_in_app = "maybe"\n', "worker.run_in_app"),
        ('[smtp]\nhost = "h"\nport = 99999\n', "smtp.port"),
        ('[store]\nkind = "postgres"\n', "store.kind"),
        ('[desk]\nlanguage = "fr"\n', "desk.language"),
        ("[smtp]\nport = 25\n", "smtp.host"),
        ("store = 3\n", "store"),
        ("[kiosk]\namber_dead_count = 20\nred_dead_count = 10\n", "kiosk.amber_dead_count"),
        ("[kiosk]\nred_failure_rate = 30\n", "kiosk.red_failure_rate"),
    ],
)
def test_invalid_file_value_is_named(tmp_path: Path, toml: str, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path / "s.toml", toml), env={})
    assert info.value.params["name"] == named


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", "[worker\nbatch_size = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert str(path) in info.value.params["name"]


def test_secrets_masked_in_repr_and_str(tmp_path: Path) -> None:
    env = {
        "PARKING_DESK_SMTP_HOST": "h",
        "PARKING_DESK_SMTP_USER": "u",
        "PARKING_DESK_SMTP_PASSWORD": "pa55-word-xyz",
        "PARKING_DESK_SMTP_BACKUP_HOST": "b",
        "PARKING_DESK_SMTP_BACKUP_USER": "u2",
        "PARKING_DESK_SMTP_BACKUP_PASSWORD": "backup-pass-xyz",
        "PARKING_DESK_WEBHOOK_SECRET": "hook-secret-xyz",
    }
    s = load_settings(tmp_path / "x.toml", env)
    s.security.supervisor_pin_hash = "scrypt$pin-hash-xyz"
    for text in (repr(s), str(s), str(s.smtp), repr(s.webhook)):
        for secret in ("pa55-word-xyz", "backup-pass-xyz", "hook-secret-xyz", "pin-hash-xyz"):
            assert secret not in text
    assert "password=***" in repr(s.smtp)


def test_save_then_load_round_trips_with_private_mode(tmp_path: Path) -> None:
    s = Settings()
    s.smtp = SmtpSettings(host="mail.example.com", user="u", password="pw", daily_quota=100)
    s.worker.batch_size = 7
    s.desk.language = "en"
    s.desk.operator = "Ioana Popescu"
    s.mail.mail_from = "rezervari@example.ro"
    path = save_settings(s, tmp_path / "cfg" / "settings.toml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    back = load_settings(path, env={})
    assert back.smtp is not None
    assert (back.smtp.host, back.smtp.password, back.smtp.daily_quota) == (
        "mail.example.com",
        "pw",
        100,
    )
    assert back.worker.batch_size == 7
    assert back.desk.operator == "Ioana Popescu" and back.desk.language == "en"
    assert back.smtp_backup is None
    assert back.store.sqlite_path == s.store.sqlite_path
    assert not list(path.parent.glob(".settings-*")), "temporary file left behind"


def test_reason_is_translated_too(tmp_path: Path) -> None:
    env = {"PARKING_DESK_SMTP_HOST": "h", "PARKING_DESK_SMTP_PORT": "douăzeci"}
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "x.toml", env)
    assert info.value.translated("ro") == (
        "Setare invalidă PARKING_DESK_SMTP_PORT: nu este un număr: 'douăzeci'"
    )
    assert info.value.translated("en") == (
        "Invalid setting PARKING_DESK_SMTP_PORT: not a number: 'douăzeci'"
    )
    assert str(info.value) == "PARKING_DESK_SMTP_PORT: not a number: 'douăzeci'"
