"""Connections to the SQLite file, shared safely by many threads and several processes.

sqlite3 connections must not be used by two threads at once, so each thread gets its own.
Writers take the file's write lock up front (``BEGIN IMMEDIATE``) so a read-then-write never
loses to a writer in another process; ``busy_timeout`` makes them queue instead of failing.
WAL lets readers (the desk's table, the change feed) run while a worker writes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from parking_desk.errors import StoreUnavailable
from parking_desk.file_modes import private_file
from parking_desk.services.store.sqlite.schema import SCHEMA, migrate

log = logging.getLogger(__name__)


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def _close_quietly(
    conn: sqlite3.Connection, open_: set[sqlite3.Connection], lock: threading.Lock
) -> None:
    with lock:
        open_.discard(conn)
    try:
        conn.close()
    except sqlite3.Error:
        log.exception("closing a thread's connection")


class _ThreadConnection:
    """A thread's connection, held in its thread-local slot: when the thread ends, the slot
    and this go, and the connection is closed with them (a drain's sending thread or a
    pool's worker thread would otherwise leave its connection, two open files, behind)."""

    __slots__ = ("__weakref__", "close", "conn")

    def __init__(
        self, conn: sqlite3.Connection, open_: set[sqlite3.Connection], lock: threading.Lock
    ) -> None:
        self.conn = conn
        self.close = weakref.finalize(self, _close_quietly, conn, open_, lock)
        # Not at interpreter exit: a daemon thread may still be inside a statement then;
        # the store's own close() (or the process's end) closes what is left.
        self.close.atexit = False


class SqliteConnections:
    """One connection per thread on one file, plus the transaction helpers: the object
    every part of the SQLite store shares."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 15.0) -> None:
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        # Protects _open: every thread's connection, so close() can reach them all.
        self._open_lock = threading.Lock()
        self._open: set[sqlite3.Connection] = set()
        self._closed = False
        # Told after every commit of this process: the "work may be due" pollers look at
        # once instead of at their next tick, so a booking saved here wakes the in-app
        # engine in milliseconds, and once (other processes' writes wait for the tick).
        self._after_commit: list[Callable[[], None]] = []
        try:
            private_file(self.path)  # 0600 in a 0700 folder; SQLite's -wal and -shm follow it
            self._conn().executescript(SCHEMA)
            migrate(self._conn())
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise StoreUnavailable(f"cannot open {self.path}: {exc}") from exc

    @property
    def closed(self) -> bool:
        return self._closed

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout,
            isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE for writes
            check_same_thread=False,  # only so close() may close it from another thread
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        return conn

    def _conn(self) -> sqlite3.Connection:
        held: _ThreadConnection | None = getattr(self._local, "held", None)
        if held is None:
            if self._closed:
                raise StoreUnavailable("the store is closed")
            conn = self._connect()
            with self._open_lock:
                self._open.add(conn)
                held = _ThreadConnection(conn, self._open, self._open_lock)
            self._local.held = held
        return held.conn

    def drop_thread_connection(self) -> None:
        """Close this thread's connection now (a thread that is about to end; its
        connection would otherwise be closed when the thread is gone)."""
        held: _ThreadConnection | None = getattr(self._local, "held", None)
        if held is not None:
            self._local.held = None
            held.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the file's write lock from its first statement."""
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot write {self.path}: {exc}") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            self._rolled_back(conn, exc)
            raise
        for tell in list(self._after_commit):
            tell()

    def on_commit(self, tell: Callable[[], None]) -> Callable[[], None]:
        """Call *tell* (on the writing thread; it must only set a flag) after each commit of
        this process; returns what stops it."""
        self._after_commit.append(tell)
        return lambda: self._after_commit.remove(tell) if tell in self._after_commit else None

    def _rolled_back(self, conn: sqlite3.Connection, exc: BaseException) -> None:
        """Undo a failed write; a locked or unreadable file is the store being unavailable."""
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("rollback failed on %s", self.path)
        if isinstance(exc, sqlite3.OperationalError):
            raise StoreUnavailable(f"write to {self.path} failed: {exc}") from exc

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot for several statements."""
        try:
            conn = self._conn()
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot read {self.path}: {exc}") from exc
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"read from {self.path} failed: {exc}") from exc
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    @staticmethod
    def next_seq(conn: sqlite3.Connection) -> int:
        """The change number of the running write transaction; the change feed reads rows
        above the last number it saw. Writers are serialised, so numbers commit in order."""
        row = conn.execute(
            "UPDATE counters SET value = value + 1 WHERE name = 'changeSeq' RETURNING value"
        ).fetchone()
        return int(row[0])

    def ping(self) -> None:
        if not self.path.exists():
            raise StoreUnavailable(f"{self.path} is missing")
        try:
            with self.read() as conn:
                conn.execute("SELECT value FROM counters WHERE name = 'changeSeq'").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot read {self.path}: {exc}") from exc

    def close(self) -> None:
        self._closed = True
        with self._open_lock:
            conns, self._open = self._open, set()
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                log.exception("closing %s", self.path)
        self._local = threading.local()
