"""GUI thread stall while the in-app worker drains a backlog and the queue table follows it.

The desk's own pieces in one process, as in the desk: ``ui.app.connect`` opens the store and
starts the in-app engine with its event adapter, and the supervisor's queue tab shows the
queue live from the store's feed. A 10 ms ``QTimer`` on the GUI thread records every gap
between ticks; the longest gap is the longest the window could not repaint or take a click.

The SMTP sink, a child process standing in for the mail server, runs at nice 10
(``--sink-nice``): the mail server is not on the desk's machine, so it should take what CPU
the desk leaves rather than delay the GUI thread. On SQLite no Firestore emulator runs.
After the drain the bench prints each thread's CPU and wake-ups, how long the GUI thread
waited for a core, and the child processes' CPU; ``--diagnose-gaps`` names what ran in each
long gap (when, each thread's CPU and run-queue wait, the stacks), ``--diagnose-events`` the
GUI thread's slow events.

    .venv/bin/python bench/gui_stall.py [--tasks 2000] [--store sqlite|firestore] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import _harness as h
from _stall_watchdog import StallWatchdog
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from parking_desk.config import load_settings
from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.runtime import open_store
from parking_desk.task import TaskState
from parking_desk.ui.app import connect
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.engine_adapter import EngineAdapter

COMPLETED = str(TaskState.COMPLETED)
CHECK_MS = 20
# While the drain runs, the finish is looked for at this interval: each look is Python on the
# GUI thread, which the desk itself would not run (the drain takes 15-35 s; 0.1 s is plenty).
DRAIN_CHECK_MS = 100
# The SMTP sink stands in for the mail server, which is not on the desk's machine; at this
# niceness it takes what CPU the desk leaves instead of competing with the GUI thread for it.
SINK_NICE = 10


def _rows(model):
    """The model's rows, whichever form it keeps them in."""
    return model.rows() if hasattr(model, "rows") else model.tasks()


def _children_cpu_s() -> dict[str, float]:
    """CPU seconds (user + system) so far of each child process (the SMTP sink, a worker)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            pids = Path(f"/proc/self/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            found[f"{name}[{pid}]"] = (int(fields[11]) + int(fields[12])) / ticks
    return found


class TimedApp(QApplication):
    """Diagnosis: the GUI thread's own CPU time in each event Qt delivers (nested deliveries
    included in their outer one), for those that took more than ``SLOW_EVENT_S``."""

    SLOW_EVENT_S = 0.004

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.slow: list[tuple[float, float, str]] = []  # CPU s, wall s, what
        self.recording = False
        self._depth = 0

    def notify(self, receiver, event) -> bool:
        if not self.recording or self._depth:
            self._depth += 1
            try:
                return super().notify(receiver, event)
            finally:
                self._depth -= 1
        cpu, wall = time.thread_time(), time.perf_counter()
        self._depth += 1
        try:
            return super().notify(receiver, event)
        finally:
            self._depth -= 1
            cpu = time.thread_time() - cpu
            if cpu > self.SLOW_EVENT_S:
                what = f"{event.type().name} -> {type(receiver).__name__}"
                name = receiver.objectName() if hasattr(receiver, "objectName") else ""
                self.slow.append((cpu, time.perf_counter() - wall, f"{what} {name}".strip()))

    def report(self) -> str:
        kinds: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for cpu, _wall, what in self.slow:
            kinds[what] += 1
            total[what] += cpu
        lines = [
            f"   events over {self.SLOW_EVENT_S * 1000:.0f} ms of GUI CPU: {len(self.slow)}, "
            f"{sum(total.values()) * 1000:.0f} ms in all"
        ]
        for what, n in kinds.most_common(8):
            worst = max(cpu for cpu, _w, w in self.slow if w == what)
            lines.append(
                f"   - {what}: {n}, {total[what] * 1000:.0f} ms, longest {worst * 1000:.1f} ms"
            )
        return "\n".join(lines)


def _gui_run_queue_wait_s() -> float:
    """Seconds the GUI thread has spent so far runnable but not running (waiting for a core)."""
    tid = threading.main_thread().native_id
    return int(Path(f"/proc/self/task/{tid}/schedstat").read_text().split()[1]) / 1e9


def _threads_use() -> dict[str, tuple[float, int]]:
    """Each thread's CPU seconds and wake-ups (voluntary context switches: sleeps, waits for
    the GIL or a lock) so far, by name; the GUI thread is ``MainThread``."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    found: dict[str, tuple[float, int]] = {}
    for tid in map(int, os.listdir("/proc/self/task")):
        try:
            cpu_ns = int(Path(f"/proc/self/task/{tid}/schedstat").read_text().split()[0])
            status = Path(f"/proc/self/task/{tid}/status").read_text()
        except OSError:
            continue
        switches = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("voluntary_")
        )
        name = names.get(tid, f"[{tid}]")
        cpu0, switches0 = found.get(name, (0.0, 0))
        found[name] = (cpu0 + cpu_ns / 1e9, switches0 + switches)
    return found


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


def _renice_sink(nice: int) -> str:
    """Give the SMTP sink child process (every thread of it) niceness *nice*."""
    for tid in os.listdir("/proc/self/task"):
        for pid in Path(f"/proc/self/task/{tid}/children").read_text().split():
            try:
                args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--sink" in args:
                for thread in os.listdir(f"/proc/{pid}/task"):
                    os.setpriority(os.PRIO_PROCESS, int(thread), nice)
                return f"SMTP sink (pid {pid}) at nice {nice}"
    return "SMTP sink not found, priority unchanged"


def pump(app: QApplication, until, timeout: float, check_ms: int = CHECK_MS) -> bool:
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

    checker = QTimer(interval=check_ms)
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
        "--sink-nice",
        type=int,
        default=SINK_NICE,
        help=f"niceness of the SMTP sink process (default {SINK_NICE}; 0: as the desk's own)",
    )
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
        "--stack-depth",
        type=int,
        default=6,
        help="with --diagnose-gaps: frames shown of the other threads' stacks (default 6)",
    )
    parser.add_argument(
        "--diagnose-events",
        action="store_true",
        help="diagnosis: time the GUI thread's CPU in every event Qt delivers during the "
        "drain and name the slow ones (adds a Python call per event)",
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
    app = QApplication.instance() or (
        TimedApp(sys.argv) if args.diagnose_events else QApplication(sys.argv)
    )
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-stall-"))
    # No emulator for SQLite: a desk on SQLite has no JVM beside it on the same two cores.
    emulator = h.emulator() if args.store == "firestore" else contextlib.nullcontext()
    with h.SmtpSink() as sink, emulator as emu:
        if args.sink_nice:
            print(f"   {_renice_sink(args.sink_nice)}")
        store_cfg = (
            {"kind": "firestore", "firestore_project": emu.project}
            if emu is not None
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
        session = RoleSession(Person("bench", "Bench", Role.SUPERVISOR))
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
        # As the desk's window listens: every event marks the status bar dirty, each
        # completion marks the bookings tab dirty and updates the e-mail status.
        dirty = [0]
        adapter.changed.connect(lambda _event: dirty.__setitem__(0, 1))
        adapter.completed.connect(events.append)
        adapter.completed.connect(lambda _event: dirty.__setitem__(0, 2))
        # When the engine's first event and first completion reached the GUI thread, to place
        # the watchdog's gaps (their "at" is in seconds since the same start).
        marks: dict[str, float] = {}
        adapter.changed.connect(
            lambda _event: marks.setdefault("first event", time.perf_counter() - started)
        )
        adapter.completed.connect(
            lambda _event: marks.setdefault("first completion", time.perf_counter() - started)
        )
        meter.start()
        watchdog = (
            StallWatchdog(meter, stack_depth=args.stack_depth) if args.diagnose_gaps else None
        )
        if watchdog:
            watchdog.start()
        if isinstance(app, TimedApp):
            app.recording = True
        started = time.perf_counter()
        children_before = _children_cpu_s()
        threads_before = _threads_use()
        gui_wait_before = _gui_run_queue_wait_s()
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
            marks["engine started"] = time.perf_counter() - started

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

        shown = pump(app, all_completed, 600, DRAIN_CHECK_MS)
        drained_s = time.perf_counter() - started
        children_cpu = {
            name: cpu - children_before.get(name, 0.0) for name, cpu in _children_cpu_s().items()
        }
        own_cpu = time.process_time()
        threads_use = {
            name: (
                cpu - threads_before.get(name, (0.0, 0))[0],
                n - threads_before.get(name, (0, 0))[1],
            )
            for name, (cpu, n) in _threads_use().items()
        }
        gaps = list(meter.gaps)
        gui_wait_s = _gui_run_queue_wait_s() - gui_wait_before
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
    busiest = sorted(threads_use.items(), key=lambda item: -item[1][0])[:6]
    print(
        "   threads still running at the end, during the drain (CPU s, wake-ups/s): "
        + ", ".join(f"{name} {cpu:.2f} s {n / drained_s:.0f}/s" for name, (cpu, n) in busiest)
    )
    print(
        f"   GUI thread runnable but waiting for a core during the drain: "
        f"{gui_wait_s * 1000:.0f} ms in all, {gui_wait_s / drained_s * 1000:.1f} ms a second"
    )
    print(
        "   CPU of child processes during the drain: "
        + (", ".join(f"{name} {cpu:.1f} s" for name, cpu in children_cpu.items()) or "none")
        + f" (this process since its start: {own_cpu:.1f} s)"
    )
    worst = max(gaps, default=0.0)
    if marks:
        print(
            "   since the drain's start: "
            + ", ".join(
                f"{what} {at:.2f} s" for what, at in sorted(marks.items(), key=lambda m: m[1])
            )
        )
    if watchdog:
        print(watchdog.report())
    if isinstance(app, TimedApp):
        print(app.report())
    print(f"   goal longest gap <= 50 ms: {'met' if worst <= 0.05 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
