"""Every state change of a booking, written once: check-in, check-out, cancel, amend, resend.

Each rule takes the booking as read and returns the booking as it will be stored, with its
history entry; what the change means for the booking's queue tasks (a cancellation e-mail,
a refreshed or a "booking changed" e-mail) is decided here too. Stores only read, condition
and write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email

from parking_desk.booking import HISTORY_LIMIT, Booking, BookingStatus, EmailStatus
from parking_desk.errors import FieldError, InvalidTransition, ValidationError
from parking_desk.personal_data import scrub, traces_of, without_personal_details
from parking_desk.task import NotificationTask, TaskKind, TaskState, TaskType
from parking_desk.task_rules import TaskWrite, cancel_with_booking, new_task, refresh_snapshot
from parking_desk.timeutil import as_utc
from parking_desk.validation import MAX_EMAIL, has_control_chars, validate_booking

# Fields an amendment may change: document name → attribute name.
AMENDABLE = {
    "clientName": "client_name",
    "clientEmail": "client_email",
    "phone": "phone",
    "plate": "plate",
    "arrival": "arrival",
    "departure": "departure",
    "passengers": "passengers",
    "notes": "notes",
    "language": "language",
}
_DOC_NAME = {attr: doc for doc, attr in AMENDABLE.items()}

# Moves a booking may not make, and the code that says why (messages.py).
_REFUSED: dict[BookingStatus, dict[BookingStatus, str]] = {
    BookingStatus.CHECKED_IN: {
        BookingStatus.CHECKED_IN: "error.already_checked_in",
        BookingStatus.CHECKED_OUT: "error.already_checked_out",
        BookingStatus.CANCELLED: "error.booking_cancelled",
    },
    BookingStatus.CHECKED_OUT: {
        BookingStatus.CONFIRMED: "error.not_checked_in",
        BookingStatus.CHECKED_OUT: "error.already_checked_out",
        BookingStatus.CANCELLED: "error.booking_cancelled",
    },
    BookingStatus.CANCELLED: {
        BookingStatus.CHECKED_OUT: "error.already_checked_out",
        BookingStatus.CANCELLED: "error.booking_cancelled",
    },
}


def refusal(number: str, current: BookingStatus, to: BookingStatus) -> InvalidTransition | None:
    """Why *current* → *to* is refused, or None when it is allowed."""
    if to not in _REFUSED:
        return InvalidTransition(number=number, current=str(current))
    code = _REFUSED[to].get(current)
    return InvalidTransition(code=code, number=number, current=str(current)) if code else None


def scan_entry(booking: Booking, status: BookingStatus) -> dict[str, Any] | None:
    """The newest history entry that moved *booking* to *status* ({at, by, action, details});
    None when its history does not say (a website booking, a trimmed history)."""
    for entry in reversed(booking.history):
        if entry.get("action") == str(status) and isinstance(entry.get("at"), datetime):
            found: dict[str, Any] = entry
            return found
    return None


def scan_desk(entry: dict[str, Any]) -> str:
    """The desk a scan's history entry names; "" for one made before desks were recorded."""
    details = entry.get("details")
    return str(details.get("desk") or "") if isinstance(details, dict) else ""


def _earlier(problem: InvalidTransition, booking: Booking) -> InvalidTransition:
    """A refusal of a second check-in or check-out naming when, by whom and at which desk
    the first one was made, so the person at the gate can settle it with the client."""
    done = {
        "error.already_checked_in": BookingStatus.CHECKED_IN,
        "error.already_checked_out": BookingStatus.CHECKED_OUT,
    }.get(problem.code)
    entry = scan_entry(booking, done) if done else None
    if entry is None:
        return problem
    desk = scan_desk(entry)
    params = {**problem.params, "when": entry["at"], "who": str(entry.get("by") or "?")}
    told = InvalidTransition(code=problem.code, **params, **({"desk": desk} if desk else {}))
    told.text_code = f"{problem.code}_at" if desk else f"{problem.code}_by"
    return told


def check_in_refusal(booking: Booking, now: datetime) -> InvalidTransition | None:
    """A booking whose stay has ended is not checked in: its client needs a new booking
    (a typed number would otherwise let an old one in, with no ticket to say it expired)."""
    if booking.departure <= now:
        number = booking.booking_number or ""
        return InvalidTransition(
            code="error.booking_expired", number=number, departure=booking.departure
        )
    return None


def status_refusal(booking: Booking, to: BookingStatus, now: datetime) -> InvalidTransition | None:
    """Why *booking* may not move to *to* at *now*, or None: the one answer the stores'
    atomic change and a desk deciding what a scan means both go by."""
    problem = refusal(booking.booking_number or "", booking.status, BookingStatus(to))
    if problem is not None:
        return _earlier(problem, booking)
    if to == BookingStatus.CHECKED_IN:
        return check_in_refusal(booking, now)
    return None


@dataclass(frozen=True)
class ScanQuestion:
    """A scan the desk asks about before it writes: ``early`` (a check-in long before the
    booked arrival, by *ahead*) or ``recent`` (a check-out *ahead* after the check-in,
    likely the same ticket scanned twice). *entry* is the check-in's history entry."""

    kind: str
    ahead: timedelta
    entry: dict[str, Any] | None = None


def scan_question(
    booking: Booking,
    to: BookingStatus,
    now: datetime,
    *,
    early_limit: timedelta,
    recent_limit: timedelta | None,
) -> ScanQuestion | None:
    """Whether a scan moving *booking* to *to* should be confirmed first. *recent_limit*
    None: the person chose "check out" themselves, so a quick check-out is meant."""
    if to == BookingStatus.CHECKED_IN and early_limit > timedelta(0):
        ahead = booking.arrival - now
        if ahead >= early_limit:
            return ScanQuestion("early", ahead)
    if to == BookingStatus.CHECKED_OUT and recent_limit and booking.checked_in_at is not None:
        since = now - booking.checked_in_at
        if timedelta(0) <= since < recent_limit:
            return ScanQuestion("recent", since, scan_entry(booking, BookingStatus.CHECKED_IN))
    return None


def _entry(now: datetime, operator: str, action: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"at": now, "by": operator, "action": action, "details": details}


def _with_entry(booking: Booking, entry: dict[str, Any], **changes: Any) -> Booking:
    return booking.with_changes(history=[*booking.history, entry][-HISTORY_LIMIT:], **changes)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class BookingChange:
    """A booking as it will be stored, and what its queue must do in the same commit:
    tasks to write (``updates``) and a task to add (``queued``)."""

    booking: Booking
    updates: list[TaskWrite] = field(default_factory=list)
    queued: NotificationTask | None = None


def announcing(change: BookingChange) -> NotificationTask:
    """The task that will tell the client about *change*: the one it queued, else the
    waiting confirmation it refreshed."""
    if change.queued is not None:
        return change.queued
    return change.updates[0].task


def create(
    booking: Booking,
    number: str,
    operator: str,
    now: datetime,
    task_type: TaskType = TaskType.BOTH,
) -> BookingChange:
    """A new booking, validated and numbered, with its confirmation queued."""
    saved = validate_booking(booking).booking.with_changes(
        booking_number=number,
        status=BookingStatus.CONFIRMED,
        created_at=now,
        created_by=operator or booking.created_by,
        updated_at=now,
        email_status=EmailStatus.PENDING,
        email_sent_at=None,
        qr_code_generated=False,
    )
    return BookingChange(saved, queued=new_task(saved, now, task_type=TaskType(task_type)))


def change_status(
    booking: Booking,
    to: BookingStatus,
    operator: str,
    now: datetime,
    waiting: list[NotificationTask] = (),  # type: ignore[assignment]
    desk: str = "",
) -> BookingChange:
    """Check-in, check-out or cancel. A cancellation cancels the booking's waiting
    confirmations (*waiting*: its pending tasks) and queues a cancellation e-mail. *desk*:
    the machine the scan was made at, kept in the history for a later refusal to name."""
    problem = status_refusal(booking, BookingStatus(to), now)
    if problem is not None:
        raise problem
    changes: dict[str, Any] = {"status": BookingStatus(to), "updated_at": now}
    if to == BookingStatus.CHECKED_IN:
        changes["checked_in_at"] = now
    elif to == BookingStatus.CHECKED_OUT:
        changes["checked_out_at"] = now
    details: dict[str, Any] = {"from": str(booking.status)}
    if desk:
        details["desk"] = desk
    entry = _entry(now, operator, str(to), details)
    updated = _with_entry(booking, entry, **changes)
    if to != BookingStatus.CANCELLED:
        return BookingChange(updated)
    updates = [w for t in waiting if (w := cancel_with_booking(t, operator, now)) is not None]
    queued = None
    if updated.client_email:
        queued = new_task(updated, now, task_type=TaskType.EMAIL, kind=TaskKind.CANCELLATION)
    return BookingChange(updated, updates, queued)


# A scan undone goes back one step: what each status was reached from by a scan.
UNDO = {
    BookingStatus.CHECKED_IN: BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_OUT: BookingStatus.CHECKED_IN,
}
UNDO_ACTION = "undo"


def last_scan(booking: Booking) -> dict[str, Any] | None:
    """The history entry of the scan that brought the booking to its status, or None when
    its status came some other way (the website, a cancellation). Scans already undone are
    passed over, so a check-out undone leaves its check-in to undo next."""
    statuses = {str(s) for s in BookingStatus}
    undone: list[str] = []
    for entry in reversed(booking.history):
        action = entry.get("action")
        if action == UNDO_ACTION:
            details = entry.get("details")
            undone.append(str(details.get("undid", "")) if isinstance(details, dict) else "")
        elif action in statuses:
            if undone and undone[-1] == action:
                undone.pop()
                continue
            return entry if action == str(booking.status) else None
    return None


def undo_scan(
    booking: Booking, operator: str, now: datetime, not_before: datetime
) -> BookingChange:
    """Take back the last check-in (→ confirmed) or check-out (→ checked in) when it was
    made at or after *not_before* (the start of the undo window: the shift). The history
    keeps the scan and adds who undid it, so nothing is lost. A check-out undone, its
    check-in may be undone next, within the same window."""
    number = booking.booking_number or ""
    back = UNDO.get(booking.status)
    scan = last_scan(booking) if back is not None else None
    if back is None or scan is None:
        raise InvalidTransition(
            code="error.nothing_to_undo", number=number, current=str(booking.status)
        )
    try:
        at = as_utc(scan.get("at"))
    except (TypeError, ValueError):
        at = None
    if at is None or at < not_before:
        raise InvalidTransition(
            code="error.undo_too_late", number=number, current=str(booking.status)
        )
    changes: dict[str, Any] = {"status": back, "updated_at": now}
    if booking.status == BookingStatus.CHECKED_IN:
        changes["checked_in_at"] = None
    else:
        changes["checked_out_at"] = None
    entry = _entry(
        now,
        operator,
        UNDO_ACTION,
        {
            "undid": str(booking.status),
            "from": str(booking.status),
            "to": str(back),
            "scanAt": at,
            "scanBy": scan.get("by", ""),
        },
    )
    return BookingChange(_with_entry(booking, entry, **changes))


def undo_audit(change: BookingChange) -> dict[str, Any]:
    """What the audit log says of an undo: the booking and the scan taken back."""
    entry = change.booking.history[-1]
    details = entry["details"]
    return {
        "bookingNumber": change.booking.booking_number,
        "undid": details["undid"],
        "scanAt": _plain(details["scanAt"]),
        "scanBy": details["scanBy"],
    }


def amend(
    booking: Booking,
    changes: dict[str, Any],
    operator: str,
    now: datetime,
    waiting: list[NotificationTask] = (),  # type: ignore[assignment]
) -> BookingChange:
    """Apply validated changes (by document or attribute name), record old → new in the
    history, and make sure the client gets one e-mail with the current details: the waiting
    confirmation carries them if there is one, else a "booking changed" e-mail is queued."""
    number = booking.booking_number or ""
    unknown = sorted(k for k in changes if k not in AMENDABLE and k not in _DOC_NAME)
    if unknown:
        raise ValueError(f"fields that cannot be amended: {', '.join(unknown)}")
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.CHECKED_OUT):
        problem = refusal(number, booking.status, BookingStatus.CHECKED_IN)
        assert problem is not None
        raise problem
    wanted = {AMENDABLE.get(k, k): v for k, v in changes.items()}
    amended = validate_booking(booking.with_changes(**wanted)).booking
    diff = {
        _DOC_NAME[name]: {
            "from": _plain(getattr(booking, name)),
            "to": _plain(getattr(amended, name)),
        }
        for name in wanted
        if getattr(booking, name) != getattr(amended, name)
    }
    saved = _with_entry(
        amended,
        _entry(now, operator, "amend", diff),
        updated_at=now,
        email_status=EmailStatus.PENDING,
    )
    pending = [
        t for t in waiting if t.status == TaskState.PENDING and t.kind != TaskKind.CANCELLATION
    ]
    updates = [refresh_snapshot(t, saved, now) for t in pending]
    queued = None
    if not any(t.type != TaskType.QR for t in pending):
        queued = new_task(saved, now, kind=TaskKind.AMENDMENT)
    return BookingChange(saved, updates, queued)


def resend(booking: Booking, task_type: TaskType, operator: str, now: datetime) -> BookingChange:
    """The desk's "Resend e-mail": a fresh confirmation with the current details."""
    entry = _entry(now, operator, "resend", {"type": str(task_type)})
    changes: dict[str, Any] = {"updated_at": now}
    if task_type != TaskType.QR:
        changes["email_status"] = EmailStatus.PENDING
    updated = _with_entry(booking, entry, **changes)
    return BookingChange(updated, queued=new_task(updated, now, task_type=TaskType(task_type)))


# A walk-in typed with an arrival this far back is more likely a wrong date than a late entry.
PAST_ARRIVAL_SLACK = timedelta(days=1)
# A plate's bookings that still hold a place on the lot.
_HOLDING = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def stay_warnings(
    booking: Booking, now: datetime, same_plate: Iterable[Booking] = ()
) -> list[FieldError]:
    """What a new booking should not pass silently though it may be saved: a stay already
    over or an arrival well in the past (a mistyped date), and another booking of the same
    plate that holds the lot at the same time (*same_plate*: the store's bookings of it)."""
    warnings: list[FieldError] = []
    if booking.departure <= now:
        warnings.append(FieldError("departure", "dates.stay_in_past", severity="warning"))
    elif booking.arrival < now - PAST_ARRIVAL_SLACK:
        warnings.append(FieldError("arrival", "dates.arrival_in_past", severity="warning"))
    for other in same_plate:
        if other.plate != booking.plate or other.booking_number == booking.booking_number:
            continue
        overlaps = other.arrival < booking.departure and booking.arrival < other.departure
        if overlaps and other.status in _HOLDING:
            params = {
                "number": other.booking_number or "",
                "arrival": other.arrival,
                "departure": other.departure,
            }
            warnings.append(
                FieldError("plate", "plate.overlapping_booking", params, severity="warning")
            )
    return warnings


def checked_email(email: str) -> str:
    """A recipient a supervisor typed, normalised; ``ValidationError`` saying why not."""
    email = (email or "").strip()
    if not email:
        raise ValidationError([FieldError("clientEmail", "field.required")])
    if len(email) > MAX_EMAIL:
        raise ValidationError([FieldError("clientEmail", "field.too_long", {"max": MAX_EMAIL})])
    if has_control_chars(email):
        raise ValidationError([FieldError("clientEmail", "field.control_chars")])
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(
            [FieldError("clientEmail", "email.invalid", {"reason": str(exc)})]
        ) from None


# --- personal data ---------------------------------------------------------------------


def anonymise(booking: Booking, operator: str, now: datetime, reason: str) -> Booking:
    """The booking without the client: name, e-mail, phone, plate and notes removed, and
    every history entry without the personal details it carried (an amendment's old → new
    names, plates, addresses). Its number, dates, passengers, status and language stay for
    the counts. *reason*: ``retention`` (its period after departure ran out) or ``erasure``
    (a supervisor's "Erase this client")."""
    traces = traces_of(booking.to_document())
    history = [
        {**entry, "details": scrub(without_personal_details(entry.get("details")), traces)}
        if "details" in entry
        else scrub(entry, traces)
        for entry in booking.history
    ]
    cleaned = booking.with_changes(
        client_name="",
        client_email="",
        phone="",
        plate="",
        notes="",
        updated_at=now,
        history=history,
    )
    return _with_entry(cleaned, _entry(now, operator, "anonymised", {"reason": reason}))


def is_anonymised(booking: Booking) -> bool:
    """Nothing personal is left: the retention purge passes such a booking by."""
    return not (booking.client_name or booking.client_email or booking.phone or booking.plate)
