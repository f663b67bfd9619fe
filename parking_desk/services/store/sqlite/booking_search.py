"""Search by any part of a word in SQLite: the bookings' search tokens in a side table.

Each booking's tokens (``parking_desk.search_text``, the same list its Firestore document
carries) are rows of ``bookingTokens``, keyed so that one token's bookings come newest
first straight from the index. The bookings part writes them with every change it makes;
any other writer of a booking row (a recipient fix, an erasure, a replayed offline booking)
drops them through the triggers below, so tokens are never stale: such a booking is found
by the prefix searches until the desk writes it again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from parking_desk.booking import Booking
from parking_desk.search_text import lookup_tokens, required_tokens, search_tokens
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import booking_from_row, epoch

TABLE = (
    """CREATE TABLE IF NOT EXISTS bookingTokens (
        token TEXT NOT NULL,
        createdAt REAL NOT NULL,
        bookingNumber TEXT NOT NULL,
        PRIMARY KEY (token, createdAt, bookingNumber)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS bookingTokens_booking ON bookingTokens(bookingNumber, token)",
    """CREATE TRIGGER IF NOT EXISTS bookingTokens_deleted AFTER DELETE ON bookings
    BEGIN DELETE FROM bookingTokens WHERE bookingNumber = old.bookingNumber; END""",
    """CREATE TRIGGER IF NOT EXISTS bookingTokens_rewritten AFTER UPDATE OF doc ON bookings
    BEGIN DELETE FROM bookingTokens WHERE bookingNumber = old.bookingNumber; END""",
)
# Counting a token's bookings stops here: past it, a token is common enough to lose to any
# rarer one, and a count must stay cheap.
COUNT_CAP = 5000
# Candidates read at a time from one token's list (most pass the check).
BATCH = 200


class SqliteBookingSearch:
    def __init__(self, db: SqliteConnections) -> None:
        self._db = db
        with db.write() as conn:
            for statement in TABLE:
                conn.execute(statement)

    @staticmethod
    def index(conn: sqlite3.Connection, booking: Booking) -> None:
        """Write *booking*'s tokens, in the transaction that writes the booking."""
        number = booking.booking_number or ""
        conn.execute("DELETE FROM bookingTokens WHERE bookingNumber = ?", (number,))
        created = epoch(booking.created_at) or 0.0
        conn.executemany(
            "INSERT OR IGNORE INTO bookingTokens (token, createdAt, bookingNumber)"
            " VALUES (?, ?, ?)",
            [(token, created, number) for token in search_tokens(booking)],
        )

    @staticmethod
    def _rarest(conn: sqlite3.Connection, tokens: Sequence[str]) -> str:
        def count(token: str) -> int:
            row = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM bookingTokens WHERE token = ? LIMIT ?)",
                (token, COUNT_CAP),
            ).fetchone()
            return int(row[0])

        return min(tokens, key=count) if len(tokens) > 1 else tokens[0]

    def candidates(
        self, conn: sqlite3.Connection, text: str, where: Sequence[str], args: Sequence[Any]
    ) -> Iterator[Booking]:
        """Bookings holding the rarest token of *text* and meeting *where*, newest first.
        The caller checks each against the whole query and stops when it has enough."""
        tokens = lookup_tokens(text)
        if not tokens:
            return
        token = self._rarest(conn, tokens)
        # Every other word's token too, so a common first word ("ana vî") is not read
        # booking by booking to find the few the second one narrows to.
        others = [t for t in required_tokens(text) if t != token]
        clause = "".join(f" AND {w}" for w in where) + "".join(
            " AND EXISTS (SELECT 1 FROM bookingTokens u"
            " WHERE u.bookingNumber = t.bookingNumber AND u.token = ?)"
            for _ in others
        )
        cur = conn.execute(
            "SELECT b.* FROM bookingTokens t JOIN bookings b ON b.bookingNumber = t.bookingNumber"
            f" WHERE t.token = ?{clause} ORDER BY t.createdAt DESC, t.bookingNumber DESC",
            [token, *args, *others],
        )
        while rows := cur.fetchmany(BATCH):
            for row in rows:
                yield booking_from_row(row)
