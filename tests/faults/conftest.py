"""Fixtures of the fault suite; the tools themselves live in ``fault_tools.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fault_tools import FaultyMailServer


@pytest.fixture
def mail_server() -> Iterator[FaultyMailServer]:
    server = FaultyMailServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()
