"""The transport contract shared by SMTP, the outbox folder and the failover chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from parking_desk.services.mail.outgoing import OutgoingMail


class DeliveryError(Exception):
    """A send that failed, classified so the worker knows what to do next.

    ``permanent``: dead at once (5xx for the recipient, invalid address).
    ``quota``: the transport's quota is spent (Gmail ``550 5.4.5``, ``454 4.7.0``): not
    permanent; try the next transport, else wait until ``retry_at`` (when the oldest counted
    send leaves the quota's window; None when nothing counted says).
    ``unsupported``: this transport cannot carry this message (an international address and
    no SMTPUTF8); another transport of the chain may. Permanent if none can.
    ``sent``: the server accepted the message (for some recipients) before the failure, so
    it spent a unit of the quota.
    Otherwise transient: 4xx, timeouts, dropped connections, back off and retry.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        permanent: bool = False,
        quota: bool = False,
        provider: str = "",
        unsupported: bool = False,
        sent: bool = False,
        retry_at: datetime | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.permanent = permanent
        self.quota = quota
        self.provider = provider
        self.unsupported = unsupported
        self.sent = sent
        self.retry_at = retry_at


@dataclass(frozen=True)
class SendResult:
    provider: str  # the transport's name, e.g. "smtp:smtp.gmail.com", "smtp-backup:…", "outbox"
    message_id: str | None


class Transport(Protocol):
    name: str

    def send(self, message: OutgoingMail | EmailMessage) -> SendResult:
        """Deliver *message* or raise ``DeliveryError``. Its bytes go out as they are (an
        ``EmailMessage`` is serialised once, by ``outgoing``). May keep a connection open between
        calls; ``close()`` ends it. Not required to be thread-safe: the worker gives each
        sending thread its own transport instances."""

    def check(self) -> None:
        """Connect and log in without sending (``doctor``, "Test connection"); raise
        ``DeliveryError`` on failure."""

    def close(self) -> None: ...
