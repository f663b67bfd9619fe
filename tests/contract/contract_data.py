"""Sample bookings and queue documents shared by the contract tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from parking_desk.booking import Booking
from parking_desk.services.store import Store

PROJECT = "parking-desk-test"

# Dates the tests move through explicitly; arrival days are chosen far from midnight UTC.
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def booking(**changes: Any) -> Booking:
    fields: dict[str, Any] = {
        "client_name": "Ana Popescu",
        "client_email": "ana@example.ro",
        "phone": "0722 123 456",
        "plate": "B 123 ABC",
        "arrival": datetime(2026, 12, 3, 10, 30, tzinfo=UTC),
        "departure": datetime(2026, 12, 9, 14, 0, tzinfo=UTC),
        "passengers": 2,
    }
    fields.update(changes)
    return Booking(**fields)


def website_task(number: str = "867962", **changes: Any) -> dict[str, Any]:
    """A queue document exactly as the website's addToQueue writes it."""
    doc: dict[str, Any] = {
        "type": "both",
        "bookingNumber": number,
        "clientEmail": "ion@example.ro",
        "bookingData": {"clientName": "Ion Ionescu", "plate": "CJ12XYZ", "language": "ro"},
        "createdAt": T0 - timedelta(minutes=1),
    }
    doc.update(changes)
    return doc


def open_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "sqlite":
        from parking_desk.services.store.sqlite.store import SqliteStore

        return SqliteStore(tmp_path / "store.db", poll_interval=0.05)
    request.getfixturevalue("firestore_db")
    from parking_desk.services.store import open_firestore

    return open_firestore(PROJECT)
