"""The SQLite file's layout and how documents travel in and out of it.

Tables mirror the Firestore collections. Each row keeps its whole document as JSON, so a
document in the website's shape (or a broken one) survives exactly as it was written, next
to typed copies of the fields that queries filter and sort on. The store refreshes those
copies on every write; for a document that cannot be parsed they are the only readable state.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, overload

from parking_desk.booking import Booking
from parking_desk.task import FINISHED_STATES, LastError, NotificationTask, TaskState
from parking_desk.task_rules import read_task
from parking_desk.timeutil import as_utc

SCHEMA = """
CREATE TABLE IF NOT EXISTS bookings (
    bookingNumber TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    plate TEXT NOT NULL DEFAULT '',
    clientNameLower TEXT NOT NULL DEFAULT '',
    clientEmail TEXT NOT NULL DEFAULT '',
    arrivalDay TEXT,
    departureDay TEXT,
    createdAt REAL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_plate ON bookings(plate);
CREATE INDEX IF NOT EXISTS bookings_name ON bookings(clientNameLower);
CREATE INDEX IF NOT EXISTS bookings_arrival ON bookings(arrivalDay);
CREATE INDEX IF NOT EXISTS bookings_departure ON bookings(departureDay);

CREATE TABLE IF NOT EXISTS emailQueue (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    nextAttemptAt REAL NOT NULL,
    dueAt REAL NOT NULL,
    leaseOwner TEXT,
    leaseExpiresAt REAL,
    createdAt REAL,
    finishedAt REAL,
    bookingNumber TEXT NOT NULL DEFAULT '',
    clientEmail TEXT NOT NULL DEFAULT '',
    errorCode TEXT NOT NULL DEFAULT '',
    errorMessage TEXT NOT NULL DEFAULT '',
    malformed INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    changeSeq INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'both',
    maxAttempts INTEGER NOT NULL DEFAULT 10,
    provider TEXT
);
CREATE INDEX IF NOT EXISTS emailQueue_due ON emailQueue(status, nextAttemptAt);
CREATE INDEX IF NOT EXISTS emailQueue_lease ON emailQueue(status, leaseExpiresAt);
CREATE INDEX IF NOT EXISTS emailQueue_owner ON emailQueue(leaseOwner);
CREATE INDEX IF NOT EXISTS emailQueue_created ON emailQueue(createdAt DESC);
CREATE INDEX IF NOT EXISTS emailQueue_finished ON emailQueue(status, finishedAt);
CREATE INDEX IF NOT EXISTS emailQueue_change ON emailQueue(changeSeq);

CREATE TABLE IF NOT EXISTS removedTasks (
    id TEXT NOT NULL,
    changeSeq INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS removedTasks_change ON removedTasks(changeSeq);

CREATE TABLE IF NOT EXISTS auditLog (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS auditLog_at ON auditLog(at DESC);

CREATE TABLE IF NOT EXISTS workers (
    workerId TEXT PRIMARY KEY,
    lastHeartbeat REAL NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO counters(name, value) VALUES ('changeSeq', 0);

CREATE TABLE IF NOT EXISTS quota (
    key TEXT PRIMARY KEY,
    used INTEGER NOT NULL
);
"""

# Columns added after the first release, with how an older file fills them from the JSON
# documents it already holds (a document that does not parse keeps the defaults).
ADDED_TASK_COLUMNS = {
    "type": (
        "TEXT NOT NULL DEFAULT 'both'",
        "CASE WHEN NOT json_valid(doc) THEN 'both' "
        "WHEN json_extract(doc, '$.type') IN ('qr', 'email', 'both') "
        "THEN json_extract(doc, '$.type') ELSE 'both' END",
    ),
    "maxAttempts": (
        "INTEGER NOT NULL DEFAULT 10",
        "CASE WHEN malformed OR NOT json_valid(doc) THEN 10 "
        "WHEN json_type(doc, '$.maxAttempts') NOT IN ('integer', 'real') THEN 10 "
        "WHEN CAST(json_extract(doc, '$.maxAttempts') AS INTEGER) >= 1 "
        "THEN CAST(json_extract(doc, '$.maxAttempts') AS INTEGER) ELSE 10 END",
    ),
    "provider": (
        "TEXT",
        "CASE WHEN malformed OR NOT json_valid(doc) THEN NULL "
        "WHEN json_type(doc, '$.provider') = 'text' THEN json_extract(doc, '$.provider') END",
    ),
}


def migrate(conn: Any) -> None:
    """Bring a file written by an older release up to ``SCHEMA``, once, under the write lock
    (two processes opening the same old file must not both alter it)."""

    def missing() -> list[str]:
        have = {row[1] for row in conn.execute("PRAGMA table_info(emailQueue)")}
        return [name for name in ADDED_TASK_COLUMNS if name not in have]

    if not missing():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in missing():
            declared, fill = ADDED_TASK_COLUMNS[name]
            conn.execute(f"ALTER TABLE emailQueue ADD COLUMN {name} {declared}")
            conn.execute(f"UPDATE emailQueue SET {name} = {fill}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


_STAMP = "$ts"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        stamp = as_utc(value)
        assert stamp is not None  # a datetime is never None
        return {_STAMP: stamp.isoformat()}
    if isinstance(value, date):
        return value.isoformat()
    # Someone else's document may hold types JSON lacks; keep a readable trace of them.
    return repr(value)


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _STAMP in obj and isinstance(obj[_STAMP], str):
        return datetime.fromisoformat(obj[_STAMP])
    return obj


def dumps(doc: Any) -> str:
    """Datetimes are tagged so they come back as datetimes, as Firestore timestamps do."""
    return json.dumps(doc, default=_encode, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    return json.loads(text, object_hook=_decode)


@overload
def epoch(value: datetime) -> float: ...
@overload
def epoch(value: None) -> None: ...
@overload
def epoch(value: datetime | None) -> float | None: ...
def epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def from_epoch(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def utc_day(value: datetime) -> str:
    return value.astimezone(UTC).date().isoformat()


# --- bookings -------------------------------------------------------------------------


def booking_row(booking: Booking) -> dict[str, Any]:
    return {
        "bookingNumber": booking.booking_number,
        "status": str(booking.status),
        "plate": booking.plate,
        "clientNameLower": booking.client_name.casefold(),
        "clientEmail": booking.client_email,
        "arrivalDay": utc_day(booking.arrival),
        "departureDay": utc_day(booking.departure),
        "createdAt": epoch(booking.created_at),
        "doc": dumps(booking.to_document()),
    }


def booking_from_row(row: Any) -> Booking:
    return Booking.from_document(loads(row["doc"]), row["bookingNumber"])


# --- queue tasks ----------------------------------------------------------------------

TASK_COLUMNS = (
    "status",
    "attempts",
    "nextAttemptAt",
    "dueAt",
    "leaseOwner",
    "leaseExpiresAt",
    "createdAt",
    "finishedAt",
    "bookingNumber",
    "clientEmail",
    "errorCode",
    "errorMessage",
    "malformed",
    "doc",
    "type",
    "maxAttempts",
    "provider",
)


def task_row(task: NotificationTask, now: datetime) -> dict[str, Any]:
    """Typed columns plus the document for a task that parses."""
    return task_columns(task, now) | {"malformed": 0, "doc": dumps(task.to_document())}


def task_columns(task: NotificationTask, now: datetime) -> dict[str, Any]:
    finished = None
    if task.status == TaskState.COMPLETED:
        finished = task.completed_at or task.updated_at or now
    elif task.status in FINISHED_STATES:
        finished = task.updated_at or now
    error = task.last_error
    return {
        "status": str(task.status),
        "attempts": task.attempts,
        # 0 for "due now": claims then need only ``status = 'pending' AND nextAttemptAt <= now``.
        "nextAttemptAt": epoch(task.next_attempt_at) or 0.0,
        # Since when the task has been (or will be) due: the age of the queue's head.
        "dueAt": epoch(task.next_attempt_at or min(task.created_at or now, now)),
        "leaseOwner": task.lease_owner,
        "leaseExpiresAt": epoch(task.lease_expires_at),
        "createdAt": epoch(task.created_at),
        "finishedAt": epoch(finished),
        "bookingNumber": task.booking_number,
        "clientEmail": task.client_email,
        "errorCode": error.code if error else "",
        "errorMessage": error.message if error else "",
        "type": str(task.type),
        "maxAttempts": task.max_attempts,
        "provider": task.provider,
    }


def raw_task_row(task_id: str, doc: Any, now: datetime) -> dict[str, Any]:
    """Columns for a document stored as written. One that cannot be parsed is filed as a due
    pending task, so the next claim meets it and turns it dead with the reason."""
    task, reason = read_task(task_id, doc)
    if reason is not None:
        waiting = task.with_changes(
            status=TaskState.PENDING, attempts=0, last_error=None, next_attempt_at=None
        )
        return task_columns(waiting, now) | {"malformed": 1, "doc": dumps(doc)}
    return task_columns(task, now) | {"malformed": 0, "doc": dumps(doc)}


def task_from_row(row: Any) -> NotificationTask:
    """The row's task; for a document that does not parse, what can be salvaged of it, in
    the state its typed columns hold (they are the only state such a row has)."""
    try:
        doc = loads(row["doc"])
    except ValueError:
        doc = None
    task, reason = read_task(row["id"], doc)
    if reason is not None or row["malformed"]:
        error = None
        if row["errorCode"]:
            error = LastError(row["errorCode"], row["errorMessage"], True)
        task = task.with_changes(
            status=TaskState(row["status"]), attempts=row["attempts"], last_error=error
        )
    task.version = row["version"]
    return task
