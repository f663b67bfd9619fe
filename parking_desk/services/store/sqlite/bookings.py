"""Bookings in SQLite: numbers drawn at random (the primary key refuses a taken one),
search over typed columns, and every change with its queue side in one transaction. What a
change writes is decided by ``parking_desk.booking_rules``."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import NotFound, StoreUnavailable
from parking_desk.services.store.base import BookingQuery
from parking_desk.services.store.booking_match import matches, newest_first
from parking_desk.services.store.sqlite.audit import insert_audit
from parking_desk.services.store.sqlite.booking_search import SqliteBookingSearch
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import (
    booking_from_row,
    booking_row,
    task_from_row,
    utc_day,
)
from parking_desk.services.store.sqlite.tasks import insert_task, save_task
from parking_desk.task import NotificationTask, TaskState, TaskType
from parking_desk.timeutil import utcnow
from parking_desk.validation import normalise_plate, validate_booking

NUMBER_TRIES = 100
# The highest code point: "prefix" <= x < "prefix" + TOP selects every x starting with prefix.
TOP = "\U0010ffff"


class SqliteBookings:
    """The desk's role: create, find, check in and out, amend, resend."""

    def __init__(self, db: SqliteConnections) -> None:
        self._db = db
        self._numbers = random.SystemRandom()
        self._search = SqliteBookingSearch(db)

    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = now or utcnow()
        validate_booking(booking)  # before the write lock: a bad form waits for nobody
        with self._db.write() as conn:
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
        seq = self._db.next_seq(conn)
        for write in change.updates:
            save_task(conn, write.task, seq, now)
        if change.queued is not None:
            insert_task(conn, change.queued, seq, now)

    @staticmethod
    def _insert_booking(conn: sqlite3.Connection, booking: Booking) -> bool:
        row = booking_row(booking)
        names = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        cur = conn.execute(f"INSERT OR IGNORE INTO bookings ({names}) VALUES ({marks})", row)
        if cur.rowcount == 1:
            SqliteBookingSearch.index(conn, booking)
        return cur.rowcount == 1

    @staticmethod
    def _update_booking(conn: sqlite3.Connection, booking: Booking) -> None:
        row = booking_row(booking)
        sets = ", ".join(f"{k} = :{k}" for k in row if k != "bookingNumber")
        conn.execute(f"UPDATE bookings SET {sets} WHERE bookingNumber = :bookingNumber", row)
        SqliteBookingSearch.index(conn, booking)

    @staticmethod
    def _load_booking(conn: sqlite3.Connection, number: str) -> Booking:
        row = conn.execute(
            "SELECT * FROM bookings WHERE bookingNumber = ?", (str(number).strip(),)
        ).fetchone()
        if row is None:
            raise NotFound(number=number)
        return booking_from_row(row)

    def get_booking(self, number: str) -> Booking | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM bookings WHERE bookingNumber = ?", (str(number).strip(),)
            ).fetchone()
        return booking_from_row(row) if row is not None else None

    def search_bookings(self, query: BookingQuery) -> list[Booking]:
        """The typed columns narrow, ``booking_match`` decides. The search text runs twice:
        as a number, plate prefix or name prefix over the columns (every booking, the
        website's too), and by the rarest of its search tokens; the two are merged."""
        where, args = _criteria(query, "b.")
        text = query.text.strip()
        found: dict[str, Booking] = {}
        with self._db.read() as conn:
            either, either_args = _prefix_text(text, "b.")
            sql_where = [*where, either] if either else where
            clause = (" WHERE " + " AND ".join(sql_where)) if sql_where else ""
            cur = conn.execute(
                f"SELECT b.* FROM bookings b{clause} ORDER BY b.createdAt DESC, b.bookingNumber",
                [*args, *either_args],
            )
            self._keep(cur_bookings(cur), query, found)
            if text:
                self._keep(self._search.candidates(conn, text, where, args), query, found)
        return newest_first(list(found.values()))[: query.limit]

    @staticmethod
    def _keep(bookings: Iterator[Booking], query: BookingQuery, found: dict[str, Booking]) -> None:
        """Add the bookings that answer *query* until *limit* of this source are in."""
        kept = 0
        for booking in bookings:
            if kept >= query.limit:
                return
            if matches(booking, query):
                kept += 1
                found[booking.booking_number or ""] = booking

    def set_booking_status(
        self,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        now: datetime | None = None,
        desk: str = "",
    ) -> Booking:
        now = now or utcnow()
        with self._db.write() as conn:
            booking = self._load_booking(conn, number)
            waiting = self._waiting_tasks(conn, booking) if to == BookingStatus.CANCELLED else []
            change = booking_rules.change_status(
                booking, BookingStatus(to), operator, now, waiting, desk
            )
            self._update_booking(conn, change.booking)
            self._write_change(conn, change, now)
        return change.booking

    def undo_scan(
        self, number: str, *, operator: str, not_before: datetime, now: datetime | None = None
    ) -> Booking:
        """``booking_rules.undo_scan``, audited in the same transaction."""
        now = now or utcnow()
        with self._db.write() as conn:
            booking = self._load_booking(conn, number)
            change = booking_rules.undo_scan(booking, operator, now, not_before)
            self._update_booking(conn, change.booking)
            details = booking_rules.undo_audit(change)
            insert_audit(conn, operator, booking_rules.UNDO_ACTION, [], None, details, now)
        return change.booking

    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        now = now or utcnow()
        with self._db.write() as conn:
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
        with self._db.write() as conn:
            booking = self._load_booking(conn, booking_number)
            change = booking_rules.resend(booking, TaskType(task_type), operator, now)
            self._update_booking(conn, change.booking)
            self._write_change(conn, change, now)
        assert change.queued is not None
        return change.queued


def cur_bookings(cur: sqlite3.Cursor) -> Iterator[Booking]:
    while rows := cur.fetchmany(200):
        for row in rows:
            yield booking_from_row(row)


def _criteria(query: BookingQuery, col: str) -> tuple[list[str], list[Any]]:
    """SQL that narrows to the bookings *query*'s criteria (all but the text) may match;
    ranges go by UTC day, the exact instant is ``booking_match``'s."""
    where: list[str] = []
    args: list[Any] = []
    if query.number:
        where.append(f"{col}bookingNumber = ?")
        args.append(query.number.strip())
    if query.plate:
        plate = normalise_plate(query.plate)
        where.append(f"{col}plate >= ? AND {col}plate < ?")
        args += [plate, plate + TOP]
    if query.name_prefix and query.name_prefix.strip():
        name = " ".join(query.name_prefix.split()).casefold()
        where.append(f"{col}clientNameLower >= ? AND {col}clientNameLower < ?")
        args += [name, name + TOP]
    for day, column in ((query.arrival_day, "arrivalDay"), (query.departure_day, "departureDay")):
        if day:
            where.append(f"{col}{column} = ?")
            args.append(day.isoformat())
    for start, before, column in (
        (query.arrival_from, query.arrival_before, "arrivalDay"),
        (query.departure_from, query.departure_before, "departureDay"),
    ):
        if start is not None:
            where.append(f"{col}{column} >= ?")
            args.append(utc_day(start))
        if before is not None:
            where.append(f"{col}{column} <= ?")
            args.append(utc_day(before))
    if query.statuses:
        where.append(f"{col}status IN ({', '.join('?' * len(query.statuses))})")
        args += sorted(str(s) for s in query.statuses)
    return where, args


def _prefix_text(text: str, col: str) -> tuple[str, list[Any]]:
    """The search text as a number, a plate prefix or a name prefix, in SQL."""
    if not text:
        return "", []
    either = [f"{col}bookingNumber = ?"]
    args: list[Any] = [text]
    plate = normalise_plate(text)
    if plate:
        either.append(f"({col}plate >= ? AND {col}plate < ?)")
        args += [plate, plate + TOP]
    name = " ".join(text.split()).casefold()
    either.append(f"({col}clientNameLower >= ? AND {col}clientNameLower < ?)")
    args += [name, name + TOP]
    return "(" + " OR ".join(either) + ")", args
