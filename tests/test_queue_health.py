"""The kiosk's traffic light and figures, from real store reads and the configured limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parking_desk.config import KioskSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.queue_health import Light, collect_health, per_minute, traffic_light
from parking_desk.services.store.base import DeliveryOutcome, QueueStats, WorkerInfo
from parking_desk.services.store.sqlite_store import SqliteStore
from parking_desk.task import TaskState

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LIMITS = KioskSettings()


def stats(due_minutes: float | None = None, dead: int = 0, completed: int = 10) -> QueueStats:
    counts = {s: 0 for s in TaskState} | {TaskState.DEAD: dead, TaskState.COMPLETED: completed}
    age = timedelta(minutes=due_minutes) if due_minutes is not None else None
    return QueueStats(counts=counts, retrying=0, oldest_due_age=age)


@pytest.mark.parametrize(
    ("due", "dead", "completed", "light"),
    [
        (None, 0, 10, Light.GREEN),
        (2, 0, 10, Light.GREEN),
        (10, 0, 10, Light.AMBER),  # the oldest due task waits 10 min
        (30, 0, 10, Light.RED),
        (None, 1, 99, Light.AMBER),  # one dead task
        (None, 10, 990, Light.RED),  # ten dead
        (None, 3, 7, Light.RED),  # a 30 % failure rate
    ],
)
def test_light_follows_the_configured_thresholds(due, dead, completed, light) -> None:
    from parking_desk.services.queue_health import WorkerBeat

    alive = [WorkerBeat("w", "worker", timedelta(seconds=5), stale=False)]
    s = stats(due, dead, completed)
    rate = dead / (dead + completed)
    assert traffic_light(s, rate, alive, LIMITS)[0] == light


def test_work_due_with_every_worker_stale_is_not_green() -> None:
    from parking_desk.services.queue_health import WorkerBeat

    stale = [WorkerBeat("w", "worker", timedelta(minutes=5), stale=True)]
    light, reasons = traffic_light(stats(due_minutes=1), 0.0, stale, LIMITS)
    assert (light, reasons) == (Light.AMBER, ["no_worker"])


def test_per_minute_buckets_oldest_first() -> None:
    sent = [NOW - timedelta(seconds=10), NOW - timedelta(seconds=20), NOW - timedelta(minutes=59)]
    buckets = per_minute(sent, NOW)
    assert len(buckets) == 60 and buckets[-1] == 2 and buckets[0] == 1 and sum(buckets) == 3


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "health.db")
    yield opened
    opened.close()


def test_collect_reads_the_store_and_marks_stale_workers(store: SqliteStore) -> None:
    for i in range(3):
        store.import_raw_task(f"t{i}", {"type": "qr", "bookingNumber": str(i)}, now=NOW)
    done = store.claim_due("w1", 1, timedelta(minutes=5), now=NOW + timedelta(minutes=1))
    store.complete(done[0], "w1", DeliveryOutcome("outbox", None, False), now=NOW)
    start, later = NOW - timedelta(hours=1), NOW + timedelta(minutes=12)
    store.heartbeat(WorkerInfo("alive", "h", 1, "worker", start, later - timedelta(seconds=20)))
    store.heartbeat(WorkerInfo("gone", "h", 2, "worker", start, later - timedelta(minutes=3)))

    snap = collect_health(store, LIMITS, now=later)

    assert snap.counts[TaskState.PENDING] == 2
    assert snap.oldest_due_age == timedelta(minutes=12)
    assert snap.light == Light.AMBER and snap.reasons == ["oldest_due"]
    assert [(w.worker_id, w.stale) for w in snap.workers] == [("alive", False), ("gone", True)]


def test_collect_raises_when_the_file_is_gone(store: SqliteStore) -> None:
    store.path.unlink()
    with pytest.raises(StoreUnavailable):
        collect_health(store, LIMITS)
