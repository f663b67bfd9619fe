"""The ``store`` fixture: every contract test runs once per backend, through ``Store`` only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parking_desk.services.store import Store

PROJECT = "parking-desk-test"


def open_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "sqlite":
        from parking_desk.services.store.sqlite_store import SqliteStore

        return SqliteStore(tmp_path / "store.db", poll_interval=0.05)
    request.getfixturevalue("firestore_db")
    from parking_desk.services.store import open_firestore

    return open_firestore(PROJECT)


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(request.param, tmp_path, request)
    try:
        yield opened
    finally:
        opened.close()
