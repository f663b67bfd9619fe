"""What a message in the sending mailbox is: a bounce (one ``Bounce`` per failed or delayed
recipient), an auto-reply, or something else.

Standard reports first: a ``multipart/report; report-type=delivery-status`` (RFC 3464), as
Gmail, Postfix, Exim and Exchange send them, read field by field: ``Action`` failed or
delayed, ``Status``, ``Diagnostic-Code``, ``Final-Recipient``. Anything else goes to
``flufl.bounce``, which knows the common non-standard shapes (qmail, old Exim, Yahoo, …) and
tells permanent from temporary failures. The original ``Message-ID`` (the one the worker
set, which names the task) comes from the returned message or its headers, else from the
report's ``In-Reply-To``/``References``, else from the first ``Message-ID:`` line in the text.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import Message
from enum import StrEnum

from flufl.bounce import all_failures

from parking_desk.bounce import Bounce, BounceKind

_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
_ANGLE = re.compile(r"<[^>\s]+@[^>\s]+>")
_SMTP_REPLY = re.compile(r"\b([45]\d\d)[ -]+([45]\.\d{1,3}\.\d{1,3})\b[^\r\n]*")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
AUTO_SUBJECTS = re.compile(
    r"^(auto(matic)?[ -]?(reply|response)|out of (the )?office|absent|răspuns automat|"
    r"raspuns automat|concediu|vacation)",
    re.IGNORECASE,
)


class Kind(StrEnum):
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    OTHER = "other"


@dataclass(frozen=True)
class Reading:
    kind: Kind
    bounces: list[Bounce] = field(default_factory=list)


def read_message(raw: bytes) -> Reading:
    """Never raises on a message's content; a message nothing can be read from is OTHER."""
    msg = email.message_from_bytes(raw)
    report = _dsn_part(msg)
    if report is not None:
        bounces = _dsn_bounces(msg, report)
        if bounces:
            return Reading(Kind.BOUNCE, bounces)
    bounces = _other_bounces(msg, raw)
    if bounces:
        return Reading(Kind.BOUNCE, bounces)
    if _auto_reply(msg):
        return Reading(Kind.AUTO_REPLY)
    return Reading(Kind.OTHER)


def _dsn_part(msg: Message) -> Message | None:
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            return part
    return None


def _blocks(report: Message) -> list[Message]:
    """The report's field groups: the per-message one, then one per recipient."""
    payload = report.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    # Some servers send the fields as text: parse each blank-line-separated group.
    text = payload if isinstance(payload, str) else ""
    return [email.message_from_string(g) for g in re.split(r"\r?\n\s*\r?\n", text) if g.strip()]


def _value(block: Message, name: str) -> str:
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _typed(value: str) -> str:
    """``rfc822; ana@example.com`` → ``ana@example.com``; ``smtp; 550 …`` → ``550 …``."""
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep else kind.strip()


def _dsn_bounces(msg: Message, report: Message) -> list[Bounce]:
    message_id = original_message_id(msg)
    out = []
    for block in _blocks(report):
        action = _value(block, "Action").lower()
        if action not in ("failed", "delayed"):
            continue
        recipient = _typed(_value(block, "Final-Recipient") or _value(block, "Original-Recipient"))
        status = _value(block, "Status")
        found = _STATUS.search(status)
        status = found.group(1) if found else ""
        permanent = action == "failed" and not status.startswith("4")
        reason = _typed(_value(block, "Diagnostic-Code")) or _human_reason(msg)
        if not recipient:
            continue
        out.append(
            Bounce(
                BounceKind.PERMANENT if permanent else BounceKind.DELAYED,
                message_id,
                recipient.strip("<>"),
                status,
                reason,
            )
        )
    return out


def _other_bounces(msg: Message, raw: bytes) -> list[Bounce]:
    try:
        temporary, permanent = all_failures(msg)
    except Exception:  # a detector tripped on an odd message: not a bounce we can read
        return []
    if not temporary and not permanent:
        return []
    message_id = original_message_id(msg) or _id_in_text(raw)
    reason = _human_reason(msg)
    found = _SMTP_REPLY.search(reason) or _SMTP_REPLY.search(_text(msg))
    status = found.group(2) if found else ""
    out = []
    for kind, addresses in ((BounceKind.PERMANENT, permanent), (BounceKind.DELAYED, temporary)):
        for address in sorted(addresses):
            recipient = (
                address.decode("utf-8", "replace") if isinstance(address, bytes) else address
            )
            out.append(Bounce(kind, message_id, str(recipient), status, reason))
    return out


def original_message_id(msg: Message) -> str:
    """The returned message's ``Message-ID``: from its copy or its headers in the report, else
    the report's own ``In-Reply-To`` or ``References``."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
        elif ctype == "text/rfc822-headers":
            found = _MESSAGE_ID.search(_decoded(part))
            if found:
                return found.group(1)
    for header in ("In-Reply-To", "References"):
        found = _ANGLE.search(str(msg.get(header) or ""))
        if found:
            return found.group(0)
    return ""


def _id_in_text(raw: bytes) -> str:
    found = _MESSAGE_ID.search(raw.decode("utf-8", "replace"))
    return found.group(1) if found else ""


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return str(part.get_payload() or "")


def _text(msg: Message) -> str:
    return "\n".join(_decoded(p) for p in msg.walk() if p.get_content_type() == "text/plain")


def _human_reason(msg: Message) -> str:
    """The first line of the human-readable part that looks like a server's reply."""
    text = _text(msg)
    found = _SMTP_REPLY.search(text)
    if found:
        return found.group(0).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


def _auto_reply(msg: Message) -> bool:
    submitted = str(msg.get("Auto-Submitted") or "").lower()
    if submitted.startswith("auto-replied"):
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return True
    if str(msg.get("Precedence") or "").lower() == "auto_reply":
        return True
    return bool(AUTO_SUBJECTS.match(str(msg.get("Subject") or "").strip()))
