"""The kiosk's store, opened on first use by a read job rather than at start-up, so an
unreachable database shows as "offline" on the board instead of keeping it from starting.
What the board reads through it runs on the bridge's pool, never on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from parking_desk.services import lot
from parking_desk.services.store.base import Store


class StoreSource:
    def __init__(self, open_store: Callable[[], Store]) -> None:
        self._open = open_store
        # Guards _store: set by a read job, taken away by the GUI thread at shutdown. Never
        # held while opening, so a shutdown does not wait for a slow connection.
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._closed = False

    def get(self) -> Store:
        with self._lock:
            if self._store is not None:
                return self._store
        opened = self._open()
        with self._lock:
            if self._store is None and not self._closed:
                self._store = opened
                return opened
            current = self._store
        if current is None:  # closed while opening
            opened.close()
            raise RuntimeError("the kiosk is shutting down")
        opened.close()
        return current

    def close(self) -> None:
        with self._lock:
            self._closed = True
            store, self._store = self._store, None
        if store is not None:
            store.close()


def read_occupancy(source: StoreSource, capacity: int, zone: str, now: datetime) -> lot.Occupancy:
    """The lot's figures for the board (run off the GUI thread): counts per day, no names.
    Reachability is asked first, as the health read does: an SQLite file that has gone
    away must not be created again, empty, by a query."""
    store = source.get()
    store.ping()
    return lot.occupancy(store, capacity, zone, now=now)
