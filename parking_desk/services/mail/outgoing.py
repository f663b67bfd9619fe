"""A message ready for the wire: its bytes made once, the envelope beside them.

Serialising an ``EmailMessage`` walks its tree and re-folds every header in pure Python, and
smtplib's ``send_message`` does it again on every send. Transports take an ``OutgoingMail``
and hand its bytes to SMTP, to the outbox folder or to the next transport of a chain as they
are; an ``EmailMessage`` is still accepted and serialised once, on the way in.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr


@dataclass(frozen=True)
class OutgoingMail:
    data: bytes  # the whole message, CRLF line ends; 7-bit unless smtputf8
    sender: str  # envelope sender (MAIL FROM)
    recipients: tuple[str, ...]  # envelope recipients (RCPT TO)
    message_id: str | None
    smtputf8: bool = False  # an address is not ASCII: only a server with SMTPUTF8 can take it

    def as_bytes(self) -> bytes:
        return self.data


def outgoing(message: OutgoingMail | EmailMessage) -> OutgoingMail:
    """*message* as bytes and envelope; Bcc is left out of the bytes, as smtplib does."""
    if isinstance(message, OutgoingMail):
        return message
    sender = parseaddr(message.get("From", ""))[1]
    recipients = tuple(addr for _, addr in getaddresses(message.get_all("To", [])) if addr)
    smtputf8 = not all(address.isascii() for address in (sender, *recipients))
    if "Bcc" in message or "Resent-Bcc" in message:
        message = copy.copy(message)
        del message["Bcc"]
        del message["Resent-Bcc"]
    wire = message.policy.clone(linesep="\r\n")
    if smtputf8 and isinstance(wire, EmailPolicy):
        wire = wire.clone(utf8=True)  # as send_message does: the addresses go out as UTF-8
    return OutgoingMail(
        message.as_bytes(policy=wire), sender, recipients, message.get("Message-ID"), smtputf8
    )
