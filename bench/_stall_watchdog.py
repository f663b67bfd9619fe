"""What the GUI thread was doing, or waiting for, during each long gap of its timer.

A late timer has four possible causes, and each leaves a different trace:

* the GUI thread was busy: its own CPU time grew by about the length of the gap, and its
  Python stack names the slot (or it sat in Qt's C++ under ``processEvents``);
* it waited for the GIL: its CPU time stayed flat while another thread of this process ran,
  and that thread's stack names the work; a C call that keeps the GIL also makes this
  watchdog wake late, since it needs the GIL too;
* a garbage collection: ``gc.callbacks`` times every collection;
* the machine was busy: the thread was runnable but the kernel ran someone else (the
  run-queue wait in ``/proc/self/task/<tid>/schedstat`` grew).

The watchdog samples every thread's CPU and run-queue wait every few milliseconds, and while a
gap is open it also samples ``sys._current_frames()``. Linux only (``/proc``).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

LATE_S = 0.030
PERIOD_S = 0.002
# Top frames of a thread that is only waiting: left out of the "other threads" stacks.
IDLE = {"wait", "select", "sleep", "_wait_for_tstate_lock", "get", "acquire", "poll", "_worker"}


def _schedstat(tid: int) -> tuple[int, int]:
    """(CPU ns, run-queue wait ns) of one thread; zeros once it has ended."""
    try:
        with open(f"/proc/self/task/{tid}/schedstat", "rb") as f:
            cpu, wait, _ = f.read().split()
        return int(cpu), int(wait)
    except (OSError, ValueError):
        return 0, 0


def _state(tid: int) -> str:
    """The kernel's state letter of one thread: R running or runnable, S sleeping (a thread
    waiting for the GIL sleeps too), D in uninterruptible I/O; "?" once it has ended."""
    try:
        with open(f"/proc/self/task/{tid}/stat", "rb") as f:
            stat = f.read()
        return chr(stat[stat.rindex(b")") + 2])
    except (OSError, ValueError, IndexError):
        return "?"


def _thread_names() -> dict[int, str]:
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id}
    for tid in map(int, os.listdir("/proc/self/task")):
        if tid not in names:
            try:
                with open(f"/proc/self/task/{tid}/comm") as f:
                    names[tid] = f"[{f.read().strip()}]"
            except OSError:
                names[tid] = f"[{tid}]"
    return names


def _stack(frame, depth: int = 5) -> str:
    parts = []
    while frame is not None and len(parts) < depth:
        code = frame.f_code
        parts.append(f"{os.path.basename(code.co_filename)}:{code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(parts)


@dataclass
class Gap:
    start: float
    end: float = 0.0
    at_s: float = 0.0  # when it began, in seconds since the watchdog started
    cpu_ms: dict[str, float] = field(default_factory=dict)  # thread name -> CPU during gap
    wait_ms: dict[str, float] = field(default_factory=dict)  # thread name -> run-queue wait
    # thread name -> how often it was seen running or runnable ("R") while the gap was open
    runnable: Counter = field(default_factory=Counter)
    samples: int = 0
    gui_wait_ms: float = 0.0  # GUI thread runnable but not running (machine busy)
    others_wait_ms: float = 0.0  # the same, summed over the other threads of this process
    gc_ms: float = 0.0
    watchdog_late_ms: float = 0.0  # the watchdog's own worst wake-up delay in the gap
    gui_stacks: Counter = field(default_factory=Counter)
    other_stacks: Counter = field(default_factory=Counter)

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000

    def verdict(self, gui_name: str) -> str:
        gui_cpu = self.cpu_ms.get(gui_name, 0.0)
        if self.gc_ms >= 0.5 * self.ms:
            return "gc"
        if self.gui_wait_ms >= 0.4 * self.ms:
            return "machine (run queue)"
        if gui_cpu >= 0.6 * self.ms:
            return "GUI busy"
        return "GUI waits (GIL)"


class StallWatchdog:
    """Run beside a ``StallMeter``: ``last_tick`` is read, never written, by this thread."""

    def __init__(
        self, meter, gui_thread: threading.Thread | None = None, stack_depth: int = 3
    ) -> None:
        self.meter = meter
        self.stack_depth = stack_depth
        self._started = time.perf_counter()
        self.gui = gui_thread or threading.main_thread()
        self.gaps: list[Gap] = []
        self._gc: list[tuple[float, float]] = []
        self._gc_start = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-watchdog", daemon=True)
        # Each thread's CPU over the whole run (name -> ms), kept as the threads come and go.
        self._first: dict[int, int] = {}
        self._last: dict[int, int] = {}
        self._names: dict[int, str] = {}

    def _on_gc(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self._gc.append((self._gc_start, time.perf_counter()))

    def start(self) -> None:
        self._started = time.perf_counter()
        gc.callbacks.append(self._on_gc)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        gc.callbacks.remove(self._on_gc)

    def _run(self) -> None:
        me = threading.get_ident()
        gui_ident, gui_tid = self.gui.ident, self.gui.native_id
        names = _thread_names()
        self._names.update(names)
        # Recent (time, sample) pairs, so a gap's accounting starts at its last tick, not at
        # the moment it was noticed 30 ms later.
        history: deque[tuple[float, dict[int, tuple[int, int]]]] = deque(maxlen=64)
        gap: Gap | None = None
        gap_from: dict[int, tuple[int, int]] = {}
        last_wake = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(PERIOD_S)
            now = time.perf_counter()
            late = now - last_wake - PERIOD_S
            last_wake = now
            tids = list(map(int, os.listdir("/proc/self/task")))
            sample = {tid: _schedstat(tid) for tid in tids}
            for tid, (cpu, _wait) in sample.items():
                if cpu:
                    self._first.setdefault(tid, cpu)
                    self._last[tid] = cpu
            tick = self.meter.last_tick
            if gap is None and now - tick > LATE_S:
                earlier = [s for at, s in history if at <= tick]
                gap, gap_from = Gap(start=tick), earlier[-1] if earlier else sample
                gap.at_s = tick - self._started
            if gap is not None:
                gap.watchdog_late_ms = max(gap.watchdog_late_ms, late * 1000)
                gap.samples += 1
                for tid in tids:
                    if _state(tid) == "R":
                        gap.runnable[names.get(tid, str(tid))] += 1
                frames = sys._current_frames()
                for ident, frame in frames.items():
                    if ident == me:
                        continue
                    if ident == gui_ident:
                        gap.gui_stacks[_stack(frame)] += 1
                    elif frame.f_code.co_name not in IDLE:
                        gap.other_stacks[_stack(frame, self.stack_depth)] += 1
                if tick > gap.start:
                    gap.end = tick
                    self._close(gap, gap_from, sample, _thread_names(), gui_tid)
                    gap = None
            history.append((now, sample))
            if not names.keys() >= set(tids):
                names = _thread_names()
                self._names.update(names)

    def _close(self, gap, start, end, names, gui_tid) -> None:
        for tid, (cpu, wait) in end.items():
            # A thread that began during the gap counts from nothing, not from its end.
            cpu0, wait0 = start.get(tid, (0, 0))
            if cpu - cpu0 > 0:
                name = names.get(tid, str(tid))
                gap.cpu_ms[name] = gap.cpu_ms.get(name, 0.0) + (cpu - cpu0) / 1e6
            if wait - wait0 > 0:
                name = names.get(tid, str(tid))
                gap.wait_ms[name] = gap.wait_ms.get(name, 0.0) + (wait - wait0) / 1e6
            if tid == gui_tid:
                gap.gui_wait_ms = (wait - wait0) / 1e6
            else:
                gap.others_wait_ms += (wait - wait0) / 1e6
        gap.gc_ms = sum(
            (min(b, gap.end) - max(a, gap.start)) * 1000
            for a, b in self._gc
            if b > gap.start and a < gap.end
        )
        self.gaps.append(gap)

    def report(self, top: int = 8) -> str:
        gui_name = self.gui.name
        lines = [f"   gaps > {LATE_S * 1000:.0f} ms seen by the watchdog: {len(self.gaps)}"]
        kinds = Counter(g.verdict(gui_name) for g in self.gaps)
        lines.append("   by cause: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
        total_gc = sum(ms for a, b in self._gc for ms in [(b - a) * 1000])
        lines.append(
            f"   collections: {len(self._gc)}, {total_gc:.0f} ms in all, longest "
            f"{max(((b - a) * 1000 for a, b in self._gc), default=0):.1f} ms"
        )
        inside = max((g.ms - g.gui_wait_ms for g in self.gaps), default=0.0)
        lines.append(
            f"   longest gap less the GUI thread's own run-queue wait (the part this process "
            f"is answerable for): {inside:.0f} ms"
        )
        whole: Counter[str] = Counter()
        for tid, cpu_ns in self._last.items():
            whole[self._names.get(tid, str(tid))] += (cpu_ns - self._first[tid]) / 1e6
        lines.append(
            "   CPU over the whole drain: "
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in whole.most_common(8))
        )
        cpu = Counter()
        for g in self.gaps:
            cpu.update(g.cpu_ms)
        lines.append(
            "   CPU during all gaps: "
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in cpu.most_common(6))
        )
        for g in sorted(self.gaps, key=lambda g: -g.ms)[:top]:
            busy = ", ".join(
                f"{n} {ms:.0f}" for n, ms in sorted(g.cpu_ms.items(), key=lambda x: -x[1])[:4]
            )
            waits = ", ".join(
                f"{n} {ms:.0f}" for n, ms in sorted(g.wait_ms.items(), key=lambda x: -x[1])[:4]
            )
            seen = ", ".join(f"{n} {k}/{g.samples}" for n, k in g.runnable.most_common(4))
            lines.append(
                f"   - {g.ms:.0f} ms at {g.at_s:.2f} s [{g.verdict(gui_name)}]: CPU ms {busy}; "
                f"run-queue wait GUI {g.gui_wait_ms:.0f} ms, others {g.others_wait_ms:.0f} ms; "
                f"gc {g.gc_ms:.0f} ms; watchdog late {g.watchdog_late_ms:.0f} ms"
            )
            lines.append(f"       run-queue wait ms by thread: {waits or 'none'}")
            lines.append(f"       seen runnable (R) in the samples: {seen or 'none'}")
            for stack, n in g.gui_stacks.most_common(2):
                lines.append(f"       GUI x{n}: {stack}")
            for stack, n in g.other_stacks.most_common(3):
                lines.append(f"       other x{n}: {stack}")
        return "\n".join(lines)
