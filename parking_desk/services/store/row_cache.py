"""The supervisor's table kept on this desk between sessions: the rows (``TaskRow``) of one
shared store (a Firestore project and database) and up to when they are known (the
watermark), in a small SQLite file in the desk's data folder, so the next time the table
opens it paints from the disk and asks the store only for what changed since.

The file is ``<data folder>/table-rows/<project>-<database>-<hash>.sqlite3``, one per
project and database (the hash tells apart names the file name has to simplify), 0600 in
a 0700 folder (``file_modes``) like the desk's other files: it holds the clients' e-mail
addresses and the errors their servers gave. ``forget`` deletes rows at once (an erasure
on this desk); deleted rows are overwritten (``secure_delete``) and the write-ahead log is
emptied after it. An erasure made elsewhere reaches the file with the next sync.

Every delivery goes in as one transaction with its watermark, so a desk closed or killed
at any moment leaves rows and watermark that agree. A file that cannot be read (damaged,
from another version, of another project) is set aside as ``….unreadable`` (one such copy
is kept; an erasure on this desk deletes it) and the cache starts empty, never a crash.

Versions are the documents' update times: a row older than, or the same as, the one kept
changes nothing and is not handed on (``merge``).

A first listing of the whole queue (a desk with no cache yet) is kept page by page
(``merge_page``) with where it got to (``listing``: the store's time it began, the last id
listed) and no watermark: a desk closed mid-listing opens next time from the rows listed so
far and lists on from there. Only once the listing is done (``finish_listing``) does the
cache get its watermark, the listing's start, and count as every row of the queue.

A table with no desk folder to keep it in (``keep_table_rows`` never called) keeps its rows
in memory the same way (``RowCache(None, …)``), for the session only.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from parking_desk.file_modes import private_dir, private_file
from parking_desk.services.store.base import TaskRow, TaskRowBatch

log = logging.getLogger(__name__)

FOLDER = "table-rows"
SCHEMA_VERSION = 1
SET_ASIDE = ".unreadable"
COLUMNS = TaskRow._fields  # the table's columns, in the tuple's order
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    id TEXT PRIMARY KEY, type TEXT, booking_number TEXT, client_email TEXT, status TEXT,
    attempts INTEGER, max_attempts INTEGER, next_attempt_at REAL, created_at REAL,
    error_code TEXT, error_message TEXT, provider TEXT, lease_owner TEXT,
    version INTEGER NOT NULL
);
PRAGMA user_version = {SCHEMA_VERSION};
"""
# A row never goes back to an older version, even written by another desk process sharing
# the file: each knows only the versions it has seen.
INSERT = (
    f"INSERT INTO rows VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c}=excluded.{c}" for c in COLUMNS[1:])
    + " WHERE excluded.version > rows.version"
)


class Unreadable(Exception):
    """The file is not a row cache of this version, project and database."""


def row_cache_path(data_folder: Path, project: str, database: str) -> Path:
    """Where the table of *project*/*database* is kept in the desk's *data_folder*."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{project}-{database}").strip("_")[:80]
    digest = hashlib.sha256(f"{project}\0{database}".encode()).hexdigest()[:12]
    return Path(data_folder) / FOLDER / f"{readable}-{digest}.sqlite3"


def set_aside_path(path: Path) -> Path:
    return path.with_name(path.name + SET_ASIDE)


class RowCache:
    """The rows on the disk and their versions in memory. Thread-safe: the feed's listener
    threads and the reconciliation write, the bridge thread reads at opening."""

    def __init__(self, path: Path | None, *, project: str, database: str) -> None:
        self.path = Path(path) if path is not None else None  # None: in memory only
        self._owner = {"project": project, "database": database}
        # Held while a delivery is merged and handed on, so the table gets them in order.
        self.lock = threading.RLock()
        self._trackers: list[set[str]] = []
        self._broken = False
        try:
            self._db = self._connect()
        except (sqlite3.DatabaseError, Unreadable, OSError) as exc:
            log.warning("Table cache %s unreadable (%s): set aside, starting afresh", path, exc)
            self._set_aside()
            self._db = self._connect()
        self.watermark = self._read_watermark()
        self.listing = self._read_listing()
        self.versions: dict[str, int] = dict(self._db.execute("SELECT id, version FROM rows"))

    # --- the file ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.path is not None:
            private_dir(self.path.parent)
            private_file(self.path)
        where = ":memory:" if self.path is None else str(self.path)
        db = sqlite3.connect(where, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: a lost last commit is re-listed
            db.execute("PRAGMA secure_delete=ON")  # deleted rows' bytes overwritten
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                db.executescript(SCHEMA)
                db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", list(self._owner.items())
                )
            elif version != SCHEMA_VERSION:
                raise Unreadable(f"schema {version}")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise Unreadable("damaged")
            owner = dict(
                db.execute("SELECT key, value FROM meta WHERE key IN ('project', 'database')")
            )
            if owner != self._owner:
                raise Unreadable(f"of {owner}")
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self) -> None:
        if self.path is None:
            return
        aside = set_aside_path(self.path)
        try:
            if self.path.exists():
                self.path.replace(aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        except OSError as exc:  # cannot even move it: start with no file at all
            log.warning("Table cache %s could not be set aside: %s", self.path, exc)
            self.path.unlink(missing_ok=True)

    def _read_watermark(self) -> datetime | None:
        row = self._db.execute("SELECT value FROM meta WHERE key='watermark'").fetchone()
        try:
            return datetime.fromisoformat(row[0]).astimezone(UTC) if row else None
        except ValueError:
            return None

    def _read_listing(self) -> tuple[datetime, str] | None:
        meta = dict(
            self._db.execute(
                "SELECT key, value FROM meta WHERE key IN ('listed_from', 'listed_after')"
            )
        )
        try:
            began = datetime.fromisoformat(meta["listed_from"]).astimezone(UTC)
            return began, meta["listed_after"]
        except (KeyError, ValueError):
            return None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self._broken = True
            with contextlib.suppress(sqlite3.Error):
                self._db.close()

    # --- reading -----------------------------------------------------------------------------
    def rows(self) -> list[TaskRow]:
        with self.lock:
            cursor = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM rows")
            return list(map(TaskRow._make, cursor))

    # --- writing -----------------------------------------------------------------------------
    def merge(
        self,
        batch: TaskRowBatch,
        watermark: datetime | None = None,
        *,
        keep: set[str] | None = None,
    ) -> TaskRowBatch | None:
        """Take one delivery of the store's feed: kept on the disk in one transaction with
        *watermark* (the store's time the delivery is true at), which only moves on once the
        cache has held every row (a ``complete`` delivery). Returns what changed (rows newer
        than the ones kept, ids that were kept), None when nothing did; a ``complete``
        delivery is returned whole. Ids in *keep* are not removed (a reconciliation's
        tracker: they changed after it looked)."""
        with self.lock:
            if batch.complete:
                rows = list({r.id: r for r in batch.rows}.values())
                listed = {r.id for r in rows}
                for tracker in self._trackers:
                    tracker.update(i for i in self.versions if i not in listed)
                removed: list[str] = []
            else:
                newest: dict[str, TaskRow] = {}
                for row in batch.rows:
                    if row.version > self.versions.get(row.id, -1) and row.version > (
                        newest[row.id].version if row.id in newest else -1
                    ):
                        newest[row.id] = row
                rows = list(newest.values())
                removed = [i for i in dict.fromkeys(batch.removed) if i in self.versions]
                removed = [i for i in removed if i not in newest and i not in (keep or ())]
            moves = watermark is not None and (batch.complete or self.watermark is not None)
            if moves and self.watermark is not None and watermark is not None:
                moves = watermark > self.watermark
            self._write(rows, removed, batch.complete, watermark if moves else None)
            for tracker in self._trackers:
                tracker.update(r.id for r in rows)
                tracker.update(removed)
            if batch.complete:
                return TaskRowBatch(rows, [], True)
            return TaskRowBatch(rows, removed, False) if rows or removed else None

    def _write(
        self, rows: list[TaskRow], removed: list[str], complete: bool, watermark: datetime | None
    ) -> None:
        if complete:
            self.versions = {}
        for task_id in removed:
            self.versions.pop(task_id, None)
        self.versions.update((r.id, r.version) for r in rows)
        if watermark is not None:
            self.watermark = watermark
        if self._broken:
            return
        try:
            with self._tx() as db:
                if complete:
                    db.execute("DELETE FROM rows")
                db.executemany("DELETE FROM rows WHERE id=?", [(i,) for i in removed])
                db.executemany(INSERT, rows)
                if watermark is not None:
                    db.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('watermark', ?)",
                        (watermark.astimezone(UTC).isoformat(),),
                    )
        except sqlite3.Error as exc:
            # A full disk, say: the table goes on from the store; the next opening lists
            # everything again rather than trust a file that missed a change.
            log.warning("Table cache %s not written (%s): no longer kept", self.path, exc)
            self._broken = True
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("DELETE FROM meta WHERE key='watermark'")

    def merge_page(
        self, rows: list[TaskRow], listed_from: datetime, after: str
    ) -> TaskRowBatch | None:
        """One page of the first listing of the whole queue, begun at the store's time
        *listed_from* and now listed up to the id *after*: the rows, then where the listing
        got to (a desk killed between the two lists that page again), the watermark left
        unset. Returns the rows newer than the
        ones kept (None when none is)."""
        with self.lock:
            changed = self.merge(TaskRowBatch(rows, [], False))
            self.listing = (listed_from, after)
            self._meta(
                {"listed_from": listed_from.astimezone(UTC).isoformat(), "listed_after": after}
            )
            return changed

    def finish_listing(self, watermark: datetime) -> None:
        """The first listing is done and what changed meanwhile is followed: the cache now
        holds every row, true at least as of *watermark* (the listing's start)."""
        with self.lock:
            self.listing = None
            if self.watermark is None or watermark > self.watermark:
                self.watermark = watermark
            self._meta({"watermark": self.watermark.astimezone(UTC).isoformat()}, drop=True)

    def _meta(self, values: dict[str, str], *, drop: bool = False) -> None:
        if self._broken:
            return
        try:
            with self._tx() as db:
                if drop:
                    db.execute("DELETE FROM meta WHERE key IN ('listed_from', 'listed_after')")
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
        except sqlite3.Error as exc:
            log.warning("Table cache %s not written (%s): no longer kept", self.path, exc)
            self._broken = True

    def forget(self, ids: Iterable[str]) -> None:
        """Delete these rows from the disk now (an erasure), and the set-aside copy, which
        cannot be read to be cleaned; they come back from the store, as it now has them,
        with the next sync."""
        ids = list(ids)
        with self.lock:
            for task_id in ids:
                self.versions.pop(task_id, None)
            for tracker in self._trackers:
                tracker.update(ids)
            if self.path is not None:
                set_aside_path(self.path).unlink(missing_ok=True)
            if self._broken:
                return
            try:
                with self._tx() as db:
                    db.executemany("DELETE FROM rows WHERE id=?", [(i,) for i in ids])
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                log.warning("Table cache %s: erased rows not deleted (%s)", self.path, exc)

    # --- what changed while a reconciliation ran -----------------------------------------
    def track(self) -> set[str]:
        """A set that every id merged or forgotten from now on is added to, until
        ``untrack``: what a slower reading (the reconciliation) must not undo."""
        tracker: set[str] = set()
        with self.lock:
            self._trackers.append(tracker)
        return tracker

    def untrack(self, tracker: set[str]) -> None:
        with self.lock:
            self._trackers = [t for t in self._trackers if t is not tracker]

    def known(self) -> dict[str, int]:
        with self.lock:
            return dict(self.versions)
