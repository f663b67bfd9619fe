"""Times on screen are the site's, whatever zone the machine's clock is set to."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from parking_desk.services.store.base import TaskRow
from parking_desk.ui import local_time
from parking_desk.ui.console.queue_columns import Column, display_text

CREATED = datetime(2026, 12, 1, 21, 34, tzinfo=UTC)  # 23:34 in Bucharest


@pytest.fixture
def machine_on_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A server left on UTC, as the site's own desks in Bucharest are not."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    local_time.use_time_zone("Europe/Bucharest")
    yield
    monkeypatch.undo()
    time.tzset()


def row(created: datetime) -> TaskRow:
    return TaskRow(
        "t1", "both", "123456", "ana@example.ro", "pending", 0, 10, None,
        created.timestamp(), "", "", None, None, 1,
    )  # fmt: skip


def test_the_queue_table_shows_when_a_task_was_created_on_the_site_clock(
    machine_on_utc: None,
) -> None:
    shown = display_text(row(CREATED), Column.CREATED, masked=False, now=CREATED)
    assert shown == "2026-12-01 23:34"
