"""The shift report: what a person (or the whole desk) did between two times.

Made from what the stores already keep, with no Qt: each booking's history (check-ins,
check-outs, cancellations, amendments, with who and when) and its ``createdBy`` (walk-ins),
the audit log (undone scans, the supervisor's actions on the queue) and the tasks that
failed. A scan that was undone is not counted as a check-in or check-out: the undo is
listed instead, under whoever undid it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from parking_desk.booking import Booking, BookingStatus, Source
from parking_desk.booking_rules import UNDO_ACTION
from parking_desk.services.store.base import AuditEntry
from parking_desk.task import NotificationTask
from parking_desk.timeutil import as_utc

WALK_IN = "walk_in"
CHECK_IN = "check_in"
CHECK_OUT = "check_out"
CANCELLATION = "cancellation"
AMENDMENT = "amendment"
UNDO = "undo"
EMAIL_FAILED = "email_failed"
QUEUE_ACTION = "queue_action"
# The report's figures, in the order it shows them.
KINDS = (WALK_IN, CHECK_IN, CHECK_OUT, CANCELLATION, AMENDMENT, UNDO, EMAIL_FAILED, QUEUE_ACTION)

_HISTORY_KINDS = {
    str(BookingStatus.CHECKED_IN): CHECK_IN,
    str(BookingStatus.CHECKED_OUT): CHECK_OUT,
    str(BookingStatus.CANCELLED): CANCELLATION,
    "amend": AMENDMENT,
}
# Audit actions that are the queue's (a supervisor's retry, cancel, address fix).
_QUEUE_ACTIONS = frozenset({"retry", "cancel", "update_recipient"})


class ShiftReads(Protocol):
    """What the report reads: the shift's activity and a booking by number."""

    def bookings_changed_since(self, since: datetime) -> list[Booking]: ...

    def audit_between(self, start: datetime, end: datetime) -> list[AuditEntry]: ...

    def failed_tasks_between(self, start: datetime, end: datetime) -> list[NotificationTask]: ...

    def get_booking(self, number: str) -> Booking | None: ...


@dataclass(frozen=True)
class ShiftEvent:
    at: datetime
    kind: str  # one of KINDS
    by: str  # the operator as recorded ("Ana (staff)"); for a failed e-mail, who booked it
    booking_number: str
    detail: str = ""  # the queue action's name, the failed e-mail's error code


@dataclass(frozen=True)
class ShiftReport:
    start: datetime
    end: datetime
    person: str  # "" for everyone
    events: list[ShiftEvent] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for e in self.events if e.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in KINDS}


def is_person(by: str, person: str) -> bool:
    """Whether *by* (an operator label, ``"Ana (staff)"``, or a bare name) names *person*
    (a name; "" matches everyone). The role may have changed since: the name decides."""
    if not person:
        return True
    name = person.strip().casefold()
    by = (by or "").strip().casefold()
    return by == name or by.startswith(name + " (")


def _at(value: Any) -> datetime | None:
    try:
        return as_utc(value)
    except (TypeError, ValueError):
        return None


def summarise(
    bookings: list[Booking],
    audit: list[AuditEntry],
    failed: list[NotificationTask],
    start: datetime,
    end: datetime,
    person: str = "",
    booked_by: dict[str, str] | None = None,
) -> ShiftReport:
    """The report from what was read; *booked_by*: ``createdBy`` of the failed e-mails'
    bookings that *bookings* does not hold."""

    def inside(at: datetime | None) -> bool:
        return at is not None and start <= at < end

    undone = {
        (
            str(e.details.get("bookingNumber", "")),
            str(e.details.get("undid", "")),
            _at(e.details.get("scanAt")),
        )
        for e in audit
        if e.action == UNDO_ACTION
    }
    events: list[ShiftEvent] = []
    creators = dict(booked_by or {})
    for b in bookings:
        number = b.booking_number or ""
        creators[number] = b.created_by
        if b.source == Source.DESK and inside(b.created_at) and is_person(b.created_by, person):
            assert b.created_at is not None
            events.append(ShiftEvent(b.created_at, WALK_IN, b.created_by, number))
        for entry in b.history:
            kind = _HISTORY_KINDS.get(str(entry.get("action", "")))
            at, by = _at(entry.get("at")), str(entry.get("by", ""))
            if kind is None or at is None or not inside(at) or not is_person(by, person):
                continue
            if (number, str(entry.get("action")), at) in undone:
                continue
            events.append(ShiftEvent(at, kind, by, number))
    for e in audit:
        if not is_person(e.operator, person):
            continue
        if e.action == UNDO_ACTION:
            undid = str(e.details.get("undid", ""))
            number = str(e.details.get("bookingNumber", ""))
            events.append(ShiftEvent(e.at, UNDO, e.operator, number, undid))
        elif e.action in _QUEUE_ACTIONS:
            events.append(ShiftEvent(e.at, QUEUE_ACTION, e.operator, "", e.action))
    for task in failed:
        by = creators.get(task.booking_number, "")
        if not is_person(by, person):
            continue
        at = task.updated_at or task.created_at or start
        code = task.last_error.code if task.last_error else ""
        events.append(ShiftEvent(at, EMAIL_FAILED, by, task.booking_number, code))
    events.sort(key=lambda e: (e.at, KINDS.index(e.kind), e.booking_number))
    return ShiftReport(start, end, person, events)


def shift_report(
    store: ShiftReads, start: datetime, end: datetime, person: str = ""
) -> ShiftReport:
    """Read the span's activity and make the report (a store-thread call)."""
    bookings = store.bookings_changed_since(start)
    audit = store.audit_between(start, end)
    failed = store.failed_tasks_between(start, end)
    known = {b.booking_number for b in bookings}
    booked_by: dict[str, str] = {}
    if person:
        for number in {t.booking_number for t in failed} - known:
            found = store.get_booking(number) if number else None
            booked_by[number] = found.created_by if found is not None else ""
    return summarise(bookings, audit, failed, start, end, person, booked_by)
