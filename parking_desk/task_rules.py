"""Every state change of a queue task, written once.

Each rule takes the task as read and returns a ``TaskWrite``: the task as it will be, the
document fields a store writes (camelCase, the same for both backends) and the fields to set
on the task's booking in the same commit. A store only reads, conditions the write (lease,
version, update time) and writes what it is given, so the two backends cannot drift.

A document that does not parse (written by someone else) is handled the same way, through
``salvage``: the fields a rule returns are merged into whatever the document holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from parking_desk.booking import Booking, EmailStatus
from parking_desk.bounce import Bounce
from parking_desk.errors import MalformedTask
from parking_desk.task import (
    HISTORY_LIMIT,
    DeliveryOutcome,
    LastError,
    NotificationTask,
    TaskKind,
    TaskState,
    TaskType,
)
from parking_desk.timeutil import as_utc

# The longest error text kept on a task or in its history: a server may answer with pages.
MESSAGE_LIMIT = 500
MALFORMED = "malformed"

RETRYABLE = frozenset({TaskState.DEAD, TaskState.CANCELLED, TaskState.PENDING, TaskState.BOUNCED})
CANCELLABLE = frozenset({TaskState.PENDING, TaskState.PROCESSING, TaskState.DEAD})


@dataclass(frozen=True)
class TaskWrite:
    """What one rule decided: ``task`` as it will be stored, ``fields`` the document fields
    that change, ``booking`` the fields to set on its booking in the same commit."""

    task: NotificationTask
    fields: dict[str, Any]
    booking: dict[str, Any] = field(default_factory=dict)


def new_task_id() -> str:
    return uuid.uuid4().hex[:20]


def error_of(code: str, message: str, permanent: bool) -> LastError:
    """A ``LastError`` with its text bounded, whoever wrote it."""
    return LastError(str(code), str(message)[:MESSAGE_LIMIT], bool(permanent))


def history_entry(
    now: datetime,
    who: str,
    outcome: str,
    error: LastError | None = None,
    provider: str | None = None,
) -> dict[str, Any]:
    return {
        "at": now,
        "worker": who,
        "outcome": outcome,
        "code": error.code if error else "",
        "message": error.message[:MESSAGE_LIMIT] if error else "",
        "provider": provider,
    }


def _changed(before: NotificationTask, after: NotificationTask) -> dict[str, Any]:
    old, new = before.to_document(), after.to_document()
    return {k: v for k, v in new.items() if old.get(k) != v or k not in old}


def _write(
    before: NotificationTask,
    entry: dict[str, Any] | None,
    booking: dict[str, Any] | None = None,
    **changes: Any,
) -> TaskWrite:
    if entry is not None:
        changes["history"] = [*before.history, entry][-HISTORY_LIMIT:]
    after = before.with_changes(**changes)
    return TaskWrite(after, _changed(before, after), booking or {})


# --- creating --------------------------------------------------------------------------


def new_task(
    booking: Booking,
    now: datetime,
    *,
    task_type: TaskType = TaskType.BOTH,
    kind: TaskKind = TaskKind.CONFIRMATION,
    task_id: str | None = None,
) -> NotificationTask:
    """The queue task announcing *booking* (or a change to it), due now."""
    return NotificationTask(
        id=task_id or new_task_id(),
        type=task_type,
        kind=kind,
        booking_number=booking.booking_number or "",
        client_email=booking.client_email,
        booking_data=booking.booking_data(),
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def salvage(task_id: str, doc: Any, reason: str = "") -> NotificationTask:
    """What can be shown of a queue document that does not parse: its number, address,
    state and reason, so a supervisor still sees it. Never handed to a worker: claims
    read documents strictly."""
    d = doc if isinstance(doc, dict) else {}

    def pick(enum: Any, key: str, default: Any) -> Any:
        try:
            return enum(d.get(key) or default)
        except ValueError:
            return default

    def text(key: str) -> str:
        value = d.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return ""
        return str(value).strip()

    def stamp(key: str) -> datetime | None:
        try:
            return as_utc(d.get(key))
        except (TypeError, ValueError, OverflowError, OSError):
            return None

    attempts = d.get("attempts")
    history = d.get("history")
    data = d.get("bookingData")
    error = LastError.from_document(d.get("lastError"))
    if error is None and reason:
        error = error_of(MALFORMED, reason, True)
    return NotificationTask(
        id=task_id,
        type=pick(TaskType, "type", TaskType.BOTH),
        kind=pick(TaskKind, "kind", TaskKind.CONFIRMATION),
        booking_number=text("bookingNumber"),
        client_email=text("clientEmail"),
        booking_data=data if isinstance(data, dict) else {},
        status=pick(TaskState, "status", TaskState.PENDING),
        attempts=attempts
        if isinstance(attempts, int) and not isinstance(attempts, bool) and attempts >= 0
        else 0,
        last_error=error,
        history=[h for h in history if isinstance(h, dict)] if isinstance(history, list) else [],
        created_at=stamp("createdAt"),
        updated_at=stamp("updatedAt"),
        completed_at=stamp("completedAt"),
    )


def read_task(task_id: str, doc: Any) -> tuple[NotificationTask, str | None]:
    """The task and None, or its salvaged view and the reason it does not parse. The view
    carries only what the document holds (no error made up from the reason), so a rule's
    fields computed on it are exactly what changes."""
    try:
        return NotificationTask.from_document(task_id, doc), None
    except MalformedTask as exc:
        return salvage(task_id, doc), str(exc.params.get("reason") or exc)


# --- the worker's side -----------------------------------------------------------------


def due_since(task: NotificationTask, now: datetime) -> datetime:
    """When a task became due: its own due time, or for a website document that has none,
    its creation (never later than now: a browser clock running ahead must not delay it)."""
    return task.next_attempt_at or min(task.created_at or now, now)


def claim(task: NotificationTask, worker_id: str, lease: timedelta, now: datetime) -> TaskWrite:
    """Leased to *worker_id*: processing, one more attempt. No history entry: the outcome
    writes one, and a claim that never gets one is counted by ``attempts``."""
    return _write(
        task,
        None,
        next_attempt_at=due_since(task, now),
        status=TaskState.PROCESSING,
        lease_owner=worker_id,
        lease_expires_at=now + lease,
        attempts=task.attempts + 1,
        updated_at=now,
    )


def bury_malformed(task: NotificationTask, reason: str, now: datetime) -> TaskWrite:
    """A document nobody can read goes dead with the reason, keeping what was written."""
    error = error_of(MALFORMED, reason, True)
    return _write(
        task,
        history_entry(now, "", "dead", error),
        status=TaskState.DEAD,
        last_error=error,
        lease_owner=None,
        lease_expires_at=None,
        updated_at=now,
    )


def complete(
    task: NotificationTask, worker_id: str, outcome: DeliveryOutcome, now: datetime
) -> TaskWrite:
    provider, message_id = outcome.provider, outcome.message_id
    email_sent, qr_generated = outcome.email_sent, outcome.qr_generated
    booking: dict[str, Any] = {}
    if qr_generated and task.kind != TaskKind.CANCELLATION:
        booking["qrCodeGenerated"] = True
    if email_sent and task.kind != TaskKind.CANCELLATION:
        booking.update(emailStatus=str(EmailStatus.SENT), emailSentAt=now)
    if booking:
        booking["updatedAt"] = now
    return _write(
        task,
        history_entry(now, worker_id, "completed", provider=provider),
        booking,
        status=TaskState.COMPLETED,
        completed_at=now,
        provider=provider,
        message_id=message_id,
        lease_owner=None,
        lease_expires_at=None,
        updated_at=now,
    )


def fail_transient(
    task: NotificationTask, worker_id: str, error: LastError, next_at: datetime, now: datetime
) -> TaskWrite:
    error = error_of(error.code, error.message, False)
    return _write(
        task,
        history_entry(now, worker_id, "retry", error),
        status=TaskState.PENDING,
        next_attempt_at=next_at,
        last_error=error,
        lease_owner=None,
        lease_expires_at=None,
        updated_at=now,
    )


def fail_permanent(
    task: NotificationTask, worker_id: str, error: LastError, now: datetime
) -> TaskWrite:
    """Dead; the booking learns its e-mail failed unless the task carried no e-mail."""
    error = error_of(error.code, error.message, error.permanent)
    booking: dict[str, Any] = {}
    if task.type != TaskType.QR and task.kind != TaskKind.CANCELLATION:
        booking = {"emailStatus": str(EmailStatus.FAILED), "updatedAt": now}
    return _write(
        task,
        history_entry(now, worker_id, "dead", error),
        booking,
        status=TaskState.DEAD,
        last_error=error,
        lease_owner=None,
        lease_expires_at=None,
        updated_at=now,
    )


def release(task: NotificationTask, worker_id: str, now: datetime) -> TaskWrite:
    """Handed back unsent, due at once for the next claim; the attempt is not counted."""
    return _write(
        task,
        history_entry(now, worker_id, "released"),
        status=TaskState.PENDING,
        attempts=max(0, task.attempts - 1),
        next_attempt_at=now,
        lease_owner=None,
        lease_expires_at=None,
        updated_at=now,
    )


# --- bounces ---------------------------------------------------------------------------


def bounce(task: NotificationTask, report: Bounce, who: str, now: datetime) -> TaskWrite | None:
    """A sent message reported undeliverable: ``bounced`` with the remote server's reason,
    and the booking learns its e-mail failed. None unless the task is ``completed`` (a task
    bounced already, or sent again since, is left alone)."""
    if task.status != TaskState.COMPLETED or not report.permanent:
        return None
    error = report.error()
    booking: dict[str, Any] = {}
    if task.type != TaskType.QR and task.kind != TaskKind.CANCELLATION:
        booking = {"emailStatus": str(EmailStatus.FAILED), "updatedAt": now}
    return _write(
        task,
        history_entry(now, who, "bounced", error),
        booking,
        status=TaskState.BOUNCED,
        last_error=error,
        updated_at=now,
    )


def note_delay(task: NotificationTask, report: Bounce, who: str, now: datetime) -> TaskWrite:
    """A delay notice (the remote server is still trying): in the history, nothing else."""
    return _write(task, history_entry(now, who, "delayed", report.error()))


# --- the supervisor's side -------------------------------------------------------------


def _fresh_budget(
    task: NotificationTask, operator: str, outcome: str, now: datetime, **changes: Any
) -> TaskWrite:
    """Due now with a fresh attempt budget; the last error moves to the history."""
    return _write(
        task,
        history_entry(now, operator, outcome, task.last_error),
        status=TaskState.PENDING,
        attempts=0,
        next_attempt_at=now,
        lease_owner=None,
        lease_expires_at=None,
        last_error=None,
        completed_at=None,
        updated_at=now,
        **changes,
    )


def retry(task: NotificationTask, operator: str, now: datetime) -> TaskWrite | None:
    """A supervisor's retry, or None when the task's state does not allow one."""
    if task.status not in RETRYABLE:
        return None
    return _fresh_budget(task, operator, "manual_retry", now)


def cancel(task: NotificationTask, operator: str, now: datetime) -> TaskWrite | None:
    if task.status not in CANCELLABLE:
        return None
    return _write(
        task,
        history_entry(now, operator, "cancelled"),
        status=TaskState.CANCELLED,
        lease_owner=None,
        lease_expires_at=None,
        updated_at=now,
    )


def fix_recipient(task: NotificationTask, email: str, operator: str, now: datetime) -> TaskWrite:
    """The address fixed on the task and its booking, due now with a fresh budget.
    *email* must already be validated (``booking_rules.checked_email``)."""
    data = {**task.booking_data, "clientEmail": email}
    write = _fresh_budget(
        task, operator, "recipient_changed", now, client_email=email, booking_data=data
    )
    booking = {"clientEmail": email, "emailStatus": str(EmailStatus.PENDING), "updatedAt": now}
    return TaskWrite(write.task, write.fields, booking)


def refresh_snapshot(task: NotificationTask, booking: Booking, now: datetime) -> TaskWrite:
    """A waiting task carries the booking as amended: one e-mail with the current details."""
    return _write(
        task,
        None,
        booking_data=booking.booking_data(),
        client_email=booking.client_email,
        updated_at=now,
    )


def cancel_with_booking(task: NotificationTask, operator: str, now: datetime) -> TaskWrite | None:
    """A waiting confirmation or amendment of a booking that was just cancelled: it must not
    tell the client the booking stands."""
    if task.status != TaskState.PENDING or task.kind == TaskKind.CANCELLATION:
        return None
    return _write(
        task,
        history_entry(now, operator, "cancelled_with_booking"),
        status=TaskState.CANCELLED,
        updated_at=now,
    )


def recipient_audit(before: NotificationTask, email: str) -> dict[str, Any]:
    """What the audit log keeps of a recipient fix: old → new, and whose booking."""
    return {"from": before.client_email, "to": email, "bookingNumber": before.booking_number}
