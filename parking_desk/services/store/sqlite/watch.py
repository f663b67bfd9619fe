"""The SQLite change feed: a poller in place of Firestore's listeners.

Every write transaction takes the next number from the ``changeSeq`` counter and stamps it
on the rows it touches. The poller reads that one counter row each tick (cheap, even with a
100,000-row queue) and only when it moved fetches the rows above the last number it saw.
Writers are serialised by the file's lock, so numbers become visible in order and a row
cannot slip in below a number the poller has already passed. Other processes' writes are
seen the same way.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from parking_desk.errors import StoreUnavailable

if TYPE_CHECKING:
    from parking_desk.services.store.sqlite.connection import SqliteConnections

log = logging.getLogger(__name__)


class PollingSubscription:
    """Runs until ``unsubscribe()``; the callback is called on the poller's own thread.
    The feeds (table rows, "work may be due") say what a poll reads."""

    def __init__(
        self,
        store: SqliteConnections,
        callback: Callable[[Any], None],
        interval: float,
    ) -> None:
        self._store = store
        self._callback = callback
        self._interval = interval
        self._stop = threading.Event()
        # Set to poll at once rather than at the next tick (``kick``).
        self._kicked = threading.Event()
        self._seq = -1
        self._thread = threading.Thread(target=self._run, name="sqlite-task-feed", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        """Poll now: this process has just committed a write."""
        self._kicked.set()

    def unsubscribe(self) -> None:
        self._stop.set()
        self._kicked.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            first = True
            # A closed store ends its feeds rather than leave them polling a shut file.
            while not self._stop.is_set() and not self._store.closed:
                try:
                    changes = self._poll()
                except StoreUnavailable:
                    log.warning("task feed: store unavailable, will retry", exc_info=True)
                    changes = None
                if changes is not None and (changes or first):
                    first = False
                    self._deliver(changes)
                self._kicked.wait(self._interval)
                self._kicked.clear()
        finally:
            self._store.drop_thread_connection()

    def _poll(self) -> Any:
        """The changes since the last poll, or None when nothing was written."""
        with self._store.read() as conn:
            seq = conn.execute("SELECT value FROM counters WHERE name = 'changeSeq'").fetchone()[0]
            if seq == self._seq:
                return None
            if self._seq < 0:
                changes = self._read_all(conn)
            else:
                removed = [
                    row[0]
                    for row in conn.execute(
                        "SELECT id FROM removedTasks WHERE changeSeq > ?", (self._seq,)
                    )
                ]
                changes = self._read_since(conn, self._seq, removed)
        self._seq = seq
        return changes

    def _read_all(self, conn: sqlite3.Connection) -> Any:
        """What the first poll delivers; each feed says what it reads."""
        raise NotImplementedError

    def _read_since(self, conn: sqlite3.Connection, seq: int, removed: list[str]) -> Any:
        """What changed since *seq* (None: nothing worth delivering)."""
        raise NotImplementedError

    def _deliver(self, changes: Any) -> None:
        try:
            self._callback(changes)
        except Exception:
            log.exception("task feed callback failed; the feed goes on")
