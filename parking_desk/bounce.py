"""Bounces and the suppression list: what a bounce in the sending mailbox says, and when an
address may not be sent to again.

An SMTP 250 is not delivery. A server further on (or Gmail itself, for its own mailboxes)
reports an unknown or full mailbox later, as a message to the sender; the bounce reader
turns each one it recognises into a ``Bounce``. A permanent one moves its task to
``bounced`` (``task_rules.bounce``) and puts the address on the suppression list; a delay
notice is only noted in the task's history. The transitions are in ``task_rules``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parking_desk.messages import message
from parking_desk.task import LastError

SUPPRESSED = "task.suppressed"
BOUNCE_CODE = "bounce"
REASON_LIMIT = 500


class BounceKind(StrEnum):
    PERMANENT = "permanent"  # the address does not work: the task is bounced
    DELAYED = "delayed"  # the server is still trying: noted, nothing changes


@dataclass(frozen=True)
class Bounce:
    """One recipient's failure as a bounce reports it. *message_id* is the original message's
    ``Message-ID`` with its angle brackets (the one the worker set); *status* the RFC 3463
    code (``5.1.1``) when the report gives one; *reason* the remote server's words."""

    kind: BounceKind
    message_id: str
    recipient: str
    status: str = ""
    reason: str = ""

    @property
    def permanent(self) -> bool:
        return self.kind == BounceKind.PERMANENT

    def error(self) -> LastError:
        """The task's ``lastError``: ``bounce-5.1.1`` and what the remote server said."""
        code = f"{BOUNCE_CODE}-{self.status}" if self.status else BOUNCE_CODE
        reason = " ".join(self.reason.split())[:REASON_LIMIT] or str(self.kind)
        return LastError(code, reason, self.permanent)


def same_address(a: str, b: str) -> bool:
    return address_key(a) == address_key(b)


def address_key(address: str) -> str:
    """How the suppression list files an address: case and surrounding space do not make
    another address (a mailbox's local part is case-sensitive in theory, never in practice)."""
    return address.strip().strip("<>").casefold()


def address_id(address: str) -> str:
    """A document id for an address (an address may hold ``/``, which Firestore ids cannot)."""
    return hashlib.sha256(address_key(address).encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True)
class Suppression:
    """An address that bounced permanently: not sent to until a supervisor fixes the
    recipient or clears it."""

    address: str
    at: datetime
    task_id: str = ""
    booking_number: str = ""
    code: str = ""
    reason: str = ""


def suppressed_error(entry: Suppression) -> LastError:
    """Why a task to a suppressed address went dead without a send; the code is translated
    where it is shown (``messages``), the English text is what logs and the CLI print."""
    day = entry.at.strftime("%Y-%m-%d")
    return LastError(SUPPRESSED, message(SUPPRESSED, "en", date=day), True)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def shown_error(code: str, text: str, lang: str) -> str:
    """A task's ``lastError`` as a person reads it in *lang*: the worker writes a suppressed
    address's reason in English (logs, the CLI), with the bounce's day in it; shown, it is
    the catalogue's sentence for that day. Any other error reads as it was written."""
    if code == SUPPRESSED:
        day = _DAY.search(text)
        if day is not None:
            return message(SUPPRESSED, lang, date=day.group(0))
    return text


def suppression_for(report: Bounce, task_id: str, booking_number: str, at: datetime) -> Suppression:
    """The list entry a permanent bounce of *task_id*'s message makes."""
    error = report.error()
    return Suppression(
        report.recipient.strip(), at, task_id, booking_number, error.code, error.message
    )


def task_id_of(message_id: str) -> str:
    """``<task-{id}@domain>`` → ``id``: the form ``mail.render.message_id`` gives; "" for any
    other. A website's task id with characters a Message-ID cannot carry does not come back
    whole, so a store checks the task's ``messageId`` and else looks it up."""
    core = message_id.strip().strip("<>")
    local = core.rpartition("@")[0]
    return local[5:] if local.startswith("task-") else ""
