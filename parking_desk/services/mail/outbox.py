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
from email.message import EmailMessage
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
