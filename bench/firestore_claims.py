"""Claims per second against the Firestore emulator: one worker, then four at once.

Run: .venv/bin/python bench/firestore_claims.py [tasks]
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from _harness import emulator, header

from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.task import NotificationTask, TaskType

LEASE = timedelta(hours=1)
BATCH = 10


def fill(store: FirestoreStore, count: int) -> None:
    """Tasks already in the store's shape, so the figure is claims alone."""
    now = datetime.now(UTC) - timedelta(minutes=1)
    col = store.conn.db.collection("emailQueue")
    for start in range(0, count, 500):
        batch = store.conn.db.batch()
        for i in range(start, min(start + 500, count)):
            task = NotificationTask(
                id="",
                type=TaskType.EMAIL,
                booking_number=str(100000 + i),
                client_email=f"c{i}@example.ro",
                next_attempt_at=now + timedelta(microseconds=i),
                created_at=now,
                updated_at=now,
            )
            batch.set(col.document(f"t{i:05d}"), task.to_document())
        batch.commit()


def drain(store: FirestoreStore, worker: str, out: list[str]) -> None:
    empty = 0
    while empty < 2:
        got = store.claim_due(worker, BATCH, LEASE)
        empty = 0 if got else empty + 1
        out += [t.id for t in got]


def run(emu, count: int, threads: int, shared: bool) -> None:
    emu.reset()
    stores = [FirestoreStore(emu.project) for _ in range(1 if shared else threads)]
    fill(stores[0], count)
    for s in stores:  # first call does the start-up sweep; keep it out of the figure
        s.claim_due("warm-up", 0, LEASE)
        s.normaliser.sweep(datetime.now(UTC))
    results: list[list[str]] = [[] for _ in range(threads)]
    workers = [
        threading.Thread(target=drain, args=(stores[0 if shared else i], f"w{i}", results[i]))
        for i in range(threads)
    ]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    claims = Counter(t for r in results for t in r)
    assert len(claims) == count and max(claims.values()) == 1, "a task was lost or doubled"
    label = f"{threads} thread(s), {'one shared store' if shared else 'a store each'}"
    print(f"   {label:40s} {count} claims in {elapsed:6.2f} s = {count / elapsed:6.0f} /s")
    for s in stores:
        s.close()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    header(f"Firestore claims, batches of {BATCH}, update-time preconditions")
    with emulator() as emu:
        print(f"   emulator started in {emu.start_s:.1f} s")
        run(emu, count, 1, shared=True)
        run(emu, count, 4, shared=False)
        run(emu, count, 4, shared=True)


if __name__ == "__main__":
    main()
