"""A real SQLite store, the tests' bridge and role sessions for the console and kiosk tests.

``bridge`` is the synchronous one: an operation a test starts has finished, its callbacks
run, when the call returns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from console_data import PIN
from PySide6.QtWidgets import QApplication

from parking_desk.services.roles import Person, Role, RoleSession, hash_pin
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.ui.bridge import Bridge, SyncBridge


@pytest.fixture(scope="session")
def pin_hash() -> str:
    return hash_pin(PIN)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "queue.db", poll_interval=0.05)
    yield opened
    opened.close()


@pytest.fixture
def bridge(qapp: QApplication) -> Iterator[Bridge]:
    made = SyncBridge()
    yield made
    made.shutdown(wait=True)


@pytest.fixture
def staff() -> RoleSession:
    return RoleSession(Person("ion", "Ion", Role.STAFF))


@pytest.fixture
def supervisor() -> RoleSession:
    return RoleSession(Person("maria", "Maria", Role.SUPERVISOR))
