"""Logging: a rotating file in the user's log folder plus the console, secrets redacted,
recipients masked.

The redaction and the masking are filters on the handlers, not on a logger, so they see
every record that reaches a file or the console whichever library logged it (smtplib's debug
output, gRPC, a traceback that quotes a connection string). Secrets (the SMTP passwords, the
webhook secret) never reach a log. E-mail addresses are clients' personal data: at INFO and
above they are masked (``a***@example.ro``: enough to tell two clients apart in a support
call, not enough to write to them); DEBUG records keep them only when asked for
(``PARKING_DESK_LOG_RECIPIENTS=1`` or ``show_recipients_in_debug=True``), for chasing a
delivery problem on one machine. The log file is created 0600 in a 0700 folder.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from platformdirs import user_log_dir

from parking_desk.config import Settings
from parking_desk.file_modes import open_private, private_dir, private_file

APP_NAME = "parking-desk"
LOG_FILE = "parking-desk.log"
FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"
REDACTED = "[redacted]"
# Shorter strings would redact ordinary words ("1234" in a booking number).
MIN_SECRET_LENGTH = 4
RECIPIENTS_ENV = "PARKING_DESK_LOG_RECIPIENTS"
_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@((?:[\w-]+\.)+[\w-]+)")


def mask_addresses(text: str) -> str:
    """``ana.popescu@example.ro`` → ``a***@example.ro``."""
    return _EMAIL.sub(r"\1***@\2", text)


def default_log_dir() -> Path:
    return Path(user_log_dir(APP_NAME, appauthor=False))


def secrets_of(settings: Settings) -> list[str]:
    found = [settings.webhook.secret]
    for smtp in (settings.smtp, settings.smtp_backup):
        if smtp is not None:
            found.append(smtp.password)
    return [s for s in found if s]


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH and secret not in self._secrets:
                self._secrets.append(secret)
                # Gmail shows app passwords in groups of four; people paste them either way.
                compact = secret.replace(" ", "")
                if compact != secret and len(compact) >= MIN_SECRET_LENGTH:
                    self._secrets.append(compact)
        self._secrets.sort(key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is logging's problem, not a reason to leak
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class MaskRecipients(logging.Filter):
    """Masks e-mail addresses in records at INFO and above (and in DEBUG records too unless
    *show_in_debug*)."""

    def __init__(self, *, show_in_debug: bool = False) -> None:
        super().__init__()
        self.show_in_debug = show_in_debug

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and self.show_in_debug:
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        masked = mask_addresses(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_addresses(record.exc_text)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Each log file it creates (the first and those after a rotation) is 0600."""

    def _open(self) -> io.TextIOWrapper:
        stream = open(  # noqa: SIM115 - the handler owns the stream
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=open_private,
        )
        assert isinstance(stream, io.TextIOWrapper)
        return stream


def setup_logging(
    *,
    log_dir: Path | None = None,
    secrets: Iterable[str] = (),
    level: int = logging.INFO,
    console: bool = True,
    max_bytes: int = 2_000_000,
    backups: int = 5,
    show_recipients_in_debug: bool | None = None,
) -> Path:
    """Configure the root logger once per process; returns the log file's path."""
    directory = Path(log_dir) if log_dir else default_log_dir()
    private_dir(directory)
    path = private_file(directory / LOG_FILE)
    if show_recipients_in_debug is None:
        show_recipients_in_debug = os.environ.get(RECIPIENTS_ENV, "") == "1"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_parking_desk", False):
            root.removeHandler(handler)
            handler.close()
    redact = RedactSecrets(secrets)
    mask = MaskRecipients(show_in_debug=show_recipients_in_debug)
    formatter = logging.Formatter(FORMAT)
    handlers: list[logging.Handler] = [
        PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler._parking_desk = True  # type: ignore[attr-defined]
        handler.addFilter(redact)
        handler.addFilter(mask)
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    # The Firestore client and APScheduler are chatty at INFO; their warnings still show.
    for noisy in ("google", "grpc", "urllib3", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def redact_also(secrets: Iterable[str]) -> None:
    """Add secrets entered after start-up (a new SMTP password saved in the settings)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_parking_desk", False):
            for flt in handler.filters:
                if isinstance(flt, RedactSecrets):
                    flt.add(secrets)
