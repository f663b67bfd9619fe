"""The offline journal: what a desk did while its store could not be reached, in a SQLite
file in the desk's data folder, until the store has it.

Durable before the ticket is shown: WAL with ``synchronous=FULL`` syncs every commit to the
disk, so a desk closed, killed or switched off a moment after a save still has the entry at
its next start. One connection, one lock: the desk's store-write thread saves, the sync
thread marks entries done; both are short local writes.

Tables: ``meta`` (this journal's desk id, when the desk went offline), ``blocks`` (the
number blocks this desk holds, and how many numbers of each it used), ``entries`` (each
booking or scan, in order, with its state: waiting, synced, conflict, resolved) and
``bookings`` (the bookings this desk saw or made, so a scan offline finds them).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from parking_desk.booking import Booking
from parking_desk.errors import StoreUnavailable
from parking_desk.file_modes import private_dir, private_file
from parking_desk.offline_rules import NumberBlock, entry_uid
from parking_desk.timeutil import as_utc, utcnow

JOURNAL_NAME = "offline-journal.sqlite3"
# Bookings kept for offline look-ups; the oldest seen go first.
SEEN_LIMIT = 20_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    first INTEGER PRIMARY KEY,
    size INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    reserved_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    made_at TEXT NOT NULL,
    operator TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting',
    conflict TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    audited INTEGER NOT NULL DEFAULT 0,
    settled_at TEXT,
    settled_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS entries_state ON entries (state, seq);
CREATE INDEX IF NOT EXISTS entries_number ON entries (number, state);
CREATE TABLE IF NOT EXISTS bookings (
    number TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_seen ON bookings (seen_at);
"""


class EntryKind(StrEnum):
    BOOKING = "booking"
    SCAN = "scan"


class EntryState(StrEnum):
    WAITING = "waiting"
    SYNCED = "synced"
    CONFLICT = "conflict"
    RESOLVED = "resolved"


class OutOfNumbers(StoreUnavailable):
    """Offline, and every number of this desk's blocks is used."""

    code = "error.offline_no_numbers"


# --- documents as JSON, timestamps kept exact ----------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$t"}:
            return as_utc(value["$t"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(doc: Any) -> str:
    return json.dumps(_encode(doc), ensure_ascii=False, sort_keys=True)


def loads(text: str) -> Any:
    return _decode(json.loads(text))


@dataclass(frozen=True)
class Entry:
    seq: int
    uid: str
    kind: EntryKind
    number: str
    made_at: datetime
    operator: str
    body: dict[str, Any]
    state: EntryState
    conflict: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    audited: bool = False
    settled_at: datetime | None = None
    settled_by: str = ""


@dataclass(frozen=True)
class Waiting:
    """What the status bar says: since when, and how much waits to go in."""

    offline_since: datetime | None
    bookings: int
    scans: int
    conflicts: int

    @property
    def total(self) -> int:
        return self.bookings + self.scans


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        private_dir(self.path.parent)
        private_file(self.path)
        # Guards the one connection: the store-write thread and the sync thread share it.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # every commit on the disk before return
        self._db.executescript(SCHEMA)
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key='desk_id'").fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('desk_id', ?)", (uuid.uuid4().hex[:12],)
                )
        self.desk_id = self._meta("desk_id") or ""

    @classmethod
    def in_folder(cls, folder: Path) -> Journal:
        return cls(Path(folder) / JOURNAL_NAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row["value"]) if row else None

    def _set_meta(self, db: sqlite3.Connection, key: str, value: str | None) -> None:
        if value is None:
            db.execute("DELETE FROM meta WHERE key=?", (key,))
        else:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- offline since ----------------------------------------------------------------------
    def offline_since(self) -> datetime | None:
        value = self._meta("offline_since")
        return as_utc(value) if value else None

    def went_offline(self, at: datetime) -> None:
        """The first moment the store was lost; kept until everything waiting is in."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM meta WHERE key='offline_since'").fetchone() is None:
                self._set_meta(db, "offline_since", at.isoformat())

    def back_online(self) -> None:
        """The store answers and nothing waits: the outage is over."""
        with self._tx() as db:
            waiting = db.execute("SELECT 1 FROM entries WHERE state='waiting' LIMIT 1").fetchone()
            if waiting is None:
                self._set_meta(db, "offline_since", None)

    # --- number blocks ------------------------------------------------------------------------
    def add_block(self, block: NumberBlock, at: datetime | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO blocks (first, size, used, reserved_at) VALUES (?, ?, 0, ?)",
                (block.first, block.size, (at or utcnow()).isoformat()),
            )

    def spare_numbers(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(size - used), 0) AS n FROM blocks"
            ).fetchone()
        return int(row["n"])

    def blocks(self) -> list[tuple[NumberBlock, int]]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM blocks ORDER BY reserved_at, first").fetchall()
        return [(NumberBlock(r["first"], r["size"]), int(r["used"])) for r in rows]

    # --- writing entries ------------------------------------------------------------------------
    def add_booking(self, operator: str, made_at: datetime, build: Any) -> Entry:
        """Take the next number of the oldest block with numbers left and journal the booking
        *build(number, uid)* returns as ``(booking, task id, task document)``, all in one
        local commit; ``OutOfNumbers`` when no block has any left."""
        with self._tx() as db:
            row = db.execute(
                "SELECT first, size, used FROM blocks WHERE used < size "
                "ORDER BY reserved_at, first LIMIT 1"
            ).fetchone()
            if row is None:
                raise OutOfNumbers("no booking numbers left in this desk's blocks")
            number = NumberBlock(row["first"], row["size"]).number(row["used"])
            db.execute("UPDATE blocks SET used = used + 1 WHERE first=?", (row["first"],))
            cur = db.execute(
                "INSERT INTO entries (kind, number, made_at, operator, body) "
                "VALUES (?, ?, ?, ?, '{}')",
                (EntryKind.BOOKING, number, made_at.isoformat(), operator),
            )
            seq = int(cur.lastrowid or 0)
            uid = entry_uid(self.desk_id, seq)
            booking, task_id, task_doc = build(number, uid)
            body = {"booking": booking.to_document(), "taskId": task_id, "task": task_doc}
            db.execute("UPDATE entries SET body=? WHERE seq=?", (dumps(body), seq))
            self._remember(db, booking, made_at)
        return self.entry(seq)  # type: ignore[return-value]

    def add_scan(self, booking: Booking, to: str, operator: str, made_at: datetime) -> Entry:
        """A check-in or check-out, and the booking as it now stands here."""
        number = booking.booking_number or ""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO entries (kind, number, made_at, operator, body) "
                "VALUES (?, ?, ?, ?, ?)",
                (EntryKind.SCAN, number, made_at.isoformat(), operator, dumps({"to": str(to)})),
            )
            seq = int(cur.lastrowid or 0)
            self._remember(db, booking, made_at)
        return self.entry(seq)  # type: ignore[return-value]

    # --- the bookings this desk knows -------------------------------------------------------
    def _remember(self, db: sqlite3.Connection, booking: Booking, at: datetime) -> None:
        db.execute(
            "INSERT OR REPLACE INTO bookings (number, doc, seen_at) VALUES (?, ?, ?)",
            (booking.booking_number, dumps(booking.to_document()), at.isoformat()),
        )

    def remember(self, bookings: list[Booking]) -> None:
        """Bookings read from the store, for scans while it cannot be reached. A booking with
        a journalled change still waiting keeps the journal's copy: it is newer."""
        now = utcnow().isoformat()
        with self._tx() as db:
            for booking in bookings:
                if not booking.booking_number:
                    continue
                busy = db.execute(
                    "SELECT 1 FROM entries WHERE number=? AND state='waiting' LIMIT 1",
                    (booking.booking_number,),
                ).fetchone()
                if busy is not None:
                    continue
                doc = dumps(booking.to_document())
                held = db.execute(
                    "SELECT doc FROM bookings WHERE number=?", (booking.booking_number,)
                ).fetchone()
                if held is None or held["doc"] != doc:
                    db.execute(
                        "INSERT OR REPLACE INTO bookings (number, doc, seen_at) VALUES (?, ?, ?)",
                        (booking.booking_number, doc, now),
                    )
            count = db.execute("SELECT COUNT(*) FROM bookings").fetchone()[0]
            if count > SEEN_LIMIT:
                db.execute(
                    "DELETE FROM bookings WHERE number IN (SELECT number FROM bookings "
                    "ORDER BY seen_at LIMIT ?)",
                    (count - SEEN_LIMIT,),
                )

    def known_booking(self, number: str) -> Booking | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM bookings WHERE number=?", (number,)).fetchone()
        if row is None:
            return None
        try:
            return Booking.from_document(loads(row["doc"]), number)
        except (TypeError, ValueError):
            return None

    def known_bookings(self, limit: int = 500) -> list[Booking]:
        with self._lock:
            rows = self._db.execute(
                "SELECT number, doc FROM bookings ORDER BY seen_at DESC LIMIT ?", (limit,)
            ).fetchall()
        out = []
        for row in rows:
            try:
                out.append(Booking.from_document(loads(row["doc"]), row["number"]))
            except (TypeError, ValueError):
                continue
        return out

    # --- reading and settling entries -------------------------------------------------------
    def _entry(self, row: sqlite3.Row) -> Entry:
        return Entry(
            seq=int(row["seq"]),
            uid=entry_uid(self.desk_id, int(row["seq"])),
            kind=EntryKind(row["kind"]),
            number=row["number"],
            made_at=as_utc(row["made_at"]) or utcnow(),
            operator=row["operator"],
            body=loads(row["body"]),
            state=EntryState(row["state"]),
            conflict=row["conflict"],
            details=json.loads(row["details"] or "{}"),
            audited=bool(row["audited"]),
            settled_at=as_utc(row["settled_at"]) if row["settled_at"] else None,
            settled_by=row["settled_by"],
        )

    def entry(self, seq: int) -> Entry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM entries WHERE seq=?", (seq,)).fetchone()
        return self._entry(row) if row else None

    def entries(self, state: EntryState | None = None) -> list[Entry]:
        with self._lock:
            if state is None:
                rows = self._db.execute("SELECT * FROM entries ORDER BY seq").fetchall()
            else:
                rows = self._db.execute(
                    "SELECT * FROM entries WHERE state=? ORDER BY seq", (str(state),)
                ).fetchall()
        return [self._entry(r) for r in rows]

    def waiting_for(self, number: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM entries WHERE number=? AND state='waiting' LIMIT 1", (number,)
            ).fetchone()
        return row is not None

    def waiting_numbers(self) -> list[str]:
        """This desk's own bookings not yet in the store, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT number FROM entries WHERE kind='booking' AND state='waiting' ORDER BY seq"
            ).fetchall()
        return [r["number"] for r in rows]

    def booking_failed(self, number: str) -> bool:
        """Did this desk's own offline booking *number* end in a conflict (so its scans
        cannot go in either)?"""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM entries WHERE number=? AND kind='booking' "
                "AND state IN ('conflict', 'resolved') AND conflict != '' LIMIT 1",
                (number,),
            ).fetchone()
        return row is not None

    def synced(self, seq: int) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE entries SET state='synced', settled_at=? WHERE seq=? AND state='waiting'",
                (utcnow().isoformat(), seq),
            )

    def conflicted(self, seq: int, code: str, details: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE entries SET state='conflict', conflict=?, details=? "
                "WHERE seq=? AND state='waiting'",
                (code, json.dumps(details, default=str, ensure_ascii=False), seq),
            )

    def audited(self, seq: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE entries SET audited=1 WHERE seq=?", (seq,))

    def resolve(self, seq: int, by: str) -> bool:
        """Staff dealt with the conflict by hand."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE entries SET state='resolved', settled_at=?, settled_by=?, audited=0 "
                "WHERE seq=? AND state='conflict'",
                (utcnow().isoformat(), by, seq),
            )
        return cur.rowcount == 1

    def retry(self, seq: int) -> bool:
        """Back in the queue of entries to replay (the other desk has synced since)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE entries SET state='waiting', conflict='', details='{}', audited=0 "
                "WHERE seq=? AND state='conflict'",
                (seq,),
            )
        return cur.rowcount == 1

    def waiting(self) -> Waiting:
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, state, COUNT(*) AS n FROM entries "
                "WHERE state IN ('waiting', 'conflict') GROUP BY kind, state"
            ).fetchall()
        counts = {(r["kind"], r["state"]): int(r["n"]) for r in rows}
        return Waiting(
            offline_since=self.offline_since(),
            bookings=counts.get(("booking", "waiting"), 0),
            scans=counts.get(("scan", "waiting"), 0),
            conflicts=sum(n for (_kind, state), n in counts.items() if state == "conflict"),
        )
