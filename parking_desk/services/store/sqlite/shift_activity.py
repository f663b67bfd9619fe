"""What a shift did, read from SQLite for the shift report: bookings changed since a time,
the audit log of a span and the e-mails that failed in it. Reads only; the figures are
``services/shift_report.py``'s."""

from __future__ import annotations

from datetime import UTC, datetime

from parking_desk.booking import Booking
from parking_desk.services.store.base import AuditEntry
from parking_desk.services.store.sqlite.bookings import cur_bookings
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import epoch, loads, task_from_row
from parking_desk.task import NotificationTask, TaskState

# The booking's updatedAt inside its JSON document (datetimes are tagged "$ts", ISO in UTC).
_UPDATED = """json_extract(doc, '$.updatedAt."$ts"')"""


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class SqliteShiftActivity:
    """Reads for the shift report. Its index on the documents' updatedAt is its own (an
    expression index, so the bookings table keeps its columns)."""

    def __init__(self, db: SqliteConnections) -> None:
        self._db = db
        with db.write() as conn:
            conn.execute(f"CREATE INDEX IF NOT EXISTS bookings_updated ON bookings({_UPDATED})")

    def bookings_changed_since(self, since: datetime) -> list[Booking]:
        """Every booking whose last change is at or after *since*: each change of a shift
        is in the history of one of them."""
        with self._db.read() as conn:
            cur = conn.execute(
                f"SELECT * FROM bookings WHERE {_UPDATED} >= ? ORDER BY {_UPDATED}",
                (_iso(since),),
            )
            return list(cur_bookings(cur))

    def audit_between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        """Audit entries with ``start <= at < end``, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, doc FROM auditLog WHERE at >= ? AND at < ? ORDER BY at, rowid",
                (epoch(start), epoch(end)),
            ).fetchall()
        entries = []
        for row in rows:
            doc = loads(row["doc"])
            entries.append(
                AuditEntry(
                    id=row["id"],
                    at=doc["at"],
                    operator=doc.get("operator", ""),
                    action=doc.get("action", ""),
                    task_ids=list(doc.get("taskIds") or []),
                    filter=doc.get("filter"),
                    details=doc.get("details") or {},
                )
            )
        return entries

    def failed_tasks_between(self, start: datetime, end: datetime) -> list[NotificationTask]:
        """Tasks that went dead or bounced with ``start <= when < end`` and are so still."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM emailQueue WHERE status IN (?, ?) AND finishedAt >= ? "
                "AND finishedAt < ? ORDER BY finishedAt",
                (str(TaskState.DEAD), str(TaskState.BOUNCED), epoch(start), epoch(end)),
            ).fetchall()
        return [task_from_row(row) for row in rows]
