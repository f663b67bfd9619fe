"""Staff accounts in SQLite: one row per person, each write conditioned on its version.

The row's ``version`` goes up with every write; ``replace`` only lands if the row is still at
the version the caller read, so two desks counting wrong PINs at once never lose a count
(the loser reads again and counts on top of the winner's write).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from parking_desk.services.store.sqlite.schema import dumps, loads
from parking_desk.staff import StaffMember, name_key, staff_id

Connection = Callable[[], AbstractContextManager[sqlite3.Connection]]

TABLE = """
CREATE TABLE IF NOT EXISTS staff (
    id TEXT PRIMARY KEY,
    nameKey TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL DEFAULT 1,
    doc TEXT NOT NULL
)
"""


class SqliteStaff:
    """``staff/{id}`` on the store's connections (*write* and *read* transactions)."""

    def __init__(self, write: Connection, read: Connection) -> None:
        self._write = write
        self._read = read
        with self._write() as conn:
            conn.execute(TABLE)

    @staticmethod
    def _member(row: sqlite3.Row) -> StaffMember:
        return StaffMember.from_document(row["id"], loads(row["doc"]), int(row["version"]))

    def get(self, staff_id: str) -> StaffMember | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT id, version, doc FROM staff WHERE id = ?", (staff_id,)
            ).fetchone()
        return self._member(row) if row is not None else None

    def by_name(self, name: str) -> StaffMember | None:
        return self.get(staff_id(name))

    def all(self) -> list[StaffMember]:
        with self._read() as conn:
            rows = conn.execute("SELECT id, version, doc FROM staff").fetchall()
        return sorted((self._member(r) for r in rows), key=lambda m: name_key(m.name))

    def any(self) -> bool:
        with self._read() as conn:
            return conn.execute("SELECT 1 FROM staff LIMIT 1").fetchone() is not None

    def create(self, member: StaffMember) -> StaffMember | None:
        """Create-only: None when the id or the name is taken."""
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO staff (id, nameKey, version, doc) VALUES (?, ?, 1, ?)",
                    (member.id, name_key(member.name), dumps(member.to_document())),
                )
            except sqlite3.IntegrityError:
                return None
        return StaffMember.from_document(member.id, member.to_document(), 1)

    def replace(self, member: StaffMember) -> StaffMember | None:
        """Write *member* if its row is still at ``member.version``; the stored account, or
        None when another write came first (read again and decide again)."""
        with self._write() as conn:
            row = conn.execute(
                "UPDATE staff SET doc = ?, version = version + 1 WHERE id = ? AND version = ? "
                "RETURNING version",
                (dumps(member.to_document()), member.id, member.version),
            ).fetchone()
        if row is None:
            return None
        return StaffMember.from_document(member.id, member.to_document(), int(row[0]))
