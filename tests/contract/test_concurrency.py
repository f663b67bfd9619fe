"""Issue 2's "must show": four workers draining 500 due tasks claim each exactly once."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from contract_data import website_task

from parking_desk.services.store import Store
from parking_desk.task import TaskState

TASKS = 500
WORKERS = 4
BATCH = 10
# A worker sends what it claimed before claiming again; this stands in for the sending, so
# claims from different workers interleave as they do in a real drain.
SEND_TIME = 0.001
# Long enough that no claim in the test can expire and be taken a second time.
LONG_LEASE = timedelta(hours=1)


def fill(store: Store) -> set[str]:
    ids = {f"t{i:03d}" for i in range(TASKS)}

    def put(task_id: str) -> None:
        store.import_raw_task(task_id, website_task(str(100000 + int(task_id[1:]))))

    # Writes the 500 documents in parallel (the emulator takes one write per round trip);
    # the pool only lives for the filling.
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(put, sorted(ids)))
    return ids


def drain(store: Store, worker_id: str, tally) -> list[str]:
    """Claim until all workers together hold every task (or a minute has passed).

    An empty claim alone does not end a worker: under contention a claim may come back
    empty while tasks remain, and a worker that gave up then would hide a lost task.
    """
    got: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        claimed = store.claim_due(worker_id, BATCH, LONG_LEASE)
        got += [t.id for t in claimed]
        with tally.get_lock():
            tally.value += len(claimed)
            if tally.value >= TASKS:
                break
        time.sleep(SEND_TIME * len(claimed) if claimed else 0.01)
    return got


def test_four_threads_claim_every_task_exactly_once(store: Store) -> None:
    ids = fill(store)
    results: dict[str, list[str]] = {}
    # Guards `results`, filled in by the four worker threads.
    lock = threading.Lock()
    start = threading.Barrier(WORKERS)
    tally = multiprocessing.Value("i", 0)

    def worker(name: str) -> None:
        start.wait()
        got = drain(store, name, tally)
        with lock:
            results[name] = got

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(WORKERS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began

    claims = Counter(task_id for got in results.values() for task_id in got)
    assert set(claims) == ids
    assert max(claims.values()) == 1
    assert sum(1 for got in results.values() if got) >= 2, "one worker took everything"
    owners = {t.id: t.lease_owner for t in store.list_tasks()}
    for name, got in results.items():
        assert all(owners[task_id] == name for task_id in got)
    assert store.queue_stats().counts[TaskState.PROCESSING] == TASKS
    spread = sorted(len(got) for got in results.values())
    print(f"\n{store.kind}: {TASKS} claims by {WORKERS} threads in {elapsed:.2f} s, {spread}")


def _claim_in_process(path: str, worker_id: str, ready, tally, out) -> None:
    from parking_desk.services.store.sqlite.store import SqliteStore

    store = SqliteStore(path)
    ready.wait()
    out.put((worker_id, drain(store, worker_id, tally)))
    store.close()


def test_sqlite_four_processes_claim_every_task_exactly_once(tmp_path: Path) -> None:
    from parking_desk.services.store.sqlite.store import SqliteStore

    path = tmp_path / "shared.db"
    store = SqliteStore(path)
    ids = fill(store)
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(WORKERS + 1, timeout=120)
    tally = ctx.Value("i", 0)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_claim_in_process, args=(str(path), f"p{i}", ready, tally, out))
        for i in range(WORKERS)
    ]
    for p in procs:
        p.start()
    ready.wait()  # every process has started and opened the file
    began = time.perf_counter()
    results = dict(out.get(timeout=120) for _ in procs)
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert sum(1 for got in results.values() if got) >= 2, "one process took everything"

    claims = Counter(task_id for got in results.values() for task_id in got)
    assert set(claims) == ids
    assert max(claims.values()) == 1
    owners = {t.id: t.lease_owner for t in store.list_tasks()}
    for name, got in results.items():
        assert all(owners[task_id] == name for task_id in got)
    spread = sorted(len(got) for got in results.values())
    print(f"\nsqlite: {TASKS} claims by {WORKERS} processes in {elapsed:.2f} s, {spread}")
    store.close()
