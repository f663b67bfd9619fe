"""The ``store`` fixture: every contract test runs once per backend, through ``Store`` only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from contract_data import open_store

from parking_desk.services.store import Store


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(request.param, tmp_path, request)
    try:
        yield opened
    finally:
        opened.close()
