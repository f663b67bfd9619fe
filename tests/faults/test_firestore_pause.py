"""Firestore stops answering (the emulator frozen with SIGSTOP, as a network partition or a
stalled backend looks to a client), then comes back.

The headless worker must neither crash nor spin while it waits, and must carry on by itself
afterwards; a booking attempted meanwhile must fail with a clear, translated error and leave
nothing half-written."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fault_tools import SCALE, FaultyMailServer, start_worker, stop_worker, walk_in, write_settings

from parking_desk.config import load_settings
from parking_desk.errors import ParkingDeskError, StoreUnavailable
from parking_desk.services.runtime import open_store
from parking_desk.services.store.base import BookingQuery
from parking_desk.task import TaskState

pytestmark = [pytest.mark.faults, pytest.mark.firestore, pytest.mark.timeout(300)]

PAUSE_S = max(6.0, 30.0 * SCALE) if SCALE < 1 else 30.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its reaped children) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICKS


def delivered(server: FaultyMailServer, task_ids: list[str]) -> bool:
    log = server.snapshot()
    return all(log.accepted[f"<task-{i}@lot.example>"] for i in task_ids)


def test_worker_waits_out_a_frozen_firestore_and_bookings_fail_cleanly(
    tmp_path: Path, firestore_db, mail_server: FaultyMailServer
) -> None:
    settings_path = write_settings(
        tmp_path,
        smtp_port=mail_server.port,
        store={"kind": "firestore", "firestore_project": firestore_db.project},
        worker={"drain_interval_s": 1.0, "heartbeat_s": 2.0},
    )
    store = open_store(load_settings(settings_path, env={}))
    log_path = tmp_path / "worker.log"
    worker = start_worker(settings_path, log_path)
    try:
        before = [store.create_booking(walk_in(n))[1].id for n in range(10)]
        assert mail_server.wait_for(lambda _log: delivered(mail_server, before), 60)

        cpu_before = cpu_seconds(worker.pid)
        firestore_db.pause()
        paused_at = time.monotonic()
        try:
            attempt_started = time.monotonic()
            with pytest.raises(ParkingDeskError) as failure:
                store.create_booking(walk_in(500))
            attempt_s = time.monotonic() - attempt_started
            # The outage's length, as a mail server's stall: the CPU the worker may use is
            # measured against it, not against this wait.
            time.sleep(max(0.0, PAUSE_S - (time.monotonic() - paused_at)))
            alive_during_pause = worker.poll() is None
            cpu_during_pause = cpu_seconds(worker.pid) - cpu_before
        finally:
            firestore_db.resume()
        paused_s = time.monotonic() - paused_at

        after = [store.create_booking(walk_in(n))[1].id for n in range(600, 610)]
        resumed = mail_server.wait_for(lambda _log: delivered(mail_server, after), 90)
        ghost = store.search_bookings(BookingQuery(plate=walk_in(500).plate, limit=50))
        ghost = [b for b in ghost if b.client_name == walk_in(500).client_name]
        tasks = store.list_tasks()
    finally:
        stop_worker(worker)
        store.close()

    print(
        f"\npaused {paused_s:.1f} s; the booking attempt failed after {attempt_s:.1f} s with "
        f"{type(failure.value).__name__}: {failure.value.translated('en')!r}; worker CPU "
        f"during the pause {cpu_during_pause:.2f} s; booking written after all: {len(ghost)}"
    )
    # A clear error, in both languages, in bounded time.
    error = failure.value
    assert isinstance(error, StoreUnavailable)
    assert attempt_s < 30
    # Nothing half-written: every booking has its queue task.
    numbers = {t.booking_number for t in tasks}
    for booking in ghost:
        assert booking.booking_number in numbers, "a booking without its queue task"
    # And the error told the truth. A commit that timed out may still be applied when the
    # server wakes, so the desk may not say "nothing was saved": it names the booking to
    # look for, and that is the only one that can appear.
    if error.code == "error.save_unconfirmed":
        number = error.params["number"]
        assert f"Look for booking {number}" in error.translated("en")
        assert f"Căutați rezervarea {number}" in error.translated("ro")
        assert [b.booking_number for b in ghost] in ([], [number])
    else:
        assert "Nothing was saved" in error.translated("en")
        assert "Nimic nu a fost salvat" in error.translated("ro")
        assert not ghost, "the booking reported as not saved was written after all"
    # The worker waited: alive, barely using the CPU, then back at work by itself.
    assert alive_during_pause, log_path.read_text()[-3000:]
    assert cpu_during_pause < 0.25 * paused_s, f"the worker spun: {cpu_during_pause:.1f} s CPU"
    assert resumed, f"nothing delivered after the pause:\n{log_path.read_text()[-3000:]}"
    states = {t.id: t.status for t in tasks}
    assert all(states[i] == TaskState.COMPLETED for i in before + after)
