"""A worker killed with SIGKILL mid-drain, again and again: no task is lost, and the only
duplicates are sends the server accepted just before a kill whose completion was never
written. That window is one completion write wide per sending thread, so a kill leaves at
most one such task per thread: one with a single sending thread."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest
from fault_tools import FaultyMailServer, scaled, start_worker, stop_worker, walk_in, write_settings

from parking_desk.config import load_settings
from parking_desk.services.runtime import open_store
from parking_desk.task import TaskState

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

LEASE_S = 2.0


@pytest.mark.parametrize("threads", [1, 4])
def test_sigkill_during_a_drain_loses_nothing(
    tmp_path: Path, mail_server: FaultyMailServer, threads: int
) -> None:
    total, kills = scaled(2000, 200), scaled(20, 4)
    settings_path = write_settings(
        tmp_path,
        smtp_port=mail_server.port,
        store={"kind": "sqlite", "sqlite_path": str(tmp_path / "desk.db")},
        worker={
            "lease_s": LEASE_S,
            "drain_interval_s": 0.3,
            "batch_size": 20,
            "send_parallelism": threads,
        },
    )
    settings = load_settings(settings_path, env={})
    store = open_store(settings)
    ids = [store.create_booking(walk_in(n))[1].id for n in range(total)]
    log_path = tmp_path / "worker.log"
    rng = random.Random(20)

    killed, kill_points, windows = 0, [], []
    deadline = time.monotonic() + 400
    while killed < kills and time.monotonic() < deadline:
        before = mail_server.snapshot().total
        if before >= total:
            break
        worker = start_worker(settings_path, log_path)
        # Let it get well into sending, then kill it at an arbitrary point of a send.
        step = rng.randint(1, max(2, total // (kills * 3)))
        reached = mail_server.wait_for(lambda log, b=before, s=step: log.total >= b + s, 90)
        time.sleep(rng.uniform(0, 0.05))
        stop_worker(worker, signal.SIGKILL)
        assert reached, f"the worker sent nothing in 90 s:\n{log_path.read_text()[-3000:]}"
        killed += 1
        # A message sent just before the kill may still be being filed; once the dead
        # worker's connections are closed, nothing more from it can be accepted.
        assert mail_server.wait_idle(30), "the killed worker's connection stayed open"
        log = mail_server.snapshot()
        kill_points.append(log.total)
        # Sent but not recorded as sent by the worker just killed: these will go out again.
        windows.append(
            sum(
                1
                for t in store.list_tasks()
                if t.status == TaskState.PROCESSING
                and f"-{worker.pid}-" in (t.lease_owner or "")
                and log.accepted[f"<task-{t.id}@lot.example>"]
            )
        )

    # One last worker, left alone, finishes the queue once the dead workers' leases expire.
    worker = start_worker(settings_path, log_path)
    try:
        done = mail_server.wait_for(
            lambda log: all(log.accepted[f"<task-{i}@lot.example>"] for i in ids), 120
        )
        while time.monotonic() < deadline:
            counts = store.queue_stats().counts
            if counts.get(TaskState.COMPLETED, 0) == total:
                break
            time.sleep(0.2)
    finally:
        stop_worker(worker)

    log = mail_server.snapshot()
    states = {t.id: t.status for t in store.list_tasks()}
    store.close()
    print(
        f"\n{threads} sending thread(s), {total} tasks, {killed} SIGKILLs at {kill_points} "
        f"messages; accepted {log.total}, duplicates {log.duplicates}, "
        f"sent-but-unrecorded per kill {windows}"
    )
    assert killed == kills, "the queue emptied before every kill happened"
    assert done, "some task never reached the mail server"
    assert len(states) == total and set(states) == set(ids), "a task went missing"
    assert all(s == TaskState.COMPLETED for s in states.values()), "a task did not complete"
    # Every duplicate is explained by a kill's window, and no window is wider than a send
    # per thread.
    assert log.duplicates == sum(windows)
    assert max(windows) <= threads
