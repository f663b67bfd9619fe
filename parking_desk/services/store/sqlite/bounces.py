"""The bounce reader's ledger and the suppression list in the SQLite file (tables of their
own: ``bounceCursors``, ``bounceMessages``, ``suppressions``). Claims are conditional
``INSERT``/``UPDATE``s inside ``BEGIN IMMEDIATE``, so two processes on one file cannot both
take a message."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from parking_desk import task_rules
from parking_desk.bounce import (
    Bounce,
    Suppression,
    address_key,
    same_address,
    suppression_for,
    task_id_of,
)
from parking_desk.services.store.bounces import BUSY, CLAIMED, CLEAR_ACTION, DONE
from parking_desk.services.store.sqlite.audit import insert_audit
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import epoch, from_epoch, task_from_row
from parking_desk.services.store.sqlite.tasks import apply_write, read_row
from parking_desk.task import NotificationTask

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bounceCursors ("
    " mailbox TEXT PRIMARY KEY, lastUid INTEGER NOT NULL, updatedAt REAL)",
    "CREATE TABLE IF NOT EXISTS bounceMessages ("
    " mailbox TEXT NOT NULL, uid INTEGER NOT NULL, owner TEXT, expiresAt REAL,"
    " outcome TEXT, finishedAt REAL, PRIMARY KEY (mailbox, uid))",
    "CREATE TABLE IF NOT EXISTS suppressions ("
    " addressKey TEXT PRIMARY KEY, address TEXT NOT NULL, at REAL NOT NULL,"
    " taskId TEXT NOT NULL DEFAULT '', bookingNumber TEXT NOT NULL DEFAULT '',"
    " code TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '')",
)


def _suppression(row: sqlite3.Row) -> Suppression:
    at = from_epoch(row["at"])
    assert at is not None
    return Suppression(
        row["address"], at, row["taskId"], row["bookingNumber"], row["code"], row["reason"]
    )


def suppress(conn: sqlite3.Connection, entry: Suppression) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO suppressions"
        " (addressKey, address, at, taskId, bookingNumber, code, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            address_key(entry.address),
            entry.address.strip(),
            epoch(entry.at),
            entry.task_id,
            entry.booking_number,
            entry.code,
            entry.reason,
        ),
    )


class SqliteBounces:
    """The ``BounceLedger`` role on the store's connections."""

    def __init__(self, db: SqliteConnections) -> None:
        self._db = db
        with db.write() as conn:
            for statement in SCHEMA:
                conn.execute(statement)

    def cursor(self, mailbox: str) -> int:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT lastUid FROM bounceCursors WHERE mailbox = ?", (mailbox,)
            ).fetchone()
        return int(row[0]) if row else 0

    def advance(self, mailbox: str, uid: int, *, now: datetime) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO bounceCursors (mailbox, lastUid, updatedAt) VALUES (?, ?, ?)"
                " ON CONFLICT (mailbox) DO UPDATE SET lastUid = excluded.lastUid,"
                " updatedAt = excluded.updatedAt WHERE excluded.lastUid > lastUid",
                (mailbox, uid, epoch(now)),
            )

    def claim(self, mailbox: str, uid: int, owner: str, *, lease: timedelta, now: datetime) -> str:
        with self._db.write() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO bounceMessages (mailbox, uid, owner, expiresAt)"
                " VALUES (?, ?, ?, ?)",
                (mailbox, uid, owner, epoch(now + lease)),
            )
            if cur.rowcount == 1:
                return CLAIMED
            row = conn.execute(
                "SELECT outcome FROM bounceMessages WHERE mailbox = ? AND uid = ?", (mailbox, uid)
            ).fetchone()
            if row["outcome"] is not None:
                return DONE
            cur = conn.execute(
                "UPDATE bounceMessages SET owner = ?, expiresAt = ? WHERE mailbox = ? AND uid = ?"
                " AND outcome IS NULL AND expiresAt <= ?",
                (owner, epoch(now + lease), mailbox, uid, epoch(now)),
            )
            return CLAIMED if cur.rowcount == 1 else BUSY

    def finish(self, mailbox: str, uid: int, owner: str, outcome: str, *, now: datetime) -> bool:
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE bounceMessages SET outcome = ?, finishedAt = ?, expiresAt = NULL"
                " WHERE mailbox = ? AND uid = ? AND owner = ? AND outcome IS NULL",
                (outcome, epoch(now), mailbox, uid, owner),
            )
        return cur.rowcount == 1

    def find_task(self, message_id: str) -> NotificationTask | None:
        wanted = message_id.strip()
        candidate = task_id_of(wanted)
        with self._db.read() as conn:
            if candidate:
                row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (candidate,)).fetchone()
                if row is not None and task_from_row(row).message_id == wanted:
                    return task_from_row(row)
            # A website task id with characters a Message-ID cannot carry: look it up.
            row = conn.execute(
                "SELECT * FROM emailQueue WHERE malformed = 0"
                " AND json_extract(doc, '$.messageId') = ? LIMIT 1",
                (wanted,),
            ).fetchone()
        return task_from_row(row) if row is not None else None

    def record_bounce(
        self, task_id: str, report: Bounce, who: str, *, now: datetime
    ) -> NotificationTask | None:
        with self._db.write() as conn:
            row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (task_id,)).fetchone()
            if row is None:
                return None
            task, reason = read_row(row)
            if report.permanent:
                suppress(conn, suppression_for(report, task.id, task.booking_number, now))
            if reason is not None or not same_address(task.client_email, report.recipient):
                return None
            write = task_rules.bounce(task, report, who, now)
            if write is None:
                return None
            seq = self._db.next_seq(conn)
            if not apply_write(conn, row, write, seq, now, malformed=False):
                return None
            return write.task

    def record_delay(self, task_id: str, report: Bounce, who: str, *, now: datetime) -> bool:
        with self._db.write() as conn:
            row = conn.execute("SELECT * FROM emailQueue WHERE id = ?", (task_id,)).fetchone()
            if row is None:
                return False
            task, reason = read_row(row)
            if reason is not None:
                return False
            write = task_rules.note_delay(task, report, who, now)
            return apply_write(conn, row, write, self._db.next_seq(conn), now, malformed=False)


class SqliteSuppressions:
    """The ``SuppressionList`` role on the store's connections."""

    def __init__(self, db: SqliteConnections) -> None:
        self._db = db
        with db.write() as conn:
            for statement in SCHEMA:
                conn.execute(statement)

    def get(self, address: str) -> Suppression | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM suppressions WHERE addressKey = ?", (address_key(address),)
            ).fetchone()
        return _suppression(row) if row is not None else None

    def all(self, limit: int = 500) -> list[Suppression]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM suppressions ORDER BY at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_suppression(r) for r in rows]

    def clear(self, address: str, *, operator: str, now: datetime) -> bool:
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT * FROM suppressions WHERE addressKey = ?", (address_key(address),)
            ).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM suppressions WHERE addressKey = ?", (row["addressKey"],))
            entry = _suppression(row)
            details = {"address": entry.address, "bookingNumber": entry.booking_number}
            ids = [entry.task_id] if entry.task_id else []
            insert_audit(conn, operator, CLEAR_ACTION, ids, None, details, now)
        return True
