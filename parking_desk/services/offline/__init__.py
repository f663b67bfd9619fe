"""The offline desk: walk-ins and check-ins go on while the site's Firestore cannot be
reached, from a journal in the desk's data folder that is replayed once it can
(``desk.py`` the store the desk holds, ``journal.py`` the file, ``sync.py`` the replay).
On the embedded SQLite store there is no line to lose, and none of this runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from parking_desk.config import Settings
from parking_desk.services.offline.desk import OfflineDesk, OfflineReplay, ticket_booking
from parking_desk.services.offline.journal import Journal
from parking_desk.services.store.base import Store

__all__ = [
    "Journal",
    "OfflineDesk",
    "OfflineReplay",
    "offline_desk",
    "open_desk_store",
    "ticket_booking",
]


def offline_desk(
    store: Any, data_folder: Path, *, machine: str = "", probe_s: float = 2.0
) -> OfflineDesk | None:
    """*store* wrapped for offline work if it is a Firestore store; None for SQLite."""
    if getattr(store, "kind", None) != "firestore" or not hasattr(store, "conn"):
        return None
    from parking_desk.services.store.firestore.offline import FirestoreOffline

    journal = Journal.in_folder(data_folder)
    return OfflineDesk(
        store, journal, FirestoreOffline(store.conn), machine=machine, probe_s=probe_s
    )


def open_desk_store(settings: Settings) -> Store:
    """The store a desk holds: on Firestore, wrapped for offline work, its sync thread
    started. A desk that holds numbers for offline bookings starts without the store
    answering; one that was never online must reach it once (to reserve its first block),
    and says so as before."""
    from parking_desk.services.key_ring import machine_name
    from parking_desk.services.runtime import open_store

    store = open_store(settings)
    desk = offline_desk(
        store, settings.qr.key_path.parent, machine=machine_name(settings.desk.operator)
    )
    if desk is None:
        store.ping()
        return store
    if desk.journal.spare_numbers() == 0:
        try:
            store.ping()
        except Exception:
            desk.journal.close()
            raise
    desk.start()
    return cast(Store, desk)
