"""The site's signing keys in the SQLite file: every desk and worker on the file shares them.

A single-desk install keeps the same ring as a Firestore site, with one key in it, so the
desk verifies its tickets the same way in both. The table is this module's own (created on
first use), apart from the queue's schema. Publishing is insert-or-ignore: a key already
there keeps its record (its creation time, its revocation).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from parking_desk.services.key_ring import SigningKey, with_revocation
from parking_desk.services.store.sqlite.schema import epoch, from_epoch

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS signingKeys (
    kid TEXT PRIMARY KEY,
    publicKey TEXT NOT NULL,
    machine TEXT NOT NULL,
    createdAt REAL NOT NULL,
    revokedAt REAL,
    revokedBy TEXT NOT NULL DEFAULT ''
)
"""


def _key(row: sqlite3.Row) -> SigningKey:
    created = from_epoch(row["createdAt"])
    assert created is not None  # NOT NULL column
    return SigningKey(
        kid=row["kid"],
        public_key_pem=row["publicKey"],
        machine=row["machine"],
        created_at=created,
        revoked_at=from_epoch(row["revokedAt"]),
        revoked_by=row["revokedBy"] or "",
    )


class SqliteKeys:
    """``signingKeys`` rows; *write* and *read* are the store's transactions."""

    def __init__(self, write: Transaction, read: Transaction) -> None:
        self._write = write
        self._read = read
        with self._write() as conn:
            conn.execute(SCHEMA)

    def publish(self, key: SigningKey) -> SigningKey:
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO signingKeys "
                "(kid, publicKey, machine, createdAt, revokedAt, revokedBy) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.kid,
                    key.public_key_pem,
                    key.machine,
                    epoch(key.created_at),
                    epoch(key.revoked_at),
                    key.revoked_by,
                ),
            )
            row = conn.execute("SELECT * FROM signingKeys WHERE kid = ?", (key.kid,)).fetchone()
        return _key(row)

    def all(self) -> list[SigningKey]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM signingKeys ORDER BY createdAt, kid").fetchall()
        return [_key(r) for r in rows]

    def revoke(self, kid: str, *, revoked_by: str, at: datetime) -> tuple[SigningKey | None, bool]:
        with self._write() as conn:
            row = conn.execute("SELECT * FROM signingKeys WHERE kid = ?", (kid,)).fetchone()
            if row is None:
                return None, False
            key = _key(row)
            revoked = with_revocation(key, by=revoked_by, at=at)
            if revoked == key:
                return key, False
            conn.execute(
                "UPDATE signingKeys SET revokedAt = ?, revokedBy = ? WHERE kid = ?",
                (epoch(revoked.revoked_at), revoked.revoked_by, kid),
            )
        return revoked, True
