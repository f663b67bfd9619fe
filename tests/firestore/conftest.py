"""A Firestore store on the emulator, and the plain google client the website's writes use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.cloud import firestore

from parking_desk.services.store.firestore.store import FirestoreStore

PROJECT = "parking-desk-test"


@pytest.fixture
def fs_store(firestore_db: Any) -> Iterator[FirestoreStore]:
    store = FirestoreStore(PROJECT)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def raw(firestore_db: Any) -> Iterator[firestore.Client]:
    """Writes made outside Parking Desk, as the booking website makes them."""
    client = firestore.Client(project=PROJECT)
    try:
        yield client
    finally:
        client.close()
