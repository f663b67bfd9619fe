"""Stores: one contract (``base.Store``), two backends. Backends import lazily so the
embedded default never loads the gRPC stack."""

from __future__ import annotations

from pathlib import Path

from parking_desk.services.store.base import (
    AuditEntry,
    BookingQuery,
    BookingStore,
    DeliveryOutcome,
    EngineStore,
    Housekeeping,
    QueueAdmin,
    QueueEngine,
    QueueHealth,
    QueueStats,
    Quotas,
    Store,
    TaskRow,
    TaskRowBatch,
    WorkerInfo,
)

__all__ = [
    "AuditEntry",
    "BookingQuery",
    "BookingStore",
    "DeliveryOutcome",
    "EngineStore",
    "Housekeeping",
    "QueueAdmin",
    "QueueEngine",
    "QueueHealth",
    "QueueStats",
    "Quotas",
    "Store",
    "TaskRow",
    "TaskRowBatch",
    "WorkerInfo",
    "open_firestore",
    "open_sqlite",
]


def open_sqlite(path: str | Path) -> Store:
    from parking_desk.services.store.sqlite.store import SqliteStore

    return SqliteStore(path)


def open_firestore(project: str, database: str = "(default)") -> Store:
    from parking_desk.services.store.firestore.store import FirestoreStore

    return FirestoreStore(project, database=database)
