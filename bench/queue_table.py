"""The supervisor's queue table with 100,000 tasks: load, filter, sort and memory.

A real SQLite store holds the tasks (a mix of states, with error texts); the real queue tab
loads them from the store's feed, as when a supervisor opens it. Timings are wall clock on
the GUI thread, each including the repaint of the visible rows; a 10 ms timer records the
longest the GUI thread was busy meanwhile. Peak RSS is the whole process's high-water mark.

    .venv/bin/python bench/queue_table.py [--tasks 100000] [--quick]
    .venv/bin/python bench/queue_table.py --firestore --tasks 20000   # the emulator's listing
    .venv/bin/python bench/queue_table.py --firestore --rtt 40        # 40 ms away

On Firestore the tab's first paint and all rows are timed against the naive feed (the
listener over the whole queue alone, its first snapshot sending every document whole),
cold and warm: cold is a desk with no table kept yet (the newest rows projected in one
request, then the whole queue listed projected in pages by id, each page shown and kept on
the disk as it comes, then the range changed since the listing began followed and a
keys-only reconciliation; "exact" is the ``complete`` batch, every row); warm opens again
from that file after changes made while the desk was closed (tasks cancelled, new tasks,
tasks deleted, website documents with no state), and shows
the cached rows, then the rows changed since, then the exact queue once the background
reconciliation (a keys-only listing) has found the deletions and the website's documents.
The seeded tasks were last written a day ago, as in a queue built over days.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import _harness as h
from gui_stall import StallMeter, pump
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import TaskState
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_columns import Column
from parking_desk.ui.console.queue_tab import QueueTab

ERRORS = [
    {"code": "smtp-550", "message": "550 5.1.1 mailbox unavailable", "permanent": True},
    {"code": "smtp-451", "message": "451 4.3.0 try again later", "permanent": False},
    {"code": "timeout", "message": "connection timed out", "permanent": False},
]
STATES = ["completed"] * 6 + ["pending", "dead", "cancelled", "pending"]


def seed(store: SqliteStore, count: int) -> None:
    rng = random.Random(5)
    start = datetime.now(UTC) - timedelta(days=30)
    for i in range(count):
        state = rng.choice(STATES)
        doc = {
            "type": "both",
            "bookingNumber": str(100000 + i),
            "clientEmail": f"client{i}@example.ro",
            "bookingData": {"clientName": f"Client {i}", "language": "ro"},
            "status": state,
            "attempts": rng.randint(0, 5) if state != "completed" else 1,
            "nextAttemptAt": start + timedelta(seconds=i * 20),
            "lastError": rng.choice(ERRORS) if state in ("dead", "pending") else None,
            "createdAt": start + timedelta(seconds=i * 20),
        }
        store.import_raw_task(f"t{i:06d}", doc)


def timed(app: QApplication, meter: StallMeter, label: str, action, ready) -> float:
    meter.start()
    started = time.perf_counter()
    action()
    pump(app, ready, 60)
    app.processEvents()
    elapsed = time.perf_counter() - started
    print(
        f"   {label:<44} {elapsed * 1000:8.0f} ms  (longest GUI gap "
        f"{max(meter.gaps, default=0.0) * 1000:.0f} ms)"
    )
    return elapsed


def change_while_closed(
    store, n: int, changes: int
) -> tuple[set[str], set[str], set[str], set[str]]:
    """What other desks, workers and the website do while this desk is closed: *changes*
    tasks cancelled, as many created, as many deleted (the purge), a tenth as many
    website documents with no state and no ``updatedAt``. The ids of each."""
    from google.cloud import firestore as gfs

    db = store.conn.db
    cancelled = {f"t{i:06d}" for i in range(0, changes)}
    store.cancel_tasks(sorted(cancelled), operator="bench")
    created = set(h.seed_firestore(store, changes, start=n))
    deleted = {f"t{i:06d}" for i in range(n // 2, n // 2 + changes)}
    for part in range(0, changes, 500):
        batch = db.batch()
        for task_id in sorted(deleted)[part : part + 500]:
            batch.delete(db.collection("emailQueue").document(task_id))
        batch.commit()
    website = {f"web{i:04d}" for i in range(max(1, changes // 10))}
    batch = db.batch()
    for i, task_id in enumerate(sorted(website)):
        batch.set(
            db.collection("emailQueue").document(task_id),
            {
                "type": "both",
                "bookingNumber": str(900000 + i),
                "clientEmail": f"web{i}@example.ro",
                "bookingData": {"clientName": f"Web {i}"},
                "createdAt": gfs.SERVER_TIMESTAMP,
            },
        )
    batch.commit()
    return cancelled, created, deleted, website


def open_tab(app, bridge, session, store, folder: Path, meter, until_all, until_exact=None):
    """A desk's queue tab on *store*, keeping its table in *folder*: seconds to first paint,
    to all rows (*until_all*), to the exact queue (*until_exact*, when given)."""
    tab = QueueTab(None, bridge, session)
    tab.resize(1366, 800)
    tab.show()
    store.keep_table_rows(folder)
    meter.start()
    t = time.perf_counter()
    tab.set_store(store)
    pump(app, lambda: tab.proxy.rowCount() > 0, 900)
    first = time.perf_counter() - t
    pump(app, lambda: until_all(tab.model), 900)
    every = time.perf_counter() - t
    exact = None
    if until_exact is not None:
        pump(app, lambda: until_exact(tab.model), 900)
        exact = time.perf_counter() - t
    return tab, first, every, exact


def firestore_listing(n: int, rtt_ms: float, *, naive: bool = True, changes: int = 0) -> int:
    """Whole tasks against table rows from the emulator, side by side in one run, then the
    queue tab's load: first paint and all rows, against the listener alone, cold (no table
    kept yet) and warm (the table kept by the cold session, after changes)."""
    from _latency_proxy import latency_proxy, measured_rtt_ms

    from parking_desk.services.store.firestore.store import FirestoreStore
    from parking_desk.ui.console.queue_model import QueueModel

    changes = changes or max(10, n // 100)
    h.header(f"queue listing of {n:,} tasks (Firestore emulator)")
    with h.emulator() as emu:
        seeder = FirestoreStore(emu.project)
        t = time.perf_counter()
        h.seed_firestore(seeder, n, age_s=86400.0)  # last written a day ago
        seeder.close()
        print(f"   ({n:,} tasks written in {time.perf_counter() - t:.0f} s)")
        with latency_proxy(os.environ["FIRESTORE_EMULATOR_HOST"], rtt_ms) as host:
            os.environ["FIRESTORE_EMULATOR_HOST"] = host
            print(f"   round trip to the emulator: {measured_rtt_ms(host):.0f} ms")
            store = FirestoreStore(emu.project)
            for label, listing in (
                ("list_tasks (whole documents)", store.list_tasks),
                ("list_task_rows (projection)", store.list_task_rows),
            ):
                t, c = time.perf_counter(), time.process_time()
                count = len(listing())
                print(
                    f"   {label:<32} {count:,} in {time.perf_counter() - t:6.1f} s "
                    f"({(time.process_time() - c):.1f} s CPU in this process)"
                )
            app = QApplication.instance() or QApplication(sys.argv)
            session = RoleSession(Person("bench", "Bench", Role.SUPERVISOR))
            bridge = Bridge()
            meter = StallMeter()

            naive_first = naive_all = float("nan")
            if naive:  # the listener's first snapshot alone, into the same model
                model = QueueModel()
                meter.start()
                t = time.perf_counter()
                # The store's feed with no table kept: the listener over the whole queue.
                feed = model.feed()
                watch = bridge.run(lambda: store.rows.watch_task_rows(feed, first_paint=False))
                pump(app, lambda: model.rowCount() > 0, 900)
                naive_first = time.perf_counter() - t
                pump(app, lambda: model.total_count() == n, 900)
                naive_all = time.perf_counter() - t
                watch.result().unsubscribe()
                model.stop_following()

            folder = Path(tempfile.mkdtemp(prefix="pd-bench-table-cache-"))

            def listed(_model) -> bool:  # the complete batch given: the cache has its watermark
                cache = store.rows._cache
                return cache is not None and cache.watermark is not None

            tab, first, every, cold_exact = open_tab(
                app, bridge, session, store, folder, meter, lambda m: m.total_count() == n, listed
            )
            cold_gap = max(meter.gaps, default=0.0)
            tab.shutdown()
            store.close()
            cache_files = [p for p in (folder / "table-rows").iterdir() if p.is_file()]
            cache_mb = sum(p.stat().st_size for p in cache_files) / 1e6

            # While the desk is closed (written direct, not through the proxy).
            os.environ["FIRESTORE_EMULATOR_HOST"] = emu.host
            other = FirestoreStore(emu.project)
            cancelled, created, deleted, website = change_while_closed(other, n, changes)
            other.close()
            os.environ["FIRESTORE_EMULATOR_HOST"] = host
            total = n + len(created) - len(deleted) + len(website)

            def changes_shown(model) -> bool:
                rows = {task_id: model.row(task_id) for task_id in cancelled | created}
                return all(r is not None for r in rows.values()) and all(
                    rows[i].status == "cancelled" for i in cancelled
                )

            def exact(model) -> bool:
                return (
                    model.total_count() == total
                    and all(model.row(i) is None for i in deleted)
                    and all(model.row(i) is not None for i in website)
                )

            store = FirestoreStore(emu.project)
            tab, warm_first, warm_changes, warm_exact = open_tab(
                app, bridge, session, store, folder, meter, changes_shown, exact
            )
            warm_gap = max(meter.gaps, default=0.0)
            tab.shutdown()

            print(
                f"   changes while closed: {len(cancelled):,} cancelled, {len(created):,} new, "
                f"{len(deleted):,} deleted, {len(website):,} website documents with no state; "
                f"cache file {cache_mb:.1f} MB"
            )
            print(f"   {'':<40} {'first paint':>12} {'all rows':>10} {'exact':>8}")
            if naive_all == naive_all:  # measured (not NaN: --no-naive)
                print(
                    f"   {'naive: the listener alone':<40} {naive_first:11.1f}s {naive_all:9.1f}s"
                )
            else:
                print(f"   {'naive: the listener alone':<40} {'not run (--no-naive)':>23}")
            print(
                f"   {'queue tab, no cache yet (cold)':<40} {first:11.1f}s {every:9.1f}s "
                f"{cold_exact or 0.0:7.1f}s"
            )
            print(
                f"   {'queue tab, cache of the last session':<40} {warm_first:11.1f}s "
                f"{warm_changes:9.1f}s {warm_exact:7.1f}s"
            )
            print(
                "   (cold: exact = the listing, the catch-up and the reconciliation done, the "
                "complete batch given; warm: all rows = every row shown with the changes made "
                "while closed; exact = the deletions and the website's documents found too)"
            )
            for label, (p, a, gap) in (
                ("cold", (first, every, cold_gap)),
                ("warm", (warm_first, warm_changes, warm_gap)),
            ):
                print(
                    f"   goals {label}: first paint <= 2 s {'met' if p <= 2 else 'MISSED'}, "
                    f"all rows <= 6 s {'met' if a <= 6 else 'MISSED'} "
                    f"(longest GUI gap {gap * 1000:.0f} ms)"
                )
            print(f"   peak RSS {h.peak_rss_mb():.0f} MB")
            bridge.shutdown(wait=True)
            store.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20,000 tasks")
    parser.add_argument("--firestore", action="store_true", help="the emulator's listing")
    parser.add_argument("--rtt", type=float, default=0.0, help="Firestore: round trip, ms")
    parser.add_argument(
        "--no-naive", action="store_true", help="Firestore: skip the listener alone"
    )
    parser.add_argument(
        "--changes", type=int, default=0, help="Firestore: changes while closed (1%% of tasks)"
    )
    args = parser.parse_args()
    if args.quick:
        args.tasks = 20_000
    n = args.tasks
    if args.firestore:
        return firestore_listing(n, args.rtt, naive=not args.no_naive, changes=args.changes)
    h.header(f"queue table with {n:,} tasks (SQLite store, real queue tab)")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-table-"))
    store = SqliteStore(folder / "queue.db")
    t = time.perf_counter()
    seed(store, n)
    print(f"   ({n:,} tasks written in {time.perf_counter() - t:.0f} s)")
    rss_before = h.peak_rss_mb()
    app = QApplication.instance() or QApplication(sys.argv)
    session = RoleSession(Person("bench", "Bench", Role.SUPERVISOR))
    bridge = Bridge()
    meter = StallMeter()
    tab = QueueTab(None, bridge, session)
    tab.resize(1366, 800)
    tab.show()
    app.processEvents()
    results = {
        "load": timed(
            app,
            meter,
            "load from the store feed (open the tab)",
            lambda: tab.set_store(store),
            lambda: tab.model.total_count() == n,
        )
    }
    dead = sum(1 for row in tab.model.rows() if row.status == TaskState.DEAD)
    results["filter"] = timed(
        app,
        meter,
        f"filter: state dead ({dead:,} rows)",
        lambda: tab.proxy.set_state(TaskState.DEAD),
        lambda: tab.proxy.rowCount() == dead,
    )
    results["text"] = timed(
        app,
        meter,
        "filter: text 'mailbox' on top",
        lambda: tab.proxy.set_text("mailbox"),
        lambda: True,
    )
    timed(
        app,
        meter,
        "filter: cleared",
        lambda: (tab.proxy.set_state(None), tab.proxy.set_text("")),
        lambda: tab.proxy.rowCount() == n,
    )
    results["search"] = timed(
        app,
        meter,
        "filter: one booking number, all states",
        lambda: tab.proxy.set_text(str(100000 + n // 2)),
        lambda: tab.proxy.rowCount() >= 1,
    )
    tab.proxy.set_text("")
    for column, order, label in (
        (Column.CREATED, Qt.SortOrder.DescendingOrder, "created, newest first"),
        (Column.BOOKING, Qt.SortOrder.AscendingOrder, "booking number"),
        (Column.STATE, Qt.SortOrder.AscendingOrder, "state"),
    ):
        results[f"sort {label}"] = timed(
            app,
            meter,
            f"sort by {label}",
            lambda c=column, o=order: tab.table.sortByColumn(c, o),
            lambda: True,
        )
    rss_peak = h.peak_rss_mb()
    print(f"   peak RSS {rss_peak:.0f} MB (before Qt and the table: {rss_before:.0f} MB)")
    worst_filter = max(results["filter"], results["text"], results["search"])
    print(
        f"   goals: load <= 1 s {'met' if results['load'] <= 1 else 'MISSED'}, "
        f"filter <= 100 ms {'met' if worst_filter <= 0.1 else 'MISSED'}, "
        f"<= 300 MB {'met' if rss_peak <= 300 else 'MISSED'}"
    )
    tab.shutdown()
    bridge.shutdown(wait=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
