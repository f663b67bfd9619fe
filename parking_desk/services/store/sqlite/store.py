"""The embedded store: one SQLite file, the default when no cloud project is configured.

Same contract and semantics as Firestore (``tests/contract`` runs on both); the queue lives
in ``sqlite_queue.py`` / ``sqlite_queue_admin.py``, bookings, heartbeats and quotas here.
Changes to a booking are recorded in its own history (who, when, what); the audit log is
kept for the supervisor's actions on the queue.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import NotFound, StoreUnavailable
from parking_desk.quota import QuotaUnit
from parking_desk.services.key_ring import SigningKey
from parking_desk.services.store.base import BookingQuery, WorkerInfo
from parking_desk.services.store.sqlite.alerts import SqliteAlerts
from parking_desk.services.store.sqlite.keys import SqliteKeys
from parking_desk.services.store.sqlite.queue_admin import SqliteQueueAdmin
from parking_desk.services.store.sqlite.quota import SqliteQuota
from parking_desk.services.store.sqlite.schema import (
    booking_from_row,
    booking_row,
    dumps,
    epoch,
    loads,
    task_from_row,
)
from parking_desk.services.store.sqlite.staff import SqliteStaff
from parking_desk.task import NotificationTask, TaskState, TaskType
from parking_desk.timeutil import as_utc, utcnow
from parking_desk.validation import normalise_plate, validate_booking

NUMBER_TRIES = 100
# The highest code point: "prefix" <= x < "prefix" + TOP selects every x starting with prefix.
TOP = "\U0010ffff"


class SqliteStore(SqliteQueueAdmin):
    kind = "sqlite"

    def __init__(
        self, path: str | Path, *, poll_interval: float = 0.5, busy_timeout: float = 15.0
    ) -> None:
        self.poll_interval = poll_interval
        # Booking numbers are drawn at random; the primary key refuses a taken one.
        self._numbers = random.SystemRandom()
        super().__init__(path, busy_timeout=busy_timeout)
        self.quota = SqliteQuota(self._write, self._read)
        self.ring = SqliteKeys(self._write, self._read)
        self.staff = SqliteStaff(self._write, self._read)
        self.alerts = SqliteAlerts(self._write, self._read)

    # --- bookings ---------------------------------------------------------------------------
    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = now or utcnow()
        validate_booking(booking)  # before the write lock: a bad form waits for nobody
        with self._write() as conn:
            for _ in range(NUMBER_TRIES):
                number = str(self._numbers.randint(100000, 999999))
                change = booking_rules.create(booking, number, "", now, task_type)
                if self._insert_booking(conn, change.booking):
                    break
            else:
                raise StoreUnavailable("no free booking number")
            self._write_change(conn, change, now)
        assert change.queued is not None
        return change.booking, change.queued

    def _write_change(
        self, conn: sqlite3.Connection, change: booking_rules.BookingChange, now: datetime
    ) -> None:
        """The queue's side of a booking change, in the booking's transaction."""
        seq = self._next_seq(conn)
        for write in change.updates:
            self._save_task(conn, write.task, seq, now)
        if change.queued is not None:
            self._insert_task(conn, change.queued, seq, now)

    @staticmethod
    def _insert_booking(conn: sqlite3.Connection, booking: Booking) -> bool:
        row = booking_row(booking)
        names = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        cur = conn.execute(f"INSERT OR IGNORE INTO bookings ({names}) VALUES ({marks})", row)
        return cur.rowcount == 1

    @staticmethod
    def _update_booking(conn: sqlite3.Connection, booking: Booking) -> None:
        row = booking_row(booking)
        sets = ", ".join(f"{k} = :{k}" for k in row if k != "bookingNumber")
        conn.execute(f"UPDATE bookings SET {sets} WHERE bookingNumber = :bookingNumber", row)

    @staticmethod
    def _load_booking(conn: sqlite3.Connection, number: str) -> Booking:
        row = conn.execute(
            "SELECT * FROM bookings WHERE bookingNumber = ?", (str(number).strip(),)
        ).fetchone()
        if row is None:
            raise NotFound(number=number)
        return booking_from_row(row)

    def get_booking(self, number: str) -> Booking | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT * FROM bookings WHERE bookingNumber = ?", (str(number).strip(),)
            ).fetchone()
        return booking_from_row(row) if row is not None else None

    def search_bookings(self, query: BookingQuery) -> list[Booking]:
        where: list[str] = []
        args: list[Any] = []
        if query.number:
            where.append("bookingNumber = ?")
            args.append(query.number.strip())
        if query.plate:
            plate = normalise_plate(query.plate)
            where.append("plate >= ? AND plate < ?")
            args += [plate, plate + TOP]
        if query.name_prefix and query.name_prefix.strip():
            name = " ".join(query.name_prefix.split()).casefold()
            where.append("clientNameLower >= ? AND clientNameLower < ?")
            args += [name, name + TOP]
        if query.arrival_day:
            where.append("arrivalDay = ?")
            args.append(query.arrival_day.isoformat())
        if query.departure_day:
            where.append("departureDay = ?")
            args.append(query.departure_day.isoformat())
        if query.statuses:
            where.append(f"status IN ({', '.join('?' * len(query.statuses))})")
            args += sorted(str(s) for s in query.statuses)
        text = query.text.strip()
        if text:
            either = ["bookingNumber = ?"]
            args.append(text)
            plate = normalise_plate(text)
            if plate:
                either.append("(plate >= ? AND plate < ?)")
                args += [plate, plate + TOP]
            name = " ".join(text.split()).casefold()
            either.append("(clientNameLower >= ? AND clientNameLower < ?)")
            args += [name, name + TOP]
            where.append("(" + " OR ".join(either) + ")")
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT * FROM bookings{clause} ORDER BY createdAt DESC, bookingNumber LIMIT ?",
                [*args, query.limit],
            ).fetchall()
        return [booking_from_row(row) for row in rows]

    def set_booking_status(
        self,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        now: datetime | None = None,
    ) -> Booking:
        now = now or utcnow()
        with self._write() as conn:
            booking = self._load_booking(conn, number)
            waiting = self._waiting_tasks(conn, booking) if to == BookingStatus.CANCELLED else []
            change = booking_rules.change_status(booking, BookingStatus(to), operator, now, waiting)
            self._update_booking(conn, change.booking)
            self._write_change(conn, change, now)
        return change.booking

    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = now or utcnow()
        with self._write() as conn:
            booking = self._load_booking(conn, number)
            change = booking_rules.amend(
                booking, changes, operator, now, self._waiting_tasks(conn, booking)
            )
            self._update_booking(conn, change.booking)
            self._write_change(conn, change, now)
        return change.booking, booking_rules.announcing(change)

    @staticmethod
    def _waiting_tasks(conn: sqlite3.Connection, booking: Booking) -> list[NotificationTask]:
        """The booking's tasks not yet being sent (readable ones: a malformed document is
        no confirmation anybody will receive)."""
        rows = conn.execute(
            "SELECT * FROM emailQueue WHERE bookingNumber = ? AND status = ? AND malformed = 0",
            (booking.booking_number, str(TaskState.PENDING)),
        ).fetchall()
        return [task_from_row(row) for row in rows]

    def enqueue(
        self,
        booking_number: str,
        task_type: TaskType = TaskType.BOTH,
        *,
        operator: str = "",
        now: datetime | None = None,
    ) -> NotificationTask:
        now = now or utcnow()
        with self._write() as conn:
            booking = self._load_booking(conn, booking_number)
            change = booking_rules.resend(booking, TaskType(task_type), operator, now)
            self._update_booking(conn, change.booking)
            self._write_change(conn, change, now)
        assert change.queued is not None
        return change.queued

    # --- workers, quotas --------------------------------------------------------------------
    def heartbeat(self, info: WorkerInfo) -> None:
        doc = {
            "workerId": info.worker_id,
            "host": info.host,
            "pid": info.pid,
            "kind": info.kind,
            "startedAt": info.started_at,
            "lastHeartbeat": info.last_heartbeat,
            "sentTotal": info.sent_total,
            "state": info.state,
        }
        with self._write() as conn:
            conn.execute(
                "INSERT INTO workers (workerId, lastHeartbeat, doc) VALUES (?, ?, ?) "
                "ON CONFLICT(workerId) DO UPDATE SET lastHeartbeat = excluded.lastHeartbeat, "
                "doc = excluded.doc",
                (info.worker_id, epoch(info.last_heartbeat), dumps(doc)),
            )

    def workers(self, *, seen_since: datetime | None = None) -> list[WorkerInfo]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT doc FROM workers WHERE lastHeartbeat >= ? ORDER BY workerId",
                (epoch(seen_since) if seen_since is not None else float("-inf"),),
            ).fetchall()
        found = []
        for row in rows:
            doc = loads(row["doc"])
            started, beat = as_utc(doc.get("startedAt")), as_utc(doc.get("lastHeartbeat"))
            if started is None or beat is None:
                continue  # every heartbeat writes both: not one of ours
            found.append(
                WorkerInfo(
                    worker_id=doc["workerId"],
                    host=doc.get("host", ""),
                    pid=int(doc.get("pid") or 0),
                    kind=doc.get("kind", "worker"),
                    started_at=started,
                    last_heartbeat=beat,
                    sent_total=int(doc.get("sentTotal") or 0),
                    state=doc.get("state", "running"),
                )
            )
        return found

    # The sending quota: a rolling 24 hours in hour buckets (``parking_desk.quota``), kept by
    # ``self.quota``; a unit is reserved before a send and given back unless it went out.
    def reserve_quota(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None:
        return self.quota.reserve(transport, limit, now=now)

    def release_quota(self, unit: QuotaUnit) -> None:
        self.quota.release(unit)

    def quota_counts(self, transport: str, *, now: datetime | None = None) -> dict[datetime, int]:
        return self.quota.counts(transport, now=now)

    def quota_used(self, transport: str, *, now: datetime | None = None) -> int:
        return sum(self.quota_counts(transport, now=now).values())

    # --- the site's signing keys (sqlite_keys) ----------------------------------------------
    def publish_signing_key(self, key: SigningKey) -> SigningKey:
        return self.ring.publish(key)

    def signing_keys(self) -> list[SigningKey]:
        return self.ring.all()

    def revoke_signing_key(
        self, kid: str, *, revoked_by: str, at: datetime
    ) -> tuple[SigningKey | None, bool]:
        return self.ring.revoke(kid, revoked_by=revoked_by, at=at)
