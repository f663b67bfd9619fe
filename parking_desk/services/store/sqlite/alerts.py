"""Webhook alerts in the SQLite file (``alerts`` table, this module's own).

A claim is one ``UPDATE … WHERE nextAttemptAt <= now`` per alert inside ``BEGIN IMMEDIATE``,
so two processes on the same file cannot both take an alert; outcomes are written only
``WHERE leaseOwner = ?`` (the claimer still holds it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from parking_desk.services.store.alerts import ERROR_LIMIT, Alert
from parking_desk.services.store.sqlite.schema import epoch, from_epoch

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    nextAttemptAt REAL,          -- NULL once delivered
    leaseOwner TEXT,
    lastError TEXT,
    deliveredAt REAL,
    createdAt REAL NOT NULL
)
""",
    "CREATE INDEX IF NOT EXISTS alertsDue ON alerts (nextAttemptAt)"
    " WHERE nextAttemptAt IS NOT NULL",
)


def _alert(row: sqlite3.Row) -> Alert:
    created = from_epoch(row["createdAt"])
    assert created is not None
    return Alert(
        id=row["id"],
        event=row["event"],
        body=row["body"],
        attempts=int(row["attempts"]),
        next_attempt_at=from_epoch(row["nextAttemptAt"]),
        last_error=row["lastError"],
        delivered_at=from_epoch(row["deliveredAt"]),
        created_at=created,
        lease_owner=row["leaseOwner"],
    )


class SqliteAlerts:
    """The ``AlertQueue`` role; *write* and *read* are the store's transactions."""

    def __init__(self, write: Transaction, read: Transaction) -> None:
        self._write = write
        self._read = read
        with self._write() as conn:
            for statement in SCHEMA:
                conn.execute(statement)

    def add(self, alert_id: str, event: str, body: str, *, now: datetime) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO alerts (id, event, body, nextAttemptAt, createdAt) "
                "VALUES (?, ?, ?, ?, ?)",
                (alert_id, event, body, epoch(now), epoch(now)),
            )

    def claim_due(self, owner: str, *, now: datetime, lease: timedelta, limit: int) -> list[Alert]:
        with self._write() as conn:
            rows = conn.execute(
                "UPDATE alerts SET leaseOwner = ?, nextAttemptAt = ? WHERE id IN ("
                " SELECT id FROM alerts WHERE nextAttemptAt IS NOT NULL AND nextAttemptAt <= ?"
                " ORDER BY nextAttemptAt LIMIT ?) RETURNING *",
                (owner, epoch(now + lease), epoch(now), limit),
            ).fetchall()
        return sorted((_alert(r) for r in rows), key=lambda a: a.created_at)

    def delivered(self, alert_id: str, owner: str, *, now: datetime) -> bool:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE alerts SET deliveredAt = ?, nextAttemptAt = NULL, leaseOwner = NULL,"
                " attempts = attempts + 1, lastError = NULL"
                " WHERE id = ? AND leaseOwner = ? AND deliveredAt IS NULL",
                (epoch(now), alert_id, owner),
            )
        return cur.rowcount == 1

    def failed(self, alert_id: str, owner: str, error: str, *, next_attempt_at: datetime) -> bool:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE alerts SET nextAttemptAt = ?, leaseOwner = NULL,"
                " attempts = attempts + 1, lastError = ?"
                " WHERE id = ? AND leaseOwner = ? AND deliveredAt IS NULL",
                (epoch(next_attempt_at), error[:ERROR_LIMIT], alert_id, owner),
            )
        return cur.rowcount == 1

    def get(self, alert_id: str) -> Alert | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return _alert(row) if row is not None else None

    def undelivered(self, limit: int = 100) -> list[Alert]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM alerts WHERE deliveredAt IS NULL ORDER BY createdAt LIMIT ?",
                (limit,),
            ).fetchall()
        return [_alert(r) for r in rows]

    def purge_delivered(self, before: datetime) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM alerts WHERE deliveredAt IS NOT NULL AND deliveredAt < ?",
                (epoch(before),),
            )
        return cur.rowcount
