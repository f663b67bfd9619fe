"""The kiosk's traffic light and figures, from real store reads and the configured limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parking_desk.config import KioskSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.queue_health import (
    Light,
    WorkerBeat,
    WorkerState,
    beats,
    collect_health,
    per_minute,
    traffic_light,
)
from parking_desk.services.store.base import DeliveryOutcome, QueueStats, WorkerInfo
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import LastError, TaskState

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LIMITS = KioskSettings()


ALIVE = [WorkerBeat("w", "worker", timedelta(seconds=5), stale=False)]


def stats(
    due_minutes: float | None = None, dead: int = 0, completed: int = 10, retrying: int = 0
) -> QueueStats:
    counts = {s: 0 for s in TaskState} | {TaskState.DEAD: dead, TaskState.COMPLETED: completed}
    counts[TaskState.PENDING] = retrying
    age = timedelta(minutes=due_minutes) if due_minutes is not None else None
    return QueueStats(counts=counts, retrying=retrying, oldest_due_age=age)


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
    s = stats(due, dead, completed)
    rate = dead / (dead + completed)
    assert traffic_light(s, rate, ALIVE, LIMITS)[0] == light


@pytest.mark.parametrize(
    ("retrying", "light"),
    [(0, Light.GREEN), (1, Light.AMBER), (19, Light.AMBER), (20, Light.RED)],
)
def test_retrying_tasks_colour_the_light_before_anything_is_due_or_dead(retrying, light):
    # An SMTP outage: every send went back to pending with a later due time.
    result = traffic_light(stats(retrying=retrying), None, ALIVE, LIMITS)
    assert result == (light, ["retrying"] if retrying else [])


def test_a_blocked_worker_is_red_when_nobody_else_sends_and_amber_when_someone_does():
    blocked = WorkerBeat("b", "worker", timedelta(seconds=5), False, WorkerState.BLOCKED)
    assert traffic_light(stats(due_minutes=1), None, [blocked], LIMITS) == (
        Light.RED,
        ["worker_blocked"],
    )
    assert traffic_light(stats(), None, [blocked], LIMITS) == (Light.RED, ["worker_blocked"])
    assert traffic_light(stats(due_minutes=1), None, [blocked, *ALIVE], LIMITS) == (
        Light.AMBER,
        ["worker_blocked"],
    )
    # Blocked and then silent: it no longer says anything, so it counts as gone.
    silent = WorkerBeat("b", "worker", timedelta(minutes=5), True, WorkerState.BLOCKED)
    assert traffic_light(stats(due_minutes=1), None, [silent], LIMITS) == (
        Light.AMBER,
        ["no_worker"],
    )


def test_the_board_keeps_stopped_and_silent_workers_for_a_day() -> None:
    def info(worker_id: str, ago: timedelta, state: str) -> WorkerInfo:
        return WorkerInfo(worker_id, "h", 1, "worker", NOW - timedelta(days=9), NOW - ago, 0, state)

    shown = beats(
        [
            info("a-live", timedelta(seconds=5), "running"),
            info("b-silent", timedelta(hours=3), "running"),
            info("c-stopped", timedelta(hours=23), "stopped"),
            info("d-stopped-long-ago", timedelta(hours=25), "stopped"),
            info("e-silent-long-ago", timedelta(days=3), "running"),
            info("f-blocked", timedelta(seconds=10), "blocked"),
            info("g-newer", timedelta(seconds=10), "draining-v2"),
        ],
        NOW,
    )
    assert [(w.worker_id, w.state, w.stale) for w in shown] == [
        ("a-live", WorkerState.RUNNING, False),
        ("b-silent", WorkerState.RUNNING, True),
        ("c-stopped", WorkerState.STOPPED, False),
        ("f-blocked", WorkerState.BLOCKED, False),
        ("g-newer", WorkerState.RUNNING, False),
    ]
    assert [w.draining for w in shown] == [True, False, False, False, True]


def test_work_due_with_every_worker_stale_is_not_green() -> None:
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


def test_the_failure_rate_counts_the_last_hour_only(store: SqliteStore) -> None:
    for i in range(3):
        store.import_raw_task(f"t{i}", {"type": "qr", "bookingNumber": str(i)}, now=NOW)
    old, recent, sent = store.claim_due("w1", 3, timedelta(minutes=5), now=NOW)
    error = LastError("smtp.550", "550 5.1.1 unknown", True)
    store.fail_permanent(old, "w1", error, now=NOW)  # a bad morning, long over
    store.fail_permanent(recent, "w1", error, now=NOW + timedelta(hours=3))
    store.complete(sent, "w1", DeliveryOutcome("outbox", None, False), now=NOW)
    live = NOW + timedelta(hours=3, minutes=10)
    store.heartbeat(WorkerInfo("w1", "h", 1, "worker", NOW, live))

    snap = collect_health(store, LIMITS, now=live)
    assert (snap.failed_last_hour, snap.sent_last_hour, snap.failure_rate) == (1, 0, 1.0)
    assert snap.reasons == ["failure_rate", "dead"]  # red: every send of the hour failed

    later = collect_health(store, LIMITS, now=live + timedelta(hours=1))
    assert (later.failed_last_hour, later.failure_rate) == (0, None)
    assert later.light == Light.AMBER and later.reasons == ["dead"]  # two still dead


def test_collect_raises_when_the_file_is_gone(store: SqliteStore) -> None:
    store.path.unlink()
    with pytest.raises(StoreUnavailable):
        collect_health(store, LIMITS)
