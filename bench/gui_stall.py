"""GUI thread stall while the in-app worker drains a backlog and the queue table follows it.

The desk's own pieces in one process, as in the desk: ``ui.app.connect`` opens the store and
starts the in-app engine with its event adapter, and the supervisor's queue tab shows the
queue live from the store's feed. A 10 ms ``QTimer`` on the GUI thread records every gap
between ticks; the longest gap is the longest the window could not repaint or take a click.

    .venv/bin/python bench/gui_stall.py [--tasks 2000] [--store sqlite|firestore] [--quick]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import _harness as h
from _stall_watchdog import StallWatchdog
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from parking_desk.config import load_settings
from parking_desk.services.roles import RoleSession, hash_pin
from parking_desk.services.runtime import open_store
from parking_desk.task import TaskState
from parking_desk.ui.app import connect
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.engine_adapter import EngineAdapter

COMPLETED = str(TaskState.COMPLETED)
CHECK_MS = 20


def _rows(model):
    """The model's rows, whichever form it keeps them in."""
    return model.rows() if hasattr(model, "rows") else model.tasks()


class StallMeter:
    """Gaps between ticks of a 10 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    @property
    def last_tick(self) -> float:
        return self._last

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self.timer.start()


def pump(app: QApplication, until, timeout: float) -> bool:
    """Run the event loop, as the desk's ``app.exec()`` does, until *until()* holds. The GUI
    thread sleeps between events; spinning on ``processEvents`` instead would keep it taking
    and dropping the GIL and measure a busier thread than the desk's."""
    if until():
        return True
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    reached = [False]

    def check() -> None:
        if until():
            reached[0] = True
            loop.quit()
        elif time.monotonic() > deadline:
            loop.quit()

    checker = QTimer(interval=CHECK_MS)
    checker.timeout.connect(check)
    checker.start()
    loop.exec()
    checker.stop()
    return reached[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--store", choices=("sqlite", "firestore"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="300 tasks")
    parser.add_argument("--threads", type=int, default=0, help="override send_parallelism")
    parser.add_argument(
        "--diagnose-qr",
        action="store_true",
        help="diagnosis only: every QR is one PNG made in advance, to show what QR "
        "rendering on the worker's threads costs the GUI thread",
    )
    parser.add_argument(
        "--diagnose-gaps",
        action="store_true",
        help="diagnosis: a watchdog thread names what the GUI thread did or waited for "
        "during every gap over 30 ms (adds a little load of its own)",
    )
    parser.add_argument(
        "--drain-in-child",
        action="store_true",
        help="diagnosis: the drain runs in a headless worker process (one sending thread) "
        "instead of the desk's in-app engine; the desk only follows the table",
    )
    args = parser.parse_args()
    if args.quick:
        args.tasks = 300
    logging.basicConfig(level=logging.WARNING)
    h.header(f"GUI stall while {args.tasks} tasks drain in the desk ({args.store})")
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-stall-"))
    with h.SmtpSink() as sink, h.emulator() as emu:
        store_cfg = (
            {"kind": "firestore", "firestore_project": emu.project}
            if args.store == "firestore"
            else {"kind": "sqlite", "sqlite_path": str(folder / "desk.db")}
        )
        threads = args.threads or (1 if args.drain_in_child else 0)
        worker_cfg = {"send_parallelism": threads} if threads else {}
        settings_path = h.write_settings(
            folder, smtp_port=sink.port, store=store_cfg, worker=worker_cfg
        )
        settings = load_settings(settings_path, env={})
        if args.diagnose_qr:
            import parking_desk.services.task_content as content

            png = content.render_png("PD1:DIAGNOSIS", error_correction="M")
            content.render_png = lambda *_a, **_k: png
            print("   DIAGNOSIS RUN: QR rendering replaced by one PNG made in advance")
        seeder = open_store(settings)
        (h.seed_firestore if args.store == "firestore" else h.seed_sqlite)(seeder, args.tasks)
        seeder.close()

        bridge = Bridge()
        session = RoleSession(hash_pin("2468"), operator="bench")
        session.unlock("2468")
        view_store = open_store(settings)
        tab = QueueTab(view_store, bridge, session)
        tab.resize(1366, 800)
        tab.show()
        meter = StallMeter()
        meter.start()
        t = time.perf_counter()
        pump(app, lambda: tab.model.rowCount() == args.tasks, 120)
        load_s, load_worst = time.perf_counter() - t, max(meter.gaps, default=0.0)

        adapter = EngineAdapter()
        events = []
        adapter.completed.connect(events.append)  # the desk's status bar listens like this
        meter.start()
        watchdog = StallWatchdog(meter) if args.diagnose_gaps else None
        if watchdog:
            watchdog.start()
        started = time.perf_counter()
        child = None
        if args.drain_in_child:
            print("   DIAGNOSIS RUN: the drain runs in a child process")
            store, engine = None, None
            child = subprocess.Popen(
                [sys.executable, "-m", "parking_desk", "worker", "--once"],
                env=h.settings_env(settings_path),
                cwd=h.ROOT,
                stdout=subprocess.DEVNULL,
                stderr=(folder / "worker.log").open("wb"),
            )
        else:
            future = bridge.run(lambda: connect(settings, adapter))
            pump(app, future.done, 60)
            store, engine = future.result()

        checked = [0.0]

        def all_completed() -> bool:
            # Looked at twice a second, after the last message, so the check itself adds
            # nothing to the GUI thread's load while the drain runs.
            now = time.monotonic()
            if sink.total < args.tasks or now - checked[0] < 0.5:
                return False
            checked[0] = now
            done = sum(1 for row in _rows(tab.model) if str(row.status) == COMPLETED)
            return done == args.tasks

        shown = pump(app, all_completed, 600)
        drained_s = time.perf_counter() - started
        gaps = list(meter.gaps)
        if watchdog:
            watchdog.stop()
        if child is not None:
            child.wait(30)
        else:
            engine.stop(5.0)
            store.close()
        tab.shutdown()
        bridge.shutdown(wait=True)
        view_store.close()
    print(
        f"   table loaded {args.tasks} rows in {load_s:.2f} s "
        f"(longest gap meanwhile {load_worst * 1000:.0f} ms)"
    )
    print(
        f"   drain + live table: {drained_s:.1f} s until every row shows completed"
        f"{'' if shown else ' (NOT reached)'}; {len(events)} completion events; "
        f"{sink.total} messages"
    )
    print(f"   10 ms timer gaps during the drain: {h.summary_ms(gaps)}")
    worst = max(gaps, default=0.0)
    if watchdog:
        print(watchdog.report())
    print(f"   goal longest gap <= 50 ms: {'met' if worst <= 0.05 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
