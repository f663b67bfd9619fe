"""The offline suite reuses the fault suite's mail server and worker processes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))

from fault_tools import FaultyMailServer


@pytest.fixture
def mail_server() -> Iterator[FaultyMailServer]:
    server = FaultyMailServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()
