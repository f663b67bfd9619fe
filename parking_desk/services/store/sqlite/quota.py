"""The shared sending quota in the SQLite file: one row per transport and hour.

Every desk and worker on this file counts against the same rows. A reservation sums the
window and adds one in the same ``BEGIN IMMEDIATE`` transaction, so two processes can never
both take the last unit; hours that left the window are deleted on the way. The table is
this module's own (created on first use), apart from the queue's schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from parking_desk.quota import QuotaUnit, bucket_of, in_window, window_start
from parking_desk.timeutil import utcnow

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS quotaWindow (
    transport TEXT NOT NULL,
    bucket INTEGER NOT NULL,  -- epoch seconds of the hour's start (UTC)
    used INTEGER NOT NULL,
    PRIMARY KEY (transport, bucket)
) WITHOUT ROWID
"""


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _hour(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class SqliteQuota:
    """Rolling-window quota counters; *write* and *read* are the store's transactions."""

    def __init__(self, write: Transaction, read: Transaction) -> None:
        self._write = write
        self._read = read
        with self._write() as conn:
            conn.execute(SCHEMA)

    def reserve(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None:
        now = now or utcnow()
        bucket = bucket_of(now)
        start = _epoch(window_start(now))
        with self._write() as conn:
            conn.execute(
                "DELETE FROM quotaWindow WHERE transport = ? AND bucket < ?", (transport, start)
            )
            row = conn.execute(
                "SELECT COALESCE(SUM(used), 0) FROM quotaWindow "
                "WHERE transport = ? AND bucket >= ? AND bucket <= ?",
                (transport, start, _epoch(bucket)),
            ).fetchone()
            if int(row[0]) >= limit:
                return None
            conn.execute(
                "INSERT INTO quotaWindow (transport, bucket, used) VALUES (?, ?, 1) "
                "ON CONFLICT (transport, bucket) DO UPDATE SET used = used + 1",
                (transport, _epoch(bucket)),
            )
        return QuotaUnit(transport, bucket)

    def release(self, unit: QuotaUnit) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE quotaWindow SET used = used - 1 "
                "WHERE transport = ? AND bucket = ? AND used > 0",
                (unit.transport, _epoch(unit.bucket)),
            )

    def counts(self, transport: str, *, now: datetime | None = None) -> dict[datetime, int]:
        now = now or utcnow()
        with self._read() as conn:
            rows = conn.execute(
                "SELECT bucket, used FROM quotaWindow WHERE transport = ? AND bucket >= ?",
                (transport, _epoch(window_start(now))),
            ).fetchall()
        return in_window({_hour(int(r[0])): int(r[1]) for r in rows}, now)
