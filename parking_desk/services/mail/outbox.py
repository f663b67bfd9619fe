"""The outbox folder: each message saved as an ``.eml`` file instead of being sent.

The embedded default when no SMTP server is configured, so a fresh install can take
bookings and show what would have gone out. Files are named after the Message-ID and
written atomically: a reader (or a mail client importing the folder) never sees half a
message, and sending the same task twice leaves one file, not two.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from parking_desk.file_modes import private_dir
from parking_desk.services.mail.base import DeliveryError, SendResult
from parking_desk.services.mail.outgoing import OutgoingMail, outgoing

log = logging.getLogger(__name__)


def eml_name(message_id: str | None) -> str:
    """A file name from a Message-ID: ``<task-42@lot.ro>`` → ``task-42@lot.ro.eml``."""
    core = (message_id or "").strip().strip("<>")
    safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", core).strip("._")[:150]
    return f"{safe or uuid.uuid4().hex}.eml"


class OutboxTransport:
    def __init__(self, directory: Path, name: str = "outbox") -> None:
        self.directory = Path(directory)
        self.name = name

    def __repr__(self) -> str:
        return f"OutboxTransport({str(self.directory)!r})"

    def send(self, message: OutgoingMail | EmailMessage) -> SendResult:
        mail = outgoing(message)
        target = self.directory / eml_name(mail.message_id)
        try:
            private_dir(self.directory)
            fd, tmp = tempfile.mkstemp(prefix=".partial-", suffix=".eml", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(mail.data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DeliveryError(
                "outbox-io", f"{target}: {exc.strerror or exc}", provider=self.name
            ) from None
        log.info("Email saved to outbox %s for %s", target.name, ", ".join(mail.recipients))
        return SendResult(self.name, mail.message_id)

    def check(self) -> None:
        try:
            private_dir(self.directory)
            with tempfile.TemporaryFile(dir=self.directory):
                pass
        except OSError as exc:
            raise DeliveryError(
                "outbox-io", f"{self.directory}: {exc.strerror or exc}", provider=self.name
            ) from None

    def close(self) -> None:
        """Nothing held open between sends."""


def purge_outbox(directory: Path, older_than: timedelta, now: datetime) -> int:
    """Delete messages (and half-written ones) saved longer ago than *older_than*: each
    ``.eml`` file is a whole message, the client's name, plate and address with it."""
    cutoff = (now - older_than).timestamp()
    removed = 0
    for path in _messages(directory):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def erase_from_outbox(directory: Path, traces: Iterable[str], task_ids: Iterable[str]) -> int:
    """Delete the messages of one client: those of their tasks (the file is named after
    the task's Message-ID) and any whose headers or text name them."""
    safe = [re.sub(r"[^A-Za-z0-9._-]", "-", i) for i in task_ids]  # as render.message_id
    prefixes = tuple(eml_name(f"<task-{i}@")[: -len(".eml")] for i in safe)
    words = [t.casefold().encode("utf-8") for t in traces if t]
    removed = 0
    for path in _messages(directory):
        try:
            if not (prefixes and path.name.startswith(prefixes)):
                text = _readable(path.read_bytes())
                if not any(w in text for w in words):
                    continue
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def _messages(directory: Path) -> list[Path]:
    try:
        return [p for p in Path(directory).iterdir() if p.suffix == ".eml" and p.is_file()]
    except FileNotFoundError:
        return []


def _readable(data: bytes) -> bytes:
    """The message as text a search can match: headers decoded, every part's payload
    decoded from base64 or quoted-printable, all case-folded."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    texts = [str(value) for value in message.values()]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts).casefold().encode("utf-8")
