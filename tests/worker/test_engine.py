"""The engine on APScheduler: woken at once, by this process or by the store's listener,
heartbeats, and a clean stop that hands unfinished work back."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from conftest import open_test_store
from worker_data import booking

from parking_desk.services.runtime import build_worker
from parking_desk.services.worker_events import DrainFinished
from parking_desk.task import TaskState

pytestmark = pytest.mark.timeout(60)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> float:
    """Seconds until *condition* held; fails the test after *timeout*."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not reached within {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - start


def message_in_flight(smtp) -> threading.Event:
    """Set once the server holds a whole message and has not answered yet: a send is in
    flight. Taken before the first connection, which reads the handler's hooks."""
    arrived = threading.Event()
    handle = smtp.handler.handle_DATA

    async def handle_DATA(server, session, envelope) -> str:
        arrived.set()
        return await handle(server, session, envelope)

    smtp.handler.handle_DATA = handle_DATA
    return arrived


def booked_on_another_desk(store, smtp, tmp_path, request) -> float:
    """Seconds from a booking saved through another connection to the store until its
    e-mail reaches the SMTP server."""
    other = open_test_store(store.kind, tmp_path, request)
    try:
        other.create_booking(booking("Mădălina Pîrvu", "madalina@client.example"))
        return wait_for(lambda: len(smtp.messages) == 1, timeout=15)
    finally:
        other.close()


@pytest.fixture
def running(store, smtp, make_settings, events):
    """An engine with a 30 s interval, started and past its first (empty) drain."""
    settings = make_settings(smtp, drain_interval_s=30.0, heartbeat_s=0.2)
    _worker, engine = build_worker(settings, store, "desk", events=events.append)
    engine.start()
    wait_for(lambda: engine.status().last_drain_at is not None)
    yield engine
    engine.stop(2.0)


def test_wake_drains_at_once_after_enqueue(running, store, smtp):
    store.create_booking(booking())
    running.wake()
    latency = wait_for(lambda: len(smtp.messages) == 1, timeout=10)
    assert latency < 5.0  # the interval is 30 s; typically 0.05 s (SQLite), 0.25 s (Firestore)
    assert running.status().next_drain_at is not None


def test_listener_wakes_for_a_booking_made_elsewhere(running, store, smtp, tmp_path, request):
    # Another desk (its own connection to the same store) takes a booking; nobody calls wake.
    latency = booked_on_another_desk(store, smtp, tmp_path, request)
    assert latency < 10.0  # the interval is 30 s; typically about 0.5 s


def test_wakes_during_a_drain_coalesce_into_one_follow_up(running, store, smtp, events):
    smtp.faults.stall_s = 0.4
    for i in range(2):
        store.create_booking(booking(email=f"first{i}@client.example"))
    drains_before = sum(isinstance(e, DrainFinished) for e in events)
    running.wake()
    wait_for(lambda: running.status().draining, timeout=5)
    store.create_booking(booking(email="late@client.example"))
    for _ in range(5):
        running.wake()
    wait_for(lambda: len(smtp.messages) == 3, timeout=10)
    wait_for(lambda: not running.status().draining, timeout=5)
    finished = [e for e in events if isinstance(e, DrainFinished)][drains_before:]
    # The first drain plus one follow-up for the late booking, not one per wake. A drain may
    # also start between the first two bookings (the listener hears of each commit), and
    # at most one drain finds nothing left: the five wakes asked for one more look, once.
    assert 2 <= len(finished) <= 4
    assert sum(d.report.claimed == 0 for d in finished) <= 1


def test_heartbeat_is_recorded_and_marked_stopped(store, smtp, make_settings):
    settings = make_settings(smtp, heartbeat_s=0.2)
    worker, engine = build_worker(settings, store, "worker")
    engine.start()
    try:
        wait_for(lambda: any(w.worker_id == worker.worker_id for w in store.workers()))
    finally:
        engine.stop(2.0)
    [info] = [w for w in store.workers() if w.worker_id == worker.worker_id]
    assert info.state == "stopped" and info.kind == "worker"


def test_stop_lets_the_send_finish_and_releases_the_rest(store, smtp, make_settings):
    smtp.faults.stall_s = 0.6
    settings = make_settings(smtp, send_parallelism=1, lease_s=120.0)
    made = [store.create_booking(booking(email=f"c{i}@client.example"))[1] for i in range(5)]
    in_flight = message_in_flight(smtp)
    _worker, engine = build_worker(settings, store, "worker")
    engine.start()
    assert in_flight.wait(10), "no send started"

    started = time.monotonic()
    released = engine.stop(grace_s=5.0)
    took = time.monotonic() - started

    assert took < 5.5  # the in-flight send finished well within the 5 s grace
    sent = len(smtp.messages)
    assert sent >= 1 and released == 5 - sent
    states = [store.get_task(t.id) for t in made]
    assert sum(t.status == TaskState.COMPLETED for t in states) == sent
    waiting = [t for t in states if t.status != TaskState.COMPLETED]
    assert all(t.status == TaskState.PENDING and t.lease_owner is None for t in waiting)
    # Another worker takes them now, not after the 120 s lease.
    smtp.faults.stall_s = 0.0
    other, _ = build_worker(settings, store, "worker")
    assert other.drain_once().completed == len(waiting)
    assert len(smtp.messages) == 5


def test_stopped_engine_ignores_wake(store, smtp, make_settings):
    settings = make_settings(smtp)
    before = set(threading.enumerate())
    _worker, engine = build_worker(settings, store, "desk")
    engine.start()
    engine.stop(1.0)
    store.create_booking(booking())
    engine.wake()
    # A drain the wake set off would run on a thread of the engine's: once none is left,
    # nothing can send any more.
    deadline = time.monotonic() + 30
    while left := [t for t in threading.enumerate() if t not in before and t.is_alive()]:
        assert time.monotonic() < deadline, f"the stopped engine left {left} running"
        time.sleep(0.01)
    assert smtp.messages == [] and not engine.status().running
    assert engine.stop(1.0) == 0
    assert store.queue_stats().counts[TaskState.PENDING] == 1
    assert timedelta(0) <= (store.queue_stats().oldest_due_age or timedelta(0))


def test_a_burst_of_wakes_loses_none(running, store, smtp, caplog):
    """Bookings and wakes arriving at random moments, some while a drain is ending: every
    one is sent long before the 30 s interval, and APScheduler has nothing to complain of."""
    rng = random.Random(7)
    with caplog.at_level(logging.WARNING, logger="apscheduler"):
        for i in range(15):
            store.create_booking(booking(email=f"burst{i}@client.example"))
            running.wake()
            time.sleep(rng.uniform(0.0, 0.04))
        wait_for(lambda: len(smtp.messages) == 15, timeout=8)
    # The drain is never reported skipped (the engine coalesces its wakes itself); the test's
    # 0.2 s heartbeat may be, on a loaded machine, and that is not what this test is about.
    drain_skips = [
        r
        for r in caplog.records
        if "skipped" in r.getMessage() and "heartbeat" not in r.getMessage()
    ]
    assert drain_skips == []


def test_a_short_interval_drains_without_a_listener(store, smtp, make_settings, tmp_path, request):
    settings = make_settings(smtp, drain_interval_s=0.5, heartbeat_s=0.2)
    _worker, engine = build_worker(settings, store, "worker")
    engine.start()
    try:
        assert engine._subscription is None  # polling every 0.5 s is as prompt
        latency = booked_on_another_desk(store, smtp, tmp_path, request)
    finally:
        engine.stop(2.0)
    assert latency < 5.0


def test_a_booking_saved_in_this_process_wakes_the_listening_engine_once(
    smtp, make_settings, tmp_path, events
):
    """Nobody calls ``wake()`` and the store's poller ticks once a minute: the engine's
    listener hears of this process's commit at once, and one drain sends the e-mail."""
    from parking_desk.services.store.sqlite.store import SqliteStore

    store = SqliteStore(tmp_path / "desk.db", poll_interval=60.0)
    settings = make_settings(smtp, drain_interval_s=30.0, heartbeat_s=30.0)
    _worker, engine = build_worker(settings, store, "desk", events=events.append)
    engine.start()
    try:
        wait_for(lambda: engine.status().last_drain_at is not None)
        assert engine.listening
        drains_before = sum(isinstance(e, DrainFinished) for e in events)
        store.create_booking(booking())
        wait_for(lambda: len(smtp.messages) == 1, timeout=10)
        wait_for(lambda: not engine.status().draining)
        drains = [e for e in events if isinstance(e, DrainFinished)][drains_before:]
        assert [d.report.claimed for d in drains] == [1]
    finally:
        engine.stop(2.0)
        store.close()
