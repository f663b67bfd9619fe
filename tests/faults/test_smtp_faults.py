"""A mail server that refuses, hangs up and stalls: every client still gets the confirmation,
every unknown address ends dead with the server's reason, and nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fault_tools import BOUNCE_DOMAIN, FaultPlan, FaultyMailServer, scaled, walk_in, write_settings

from parking_desk.config import load_settings
from parking_desk.services.runtime import build_worker, open_store
from parking_desk.task import TaskState

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

CLIENT_TIMEOUT_S = 0.5


def wait_until_settled(store, timeout: float) -> dict[TaskState, int]:
    deadline = time.monotonic() + timeout
    while True:
        counts = store.queue_stats().counts
        busy = counts.get(TaskState.PENDING, 0) + counts.get(TaskState.PROCESSING, 0)
        if not busy or time.monotonic() > deadline:
            return counts
        time.sleep(0.2)


def test_transient_faults_end_delivered_and_permanent_ones_dead(
    tmp_path: Path, mail_server: FaultyMailServer
) -> None:
    total = scaled(1000, 150)
    mail_server.handler.set_plan(
        FaultPlan(tempfail=0.3, drop_every=23, stall_every=61, stall_s=CLIENT_TIMEOUT_S * 3)
    )
    settings = load_settings(
        write_settings(
            tmp_path,
            smtp_port=mail_server.port,
            store={"kind": "sqlite", "sqlite_path": str(tmp_path / "desk.db")},
            smtp_timeout_s=CLIENT_TIMEOUT_S,
            worker={"drain_interval_s": 0.3},
        ),
        env={},
    )
    store = open_store(settings)
    bounced: dict[str, str] = {}  # task id → address the server does not know
    delivered: dict[str, str] = {}
    for n in range(total):
        email = f"nobody{n}@{BOUNCE_DOMAIN}" if n % 10 == 3 else None
        booking, task = store.create_booking(walk_in(n, email=email))
        (bounced if email else delivered)[task.id] = booking.client_email.lower()

    _worker, engine = build_worker(settings, store, "worker")
    engine.start()
    try:
        counts = wait_until_settled(store, timeout=150)
    finally:
        engine.stop(2.0)

    log = mail_server.snapshot()
    tasks = {t.id: t for t in store.list_tasks()}
    store.close()
    print(
        f"\n{total} tasks; server refusals {dict(log.refused)}; accepted {log.total}; "
        f"duplicates {log.duplicates}; final states { {str(k): v for k, v in counts.items()} }"
    )
    # The run met every kind of fault it claims to survive.
    assert log.refused["451"] > 0 and log.refused["drop"] > 0 and log.refused["stall"] > 0
    assert log.refused["550"] >= len(bounced)

    assert set(tasks) == set(bounced) | set(delivered), "a task went missing"
    for task_id, address in delivered.items():
        task = tasks[task_id]
        assert task.status == TaskState.COMPLETED, (task_id, task.status, task.last_error)
        assert log.by_recipient[address] >= 1, f"{address} never reached the server"
    for task_id, address in bounced.items():
        task = tasks[task_id]
        assert task.status == TaskState.DEAD, (task_id, task.status)
        assert task.last_error is not None and task.last_error.permanent
        assert "550" in task.last_error.code and "User unknown" in task.last_error.message
        assert task.attempts == 1, "a permanent refusal must not be retried"
        assert log.by_recipient[address] == 0
    assert log.duplicates == 0
