"""What can be set, each setting declared once with its type and default.

Kept apart from loading (``config.py``) so the desk's settings dialog and the worker can
import the shapes without the TOML and environment rules. Reprs mask passwords, the
webhook secret and the PIN hash: settings get logged and shown in ``doctor`` output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from parking_desk.site_time import DEFAULT_TIME_ZONE

APP_NAME = "parking-desk"
MASK = "***"


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def _masked(obj: Any, secrets: tuple[str, ...]) -> str:
    """A repr with secrets replaced, so a settings object can be logged or shown safely."""
    parts = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        shown = MASK if f.name in secrets and value else repr(value)
        parts.append(f"{f.name}={shown}")
    return f"{type(obj).__name__}({', '.join(parts)})"


@dataclass
class StoreSettings:
    kind: str = "sqlite"
    sqlite_path: Path = field(default_factory=lambda: data_dir() / "parking-desk.db")
    firestore_project: str = ""
    firestore_database: str = "(default)"


@dataclass
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = ""
    timeout_s: float = 20.0
    daily_quota: int = 0  # 0: unlimited
    # The transport's name in logs, in the task's ``provider`` and in the shared quota counter.
    name: str = ""

    def __repr__(self) -> str:
        return _masked(self, ("password",))

    __str__ = __repr__


@dataclass
class ImapSettings:
    """The sending mailbox, read for bounces. Absent: the bounce reader is off."""

    host: str
    port: int = 993
    security: str = "ssl"  # "ssl" | "starttls" | "none"
    user: str = ""
    password: str = ""
    mailbox: str = "INBOX"
    # What happens to a bounce once handled: "flag" sets the keyword below on it, "move"
    # moves it to ``folder``. Either way no reader handles it twice.
    handled: str = "flag"
    flag: str = "$ParkingDeskBounce"
    folder: str = "Parking Desk bounces"
    poll_s: float = 300.0
    timeout_s: float = 20.0

    def __repr__(self) -> str:
        return _masked(self, ("password",))

    __str__ = __repr__


@dataclass
class MailSettings:
    mail_from: str = ""
    outbox_dir: Path = field(default_factory=lambda: data_dir() / "outbox")
    # "": SMTP when configured, else the outbox folder, which only the embedded SQLite store
    # may fall back to. "smtp": SMTP or refuse to start. "outbox": the folder, even on a
    # shared store (a demo or a test site) and even with SMTP configured.
    transport: str = ""
    site_name: str = "Parking Desk"


@dataclass
class WorkerSettings:
    drain_interval_s: float = 30.0
    heartbeat_s: float = 10.0
    lease_s: float = 120.0
    # The first claim of a drain; claims that come back full grow to four times this (a
    # claim costs a few round trips whatever its size), so a long backlog on a store far
    # away is claimed in big batches while workers starting together share a short one.
    batch_size: int = 50
    # Sending threads mostly wait: on SMTP replies, and on the commit that records their
    # last send (shared with the other threads' outcomes) before they start the next.
    send_parallelism: int = 16
    max_attempts: int = 10
    retry_base_s: float = 30.0
    retry_cap_s: float = 3600.0
    run_in_app: bool = True
    shutdown_grace_s: float = 10.0


@dataclass
class WebhookSettings:
    url: str = ""
    secret: str = ""

    def __repr__(self) -> str:
        return _masked(self, ("secret",))

    __str__ = __repr__


@dataclass
class QrSettings:
    key_path: Path = field(default_factory=lambda: data_dir() / "qr-signing-key.pem")
    validity_hours_after_departure: float = 12.0


@dataclass
class DeskSettings:
    language: str = ""  # "" follows the system locale
    operator: str = ""
    site_name: str = ""
    printer: str = ""
    # Cars the lot holds; a walk-in past it needs a supervisor. 0: no limit is checked.
    capacity: int = 0
    # The site's time zone (IANA name): every time the desk shows, prints and e-mails, and
    # its "today", whatever zone this machine is set to.
    time_zone: str = DEFAULT_TIME_ZONE
    # In Automatic scan mode, a scan this soon after the car's check-in asks before checking
    # it out (a ticket scanned twice by mistake); 0 never asks.
    confirm_check_out_within_minutes: float = 10.0
    # A check-in this long or longer before the booked arrival asks first; 0 never asks.
    confirm_early_check_in_hours: float = 24.0
    # What a barcode scanner sends after a ticket: "enter" or "tab" (set on the scanner).
    scanner_suffix: str = "enter"
    # How long after a check-in or check-out it may be undone at the desk: the shift.
    undo_window_hours: float = 12.0


@dataclass
class PrinterSettings:
    """Where "Print ticket" sends a ticket, with one key and, except for "dialog", no dialog.

    "dialog": Qt's print dialog, ``desk.printer`` chosen in it; "system": straight to the
    system (Qt) printer named in ``desk.printer``; "network", "usb", "cups": an ESC/POS
    receipt printer on port ``port`` of ``host``, on USB by its ids, or behind a CUPS queue
    that passes jobs through raw."""

    kind: str = "dialog"
    host: str = ""
    port: int = 9100
    usb_vendor_id: int = 0  # as the printer's label or ``lsusb`` says it: 0x04b8 (Epson)
    usb_product_id: int = 0
    cups_queue: str = ""
    # "native": the printer draws the QR from the payload (GS ( k), sharpest where it
    # works; "raster": the desk draws it and sends dots, for printers without the command.
    qr_mode: str = "native"
    timeout_s: float = 10.0


@dataclass
class KioskSettings:
    amber_oldest_due_minutes: float = 10.0
    red_oldest_due_minutes: float = 30.0
    # Tasks waiting for another attempt after a failed one: an SMTP outage shows here first.
    amber_retrying_count: int = 1
    red_retrying_count: int = 20
    amber_dead_count: int = 1
    red_dead_count: int = 10
    amber_failure_rate: float = 0.1
    red_failure_rate: float = 0.3


@dataclass
class SecuritySettings:
    supervisor_pin_hash: str = ""
    relock_minutes: float = 5.0

    def __repr__(self) -> str:
        return _masked(self, ("supervisor_pin_hash",))

    __str__ = __repr__


@dataclass
class RetentionSettings:
    """How long the site keeps personal data, in days; 0 keeps it for ever. The store's
    copy, once an admin has set it (``services/retention.py``), wins on every machine, so
    a desk and a worker never apply different periods; these are the figures until then."""

    # A booking loses its client's name, e-mail, phone, plate and notes this long after
    # its departure; its number, dates and status stay for the counts.
    anonymise_after_days: int = 365
    # Sent and cancelled tasks (their snapshot holds the client's details) are deleted.
    finished_tasks_days: int = 30
    # Dead tasks wait longer for a supervisor's look before they are deleted.
    dead_tasks_days: int = 90
    # ``.eml`` files in the outbox folder (whole messages: name, plate, address).
    outbox_days: int = 30


@dataclass
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    smtp: SmtpSettings | None = None
    smtp_backup: SmtpSettings | None = None
    imap: ImapSettings | None = None
    mail: MailSettings = field(default_factory=MailSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    qr: QrSettings = field(default_factory=QrSettings)
    desk: DeskSettings = field(default_factory=DeskSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)


SECTIONS: dict[str, type] = {
    "store": StoreSettings,
    "smtp": SmtpSettings,
    "smtp_backup": SmtpSettings,
    "imap": ImapSettings,
    "mail": MailSettings,
    "worker": WorkerSettings,
    "webhook": WebhookSettings,
    "qr": QrSettings,
    "desk": DeskSettings,
    "printer": PrinterSettings,
    "kiosk": KioskSettings,
    "security": SecuritySettings,
    "retention": RetentionSettings,
}
