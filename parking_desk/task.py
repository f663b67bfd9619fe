"""The notification task in ``emailQueue/{taskId}`` and its states.

The website's ``addToQueue(type, bookingNumber, clientEmail, bookingData)`` writes only
``{type, bookingNumber, clientEmail, bookingData, createdAt}``; everything else has a default
that makes such a document a due ``pending`` task.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from parking_desk.booking import read_booking_number
from parking_desk.errors import MalformedTask
from parking_desk.timeutil import as_utc

DEFAULT_MAX_ATTEMPTS = 10
HISTORY_LIMIT = 20


class TaskState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    DEAD = "dead"
    CANCELLED = "cancelled"
    # Sent, then reported undeliverable by a bounce in the sending mailbox.
    BOUNCED = "bounced"


FINISHED_STATES = frozenset(
    {TaskState.COMPLETED, TaskState.DEAD, TaskState.CANCELLED, TaskState.BOUNCED}
)


class TaskType(StrEnum):
    QR = "qr"
    EMAIL = "email"
    BOTH = "both"


class TaskKind(StrEnum):
    """What the message tells the client. ``type`` keeps the website's meaning (what to
    produce: QR, e-mail or both); the kind says which e-mail. The website writes only
    confirmations, so a document without ``kind`` is one."""

    CONFIRMATION = "confirmation"
    AMENDMENT = "amendment"
    CANCELLATION = "cancellation"


@dataclass(frozen=True)
class LastError:
    code: str
    message: str
    permanent: bool

    def to_document(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "permanent": self.permanent}

    @classmethod
    def from_document(cls, doc: Any) -> LastError | None:
        if not isinstance(doc, dict):
            return None
        return cls(
            str(doc.get("code", "")), str(doc.get("message", "")), bool(doc.get("permanent"))
        )


@dataclass(frozen=True)
class DeliveryOutcome:
    """What a send produced, as ``complete`` records it on the task and its booking."""

    provider: str
    message_id: str | None
    email_sent: bool  # False for a "qr" task: only qrCodeGenerated is set
    qr_generated: bool = True


@dataclass
class NotificationTask:
    id: str
    type: TaskType
    booking_number: str
    client_email: str
    booking_data: dict[str, Any] = field(default_factory=dict)
    status: TaskState = TaskState.PENDING
    attempts: int = 0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    next_attempt_at: datetime | None = None  # None: due now
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    last_error: LastError | None = None
    # Bounded list of {at, worker, outcome, code, message, provider}.
    history: list[dict[str, Any]] = field(default_factory=list)
    provider: str | None = None
    message_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    kind: TaskKind = TaskKind.CONFIRMATION
    # SQLite's optimistic-concurrency counter; Firestore uses the document's update time.
    version: int = 0

    @property
    def language(self) -> str:
        lang = self.booking_data.get("language") if isinstance(self.booking_data, dict) else None
        return lang if lang in ("ro", "en") else "ro"

    @property
    def retrying(self) -> bool:
        return self.status == TaskState.PENDING and self.attempts > 0

    def is_due(self, now: datetime) -> bool:
        if self.status == TaskState.PENDING:
            return self.next_attempt_at is None or self.next_attempt_at <= now
        if self.status == TaskState.PROCESSING:
            return self.lease_expires_at is None or self.lease_expires_at <= now
        return False

    def with_changes(self, **changes: Any) -> NotificationTask:
        return replace(self, **changes)

    def to_document(self) -> dict[str, Any]:
        return {
            "type": str(self.type),
            "kind": str(self.kind),
            "bookingNumber": self.booking_number,
            "clientEmail": self.client_email,
            "bookingData": self.booking_data,
            "status": str(self.status),
            "attempts": self.attempts,
            "maxAttempts": self.max_attempts,
            "nextAttemptAt": self.next_attempt_at,
            "leaseOwner": self.lease_owner,
            "leaseExpiresAt": self.lease_expires_at,
            "lastError": self.last_error.to_document() if self.last_error else None,
            "history": list(self.history[-HISTORY_LIMIT:]),
            "provider": self.provider,
            "messageId": self.message_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "completedAt": self.completed_at,
        }

    @classmethod
    def from_document(cls, task_id: str, doc: Any) -> NotificationTask:
        """Read a queue document; raise ``MalformedTask`` with a readable reason if we can't.

        Documents in the website's minimal shape become due ``pending`` tasks.
        """
        if not isinstance(doc, dict):
            raise MalformedTask(reason=f"document is {type(doc).__name__}, not a map")
        try:
            kind = TaskType(_word(doc.get("type")))
        except ValueError:
            raise MalformedTask(reason=f"unknown type {_shown(doc.get('type'))}") from None
        try:
            number = read_booking_number(doc.get("bookingNumber"))
        except ValueError as exc:
            raise MalformedTask(reason=str(exc)) from None
        email = doc.get("clientEmail")
        if email is None and kind == TaskType.QR:
            email = ""
        if not isinstance(email, str) or (kind != TaskType.QR and not email.strip()):
            raise MalformedTask(reason="missing or invalid clientEmail")
        data = doc.get("bookingData")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise MalformedTask(reason="bookingData is not a map")
        try:
            task_kind = TaskKind(_word(doc.get("kind")) or TaskKind.CONFIRMATION)
        except ValueError:
            raise MalformedTask(reason=f"unknown kind {_shown(doc.get('kind'))}") from None
        try:
            status = TaskState(_word(doc.get("status")) or TaskState.PENDING)
        except ValueError:
            raise MalformedTask(reason=f"unknown status {_shown(doc.get('status'))}") from None

        def integer(key: str, default: int) -> int:
            value = doc.get(key)
            if value is None:
                return default
            if isinstance(value, str):  # a number written as text: "3"
                try:
                    value = float(value.strip())
                except ValueError:
                    raise MalformedTask(reason=f"{key} is not a non-negative number") from None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise MalformedTask(reason=f"{key} is not a non-negative number")
            if isinstance(value, float) and not math.isfinite(value):
                # JavaScript writes NaN and Infinity as numbers; int() would raise on them.
                raise MalformedTask(reason=f"{key} is not a finite number")
            return int(value)

        def stamp(key: str) -> datetime | None:
            try:
                return as_utc(doc.get(key))
            except (TypeError, ValueError, OverflowError, OSError):
                raise MalformedTask(reason=f"{key} is not a timestamp") from None

        history = doc.get("history") or []
        if not isinstance(history, list):
            raise MalformedTask(reason="history is not a list")
        return cls(
            id=task_id,
            type=kind,
            booking_number=number,
            client_email=email.strip(),
            booking_data=data,
            status=status,
            attempts=integer("attempts", 0),
            max_attempts=integer("maxAttempts", DEFAULT_MAX_ATTEMPTS) or DEFAULT_MAX_ATTEMPTS,
            next_attempt_at=stamp("nextAttemptAt"),
            lease_owner=doc.get("leaseOwner") if isinstance(doc.get("leaseOwner"), str) else None,
            lease_expires_at=stamp("leaseExpiresAt"),
            last_error=LastError.from_document(doc.get("lastError")),
            history=[h for h in history if isinstance(h, dict)],
            provider=doc.get("provider") if isinstance(doc.get("provider"), str) else None,
            message_id=doc.get("messageId") if isinstance(doc.get("messageId"), str) else None,
            created_at=stamp("createdAt"),
            updated_at=stamp("updatedAt"),
            completed_at=stamp("completedAt"),
            kind=task_kind,
        )


def _word(value: Any) -> Any:
    """An enum value as the website may spell it: ``" Email "`` reads as ``"email"``."""
    return value.strip().lower() if isinstance(value, str) else value


def _shown(value: Any) -> str:
    """A value quoted in a reason, bounded: a 2,000-character string is no reason."""
    text = " ".join(str(value).split())
    return f"'{text}'" if len(text) <= 40 else f"'{text[:39]}…'"


@dataclass(frozen=True)
class TaskFilter:
    """What the supervisor's table (and a filtered bulk retry) selects.

    ``states`` empty means every state; ``retrying`` narrows to pending tasks with attempts.
    ``text`` matches booking number, recipient and error text, case-insensitively. What it
    means is written once, in ``parking_desk.task_filter``, which every store and the table
    apply.
    """

    states: frozenset[TaskState] = frozenset()
    retrying: bool = False
    text: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None

    def matches(self, task: NotificationTask) -> bool:
        from parking_desk.task_filter import compile_filter  # it builds on this module

        return compile_filter(self).test.task(task)

    def describe(self) -> dict[str, Any]:
        """A plain form for the audit log."""
        return {
            "states": sorted(str(s) for s in self.states),
            "retrying": self.retrying,
            "text": self.text,
            "createdFrom": self.created_from.isoformat() if self.created_from else None,
            "createdTo": self.created_to.isoformat() if self.created_to else None,
        }
