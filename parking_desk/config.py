"""Settings: declared once each with type and default, saved as TOML, environment on top.

A desk keeps its settings in ``settings.toml`` in the user's config folder (or the file named
by ``PARKING_DESK_CONFIG``). A headless worker is usually configured by environment variables
alone, and those win over the file, so a container or a systemd unit never needs the file.
Every value is checked on load: a bad one stops start-up with a ``ConfigError`` naming the
setting (or the environment variable it came from), rather than failing at the first send.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import tomllib
import types
import typing
from collections.abc import Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import tomli_w
from platformdirs import user_config_dir

from parking_desk.config_errors import SettingError
from parking_desk.file_modes import private_dir
from parking_desk.settings_model import (
    APP_NAME,
    SECTIONS,
    DeskSettings,
    ImapSettings,
    KioskSettings,
    MailSettings,
    PrinterSettings,
    QrSettings,
    RetentionSettings,
    SecuritySettings,
    Settings,
    SmtpSettings,
    StoreSettings,
    WebhookSettings,
    WorkerSettings,
    data_dir,
)
from parking_desk.site_time import is_time_zone

__all__ = [
    "DeskSettings",
    "ImapSettings",
    "KioskSettings",
    "MailSettings",
    "PrinterSettings",
    "QrSettings",
    "RetentionSettings",
    "SecuritySettings",
    "Settings",
    "SmtpSettings",
    "StoreSettings",
    "WebhookSettings",
    "WorkerSettings",
    "data_dir",
    "default_settings_path",
    "load_settings",
    "save_settings",
]

log = logging.getLogger(__name__)

STORE_KINDS = ("sqlite", "firestore")
SMTP_SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DESK_LANGUAGES = ("ro", "en", "")
MAIL_TRANSPORTS = ("", "smtp", "outbox")
GMAIL_HOST = "smtp.gmail.com"
GMAIL_DAILY_QUOTA = 500
GMAIL_IMAP_HOST = "imap.gmail.com"
IMAP_SECURITY = ("ssl", "starttls", "none")
IMAP_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
IMAP_HANDLED = ("flag", "move")
PRINTER_KINDS = ("dialog", "system", "network", "usb", "cups")
PRINTER_QR_MODES = ("native", "raster")


def default_settings_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("PARKING_DESK_CONFIG", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "settings.toml"


# Environment variable → (section, key). Checked in this order; each one wins over the file.
ENV_VARS: dict[str, tuple[str, str]] = {
    "PARKING_DESK_STORE": ("store", "kind"),
    "PARKING_DESK_SQLITE_PATH": ("store", "sqlite_path"),
    "PARKING_DESK_FIRESTORE_PROJECT": ("store", "firestore_project"),
    "PARKING_DESK_FIRESTORE_DATABASE": ("store", "firestore_database"),
    "PARKING_DESK_MAIL_FROM": ("mail", "mail_from"),
    "PARKING_DESK_OUTBOX_DIR": ("mail", "outbox_dir"),
    "PARKING_DESK_MAIL_TRANSPORT": ("mail", "transport"),
    "PARKING_DESK_WEBHOOK_URL": ("webhook", "url"),
    "PARKING_DESK_WEBHOOK_SECRET": ("webhook", "secret"),
    "PARKING_DESK_QR_KEY": ("qr", "key_path"),
    "PARKING_DESK_LANGUAGE": ("desk", "language"),
    "PARKING_DESK_TIME_ZONE": ("desk", "time_zone"),
}
for _prefix, _section in (
    ("PARKING_DESK_SMTP_", "smtp"),
    ("PARKING_DESK_SMTP_BACKUP_", "smtp_backup"),
):
    for _key in ("host", "port", "security", "user", "password", "timeout_s", "daily_quota"):
        _suffix = {"timeout_s": "TIMEOUT", "daily_quota": "DAILY_QUOTA"}.get(_key, _key.upper())
        ENV_VARS[_prefix + _suffix] = (_section, _key)
for _key in ("host", "port", "security", "user", "password", "mailbox", "handled", "folder"):
    ENV_VARS[f"PARKING_DESK_IMAP_{_key.upper()}"] = ("imap", _key)

POSITIVE = {
    ("worker", k)
    for k in (
        "drain_interval_s",
        "heartbeat_s",
        "lease_s",
        "batch_size",
        "send_parallelism",
        "max_attempts",
        "retry_base_s",
        "retry_cap_s",
    )
} | {("smtp", "timeout_s"), ("smtp_backup", "timeout_s"), ("security", "relock_minutes")}
POSITIVE |= {("printer", "timeout_s")}
POSITIVE |= {("imap", "poll_s"), ("imap", "timeout_s")}


def _coerce(value: Any, kind: Any, name: str) -> Any:
    """Turn a TOML or environment value into the declared type, or say why not."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise SettingError(name, "not_bool", value=repr(value))
    if kind in (int, float):
        if isinstance(value, bool):
            raise SettingError(name, "not_number", value=repr(value))
        try:
            number = kind(str(value).strip()) if isinstance(value, str) else kind(value)
        except (TypeError, ValueError):
            raise SettingError(name, "not_number", value=repr(value)) from None
        if kind is int and isinstance(value, float) and value != int(value):
            raise SettingError(name, "not_whole", value=repr(value))
        if number < 0:
            raise SettingError(name, "negative")
        return number
    if kind is Path:
        if not isinstance(value, (str, Path)) or not str(value).strip():
            raise SettingError(name, "not_path")
        return Path(str(value).strip()).expanduser()
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise SettingError(name, "not_text")
    return str(value).strip()


def _build(cls: type, values: dict[str, Any], names: dict[str, str], section: str) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in hints:
            log.warning("Unknown setting %s.%s ignored", section, key)
            continue
        name = names.get(key, f"{section}.{key}")
        kwargs[key] = _coerce(value, hints[key], name)
        if (section, key) in POSITIVE and kwargs[key] == 0:
            raise SettingError(name, "zero")
    return cls(**kwargs)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingError(str(path), "unreadable", detail=exc) from None
    except OSError as exc:
        raise SettingError(str(path), "unreadable", detail=exc.strerror or exc) from None


def _check_smtp(
    smtp: SmtpSettings, section: str, names: dict[str, str], explicit: set[str]
) -> None:
    def name(key: str) -> str:
        return names.get(key, f"{section}.{key}")

    if not smtp.host:
        raise SettingError(name("host"), "host_required")
    smtp.security = smtp.security.lower()
    if smtp.security not in SMTP_SECURITY:
        raise SettingError(name("security"), "security", value=repr(smtp.security))
    if "port" not in explicit:
        smtp.port = DEFAULT_PORTS[smtp.security]
    if not 1 <= smtp.port <= 65535:
        raise SettingError(name("port"), "port", value=smtp.port)
    if bool(smtp.user) != bool(smtp.password):
        missing = "password" if smtp.user else "user"
        raise SettingError(name(missing), "user_password")
    if smtp.host.lower() == GMAIL_HOST and "daily_quota" not in explicit:
        smtp.daily_quota = GMAIL_DAILY_QUOTA
    if not smtp.name:
        smtp.name = f"{'smtp-backup' if section == 'smtp_backup' else 'smtp'}:{smtp.host}"


def _imap(values: dict[str, Any], names: dict[str, str]) -> ImapSettings:
    values.setdefault("host", "")
    imap: ImapSettings = _build(ImapSettings, values, names, "imap")

    def name(key: str) -> str:
        return names.get(key, f"imap.{key}")

    if not imap.host:
        raise SettingError(name("host"), "imap_host_required")
    imap.security = imap.security.lower()
    if imap.security not in IMAP_SECURITY:
        raise SettingError(name("security"), "security", value=repr(imap.security))
    if "port" not in values:
        imap.port = IMAP_PORTS[imap.security]
    if not 1 <= imap.port <= 65535:
        raise SettingError(name("port"), "port", value=imap.port)
    if bool(imap.user) != bool(imap.password):
        raise SettingError(name("password" if imap.user else "user"), "user_password")
    imap.handled = imap.handled.lower()
    if imap.handled not in IMAP_HANDLED:
        raise SettingError(name("handled"), "imap_handled", value=repr(imap.handled))
    return imap


def load_settings(path: Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
    """Read the TOML file (absent is fine), lay the environment on top, check everything."""
    path = path or default_settings_path(env)
    raw = _read_file(path)
    values: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        table = raw.get(section, {})
        if not isinstance(table, dict):
            raise SettingError(section, "not_table")
        values[section] = dict(table)
    for section in raw:
        if section not in SECTIONS:
            log.warning("Unknown settings section [%s] ignored", section)

    legacy = values["worker"].pop("purge_after_days", None)  # its name before [retention]
    if legacy is not None:
        values["retention"].setdefault("finished_tasks_days", legacy)

    names: dict[str, dict[str, str]] = {s: {} for s in SECTIONS}
    for var, (section, key) in ENV_VARS.items():
        if env.get(var, "") != "":
            values[section][key] = env[var]
            names[section][key] = var
    if not values["store"].get("firestore_project") and env.get("GOOGLE_CLOUD_PROJECT"):
        values["store"]["firestore_project"] = env["GOOGLE_CLOUD_PROJECT"]
        names["store"]["firestore_project"] = "GOOGLE_CLOUD_PROJECT"

    gmail_user, gmail_password = env.get("GMAIL_USER", ""), env.get("GMAIL_APP_PASSWORD", "")
    if not values["smtp"].get("host") and (gmail_user or gmail_password):
        if not (gmail_user and gmail_password):
            missing = "GMAIL_APP_PASSWORD" if gmail_user else "GMAIL_USER"
            raise SettingError(missing, "gmail_pair")
        values["smtp"].update(host=GMAIL_HOST, port=587, security="starttls")
        values["smtp"].update(user=gmail_user.strip(), password=gmail_password)
        names["smtp"].update(user="GMAIL_USER", password="GMAIL_APP_PASSWORD")
    if not values["imap"].get("host") and gmail_user and gmail_password:
        # The same Gmail account's inbox is where its bounces arrive.
        values["imap"].update(host=GMAIL_IMAP_HOST, port=993, security="ssl")
        values["imap"].update(user=gmail_user.strip(), password=gmail_password)
        names["imap"].update(user="GMAIL_USER", password="GMAIL_APP_PASSWORD")

    built: dict[str, Any] = {}
    for section, cls in SECTIONS.items():
        if cls is ImapSettings:
            built[section] = _imap(values[section], names[section]) if values[section] else None
            continue
        if cls is SmtpSettings:
            if not values[section]:
                built[section] = None
                continue
            if names[section]:
                # Configured by environment: name the variables of missing values too.
                for var, (sec, key) in ENV_VARS.items():
                    if sec == section:
                        names[section].setdefault(key, var)
            values[section].setdefault("host", "")
        built[section] = _build(cls, values[section], names[section], section)
        if cls is SmtpSettings:
            explicit = set(values[section])
            _check_smtp(built[section], section, names[section], explicit)
    settings = Settings(**built)
    _check(settings, names)
    return settings


def _check(settings: Settings, names: dict[str, dict[str, str]]) -> None:
    def name(section: str, key: str) -> str:
        return names[section].get(key, f"{section}.{key}")

    store = settings.store
    store.kind = store.kind.lower()
    if store.kind not in STORE_KINDS:
        n = name("store", "kind")
        raise SettingError(n, "store_kind", value=repr(store.kind))
    if store.kind == "firestore" and not store.firestore_project:
        n = name("store", "firestore_project")
        raise SettingError(n, "project")
    if settings.desk.language not in DESK_LANGUAGES:
        n = name("desk", "language")
        raise SettingError(n, "language")
    settings.desk.time_zone = settings.desk.time_zone.strip()
    if not is_time_zone(settings.desk.time_zone):
        n = name("desk", "time_zone")
        raise SettingError(n, "time_zone", value=repr(settings.desk.time_zone))
    mail = settings.mail
    if not mail.mail_from and settings.smtp and "@" in settings.smtp.user:
        mail.mail_from = settings.smtp.user
    if not mail.mail_from:
        mail.mail_from = "Parking Desk <parking-desk@localhost>"
    mail.transport = mail.transport.lower()
    if mail.transport not in MAIL_TRANSPORTS:
        n = name("mail", "transport")
        raise SettingError(n, "mail_transport", value=repr(mail.transport))
    if mail.transport == "smtp" and settings.smtp is None and settings.smtp_backup is None:
        raise SettingError(name("mail", "transport"), "smtp_missing")
    address = parseaddr(mail.mail_from)[1]
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        n = name("mail", "mail_from")
        raise SettingError(n, "mail_from", value=repr(mail.mail_from))
    if settings.webhook.url and not settings.webhook.url.startswith(("http://", "https://")):
        n = name("webhook", "url")
        raise SettingError(n, "webhook_url")
    check_retention(settings.retention, lambda key: name("retention", key))
    check_printer(settings.printer, settings.desk, lambda key: name("printer", key))
    kiosk = settings.kiosk
    for what in ("oldest_due_minutes", "retrying_count", "dead_count", "failure_rate"):
        amber, red = getattr(kiosk, f"amber_{what}"), getattr(kiosk, f"red_{what}")
        if what == "failure_rate" and max(amber, red) > 1:
            n = name("kiosk", f"{'red' if red > 1 else 'amber'}_{what}")
            raise SettingError(n, "rate", value=max(amber, red))
        if amber and red and amber > red:
            raise SettingError(name("kiosk", f"amber_{what}"), "amber_above_red", red=red)


def check_retention(retention: RetentionSettings, name: Any = "retention.{}".format) -> None:
    """No copy of a client's details may outlive the booking's own: a task's snapshot or an
    outbox message kept after its booking is anonymised would undo the anonymisation."""
    keep = retention.anonymise_after_days
    if not keep:
        return
    for key in ("finished_tasks_days", "dead_tasks_days", "outbox_days"):
        days = getattr(retention, key)
        if not days or days > keep:
            raise SettingError(name(key), "outlives_booking", days=keep)


def check_printer(printer: PrinterSettings, desk: DeskSettings, name: Any) -> None:
    """A printer kind comes with what it needs to be reached, so "Print ticket" never
    finds out at the desk that the address was left empty."""
    printer.kind = printer.kind.lower()
    if printer.kind not in PRINTER_KINDS:
        raise SettingError(name("kind"), "printer_kind", value=repr(printer.kind))
    printer.qr_mode = printer.qr_mode.lower()
    if printer.qr_mode not in PRINTER_QR_MODES:
        raise SettingError(name("qr_mode"), "printer_qr_mode", value=repr(printer.qr_mode))
    if printer.kind == "system" and not desk.printer:
        raise SettingError("desk.printer", "printer_name")
    if printer.kind == "network":
        if not printer.host:
            raise SettingError(name("host"), "printer_host")
        if not 1 <= printer.port <= 65535:
            raise SettingError(name("port"), "port", value=printer.port)
    if printer.kind == "usb":
        for key in ("usb_vendor_id", "usb_product_id"):
            if not 1 <= getattr(printer, key) <= 0xFFFF:
                raise SettingError(name(key), "usb_id", value=getattr(printer, key))
    if printer.kind == "cups" and not printer.cups_queue:
        raise SettingError(name("cups_queue"), "cups_queue")


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    return value


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """The TOML shape: sections as tables, absent SMTP sections left out."""
    out: dict[str, Any] = {}
    for section in SECTIONS:
        obj = getattr(settings, section)
        if obj is None:
            continue
        out[section] = {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    return out


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically with mode 0600: the file may hold an SMTP password."""
    path = path or default_settings_path()
    private_dir(path.parent)
    data = tomli_w.dumps(settings_to_dict(settings)).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)
    return path
