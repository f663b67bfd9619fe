"""Two desks and a headless worker drain one queue at the same time: every client gets
exactly one e-mail, and the work is really shared."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from fault_tools import (
    SCALE,
    FaultyMailServer,
    scaled,
    start_worker,
    stop_worker,
    walk_in,
    write_settings,
)

from parking_desk.config import load_settings
from parking_desk.services.runtime import open_store
from parking_desk.task import TaskState

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


def store_settings(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict:
    if kind == "sqlite":
        return {"kind": "sqlite", "sqlite_path": str(tmp_path / "desk.db")}
    emulator = request.getfixturevalue("firestore_db")
    return {"kind": "firestore", "firestore_project": emulator.project}


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def test_three_workers_at_once_send_each_message_once(
    tmp_path: Path, mail_server: FaultyMailServer, request: pytest.FixtureRequest, kind: str
) -> None:
    # The emulator claims far slower than SQLite: the default run keeps it under a minute.
    total = scaled(5000, 500) if kind == "sqlite" else (5000 if SCALE >= 1 else 150)
    settings_path = write_settings(
        tmp_path,
        smtp_port=mail_server.port,
        store=store_settings(kind, tmp_path, request),
        worker={"drain_interval_s": 0.5, "lease_s": 60.0},
    )
    store = open_store(load_settings(settings_path, env={}))
    log_path = tmp_path / "workers.log"
    workers = [
        start_worker(settings_path, log_path, desk=True),
        start_worker(settings_path, log_path, desk=True),
        start_worker(settings_path, log_path),
    ]
    try:
        # The bookings come once all three are running, as on a site where desks and a
        # worker are up before the morning's bookings: otherwise the process that starts
        # first (a second sooner on a loaded machine) may claim the whole backlog alone.
        up_by = time.monotonic() + 60
        while len(store.workers()) < 3 and time.monotonic() < up_by:
            time.sleep(0.1)
        assert len(store.workers()) == 3, "the three processes did not all start"
        started = time.monotonic()
        ids = [store.create_booking(walk_in(n))[1].id for n in range(total)]
        done = mail_server.wait_for(lambda log: log.total >= total, 300)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if store.queue_stats().counts.get(TaskState.COMPLETED, 0) == total:
                break
            time.sleep(0.2)
    finally:
        for worker in workers:
            stop_worker(worker)

    # Every sender has exited and hung up: a stray second send would have arrived by now.
    assert mail_server.wait_idle(30), "a connection to the mail server outlived its worker"
    log = mail_server.snapshot()
    tasks = store.list_tasks()
    store.close()
    by_worker = Counter(
        next((h["worker"] for h in reversed(t.history) if h.get("outcome") == "completed"), "?")
        for t in tasks
    )
    print(
        f"\n{kind}: {total} tasks, 3 processes, {elapsed:.1f} s to the last message; "
        f"accepted {log.total}, duplicates {log.duplicates}; completed per worker "
        f"{sorted(by_worker.values(), reverse=True)}"
    )
    assert done, f"not every message arrived:\n{log_path.read_text()[-3000:]}"
    assert {t.id for t in tasks} == set(ids)
    assert all(t.status == TaskState.COMPLETED for t in tasks)
    assert all(log.accepted[f"<task-{i}@lot.example>"] == 1 for i in ids)
    assert log.duplicates == 0
    kinds = {w.split("-", 1)[0] for w in by_worker}
    assert len(by_worker) == 3 and kinds == {"desk", "worker"}, by_worker
