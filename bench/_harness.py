"""What every benchmark needs: a Firestore emulator of its own, a counting SMTP server,
Firestore operation counters, and a description of the machine the figures came from.

Each benchmark starts its own servers so it can run alone, anywhere the project's tools
are installed, and so two benchmarks never share state.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email import message_from_bytes
from pathlib import Path

from _firestore_counter import FirestoreCounter  # noqa: F401  (part of the harness's API)
from _latency_proxy import latency_proxy, measured_rtt_ms

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROJECT = "parking-desk-bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the Firestore emulator ------------------------------------------------------------


class Emulator:
    """The emulator in its own process group: killing only the gcloud launcher would leave
    the Java server running.

    ``host`` is the emulator itself: the harness's own calls (``reset``, and seeding if a
    benchmark opens its store before ``via``) use it. ``client_host`` is where the
    product's clients go: ``FIRESTORE_EMULATOR_HOST``, in this process and in the
    environment ``settings_env`` builds for workers, which is ``host`` unless ``via``
    put a latency proxy in between.
    """

    def __init__(self, log_dir: Path | None = None) -> None:
        if not shutil.which("gcloud"):
            raise SystemExit("gcloud not found: install google-cloud-cli-firestore-emulator")
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.project = PROJECT
        log_dir = log_dir or Path(tempfile.mkdtemp(prefix="pd-bench-emu-"))
        self.log = log_dir / "firestore-emulator.log"
        cmd = ["gcloud", "emulators", "firestore", "start", f"--host-port={self.host}", "--quiet"]
        self.proc = subprocess.Popen(
            cmd, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if self.proc.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"http://{self.host}/", timeout=1).read()
                self.start_s = time.monotonic() - started
                self.client_host = self.host
                self.rtt_ms = 0.0  # asked for
                self.measured_rtt_ms = 0.0  # as measured through client_host
                os.environ["FIRESTORE_EMULATOR_HOST"] = self.host
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"emulator did not start:\n{self.log.read_text(errors='replace')[-2000:]}")

    @contextmanager
    def via(self, rtt_ms: float) -> Iterator[str]:
        """Put the emulator *rtt_ms* away from the product's clients while the block runs:
        a latency proxy (``_latency_proxy.py``) in front of it, ``FIRESTORE_EMULATOR_HOST``
        and ``client_host`` pointing at the proxy, the round trip measured through it into
        ``measured_rtt_ms``. Yields ``client_host``. Only clients created inside the block
        go through the proxy (a Firestore client reads the variable when it is made), so
        open the stores to be measured inside it. With *rtt_ms* 0 nothing is put in
        between. The direct address comes back afterwards."""
        before = (self.client_host, self.rtt_ms, self.measured_rtt_ms)
        with latency_proxy(self.host, rtt_ms) as host:
            self.client_host, self.rtt_ms = host, rtt_ms
            self.measured_rtt_ms = measured_rtt_ms(host) if rtt_ms > 0 else 0.0
            os.environ["FIRESTORE_EMULATOR_HOST"] = host
            try:
                yield host
            finally:
                self.client_host, self.rtt_ms, self.measured_rtt_ms = before
                os.environ["FIRESTORE_EMULATOR_HOST"] = self.client_host

    def describe_rtt(self) -> str:
        """The header line: the round trip asked for and the one measured."""
        if self.rtt_ms <= 0:
            return "Firestore RTT: 0 ms (the emulator direct, on loopback)"
        return (
            f"Firestore RTT: {self.rtt_ms:g} ms asked, {self.measured_rtt_ms:.1f} ms measured "
            f"(median of 20 HTTP round trips through the latency proxy)"
        )

    def reset(self) -> None:
        url = (
            f"http://{self.host}/emulator/v1/projects/{self.project}/databases/(default)/documents"
        )
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30).read()

    def pause(self) -> None:
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    def cpu_seconds(self) -> float:
        """CPU time used so far by every process of the emulator's group (the Java server)."""
        return group_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        for sig in (signal.SIGCONT, signal.SIGTERM):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of the live processes in process group *pgid*, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@contextmanager
def emulator(rtt_ms: float = 0.0) -> Iterator[Emulator]:
    """A fresh emulator for the block; with *rtt_ms* > 0 the product's clients reach it
    through a latency proxy for the whole block (``Emulator.via``), the harness's admin
    calls go direct. A benchmark takes the round trip from the command line with
    ``add_rtt_option(parser)`` (``--rtt MS``, default 0) and prints ``emu.describe_rtt()``
    in its header."""
    emu = Emulator()
    try:
        with emu.via(rtt_ms):
            yield emu
    finally:
        emu.stop()
        os.environ.pop("FIRESTORE_EMULATOR_HOST", None)


def add_rtt_option(parser: argparse.ArgumentParser) -> None:
    """``--rtt MS`` (float, default 0): the round trip between the product and Firestore,
    made by a loopback latency proxy; pass ``args.rtt`` to ``emulator(rtt_ms=...)``."""
    parser.add_argument(
        "--rtt",
        type=float,
        default=0.0,
        metavar="MS",
        help="round-trip time to Firestore in ms, through a loopback latency proxy (default 0)",
    )


# --- a counting SMTP server -------------------------------------------------------------


class _SinkHandler:
    async def handle_DATA(self, server, session, envelope) -> str:
        at = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes on Linux
        msg = message_from_bytes(envelope.original_content or envelope.content)
        print(f"{(msg.get('Message-ID') or '').strip()}\t{at!r}", flush=True)
        return "250 OK"


def _serve_sink(port: int) -> None:
    """``python bench/_harness.py --sink PORT``: one line per message on stdout."""
    from aiosmtpd.controller import Controller

    controller = Controller(_SinkHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes the pipe
    controller.stop()


class SmtpSink:
    """aiosmtpd on 127.0.0.1, in a process of its own so it never competes for the
    measured process's GIL, remembering when each Message-ID arrived.

    ``arrivals[message_id]`` holds every ``time.monotonic()`` it was received at, so a
    duplicate shows up as a second entry rather than being folded away.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self._proc: subprocess.Popen[str] | None = None
        # Guards ``arrivals`` and ``total``: the collector thread writes, benchmarks read.
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.arrivals: dict[str, list[float]] = {}
        self.total = 0

    def _collect(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            key, _, at_text = line.rstrip("\n").partition("\t")
            at = float(at_text)
            with self.arrived:
                self.arrivals.setdefault(key, []).append(at)
                self.total += 1
                self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while self.total < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.arrived.wait(left)
        return True

    def first_arrival(self, message_id: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while message_id not in self.arrivals:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.arrived.wait(left)
            return self.arrivals[message_id][0]

    def times(self) -> list[float]:
        with self.lock:
            return sorted(t for ts in self.arrivals.values() for t in ts)

    def duplicates(self) -> int:
        with self.lock:
            return sum(len(v) - 1 for v in self.arrivals.values())

    def clear(self) -> None:
        with self.lock:
            self.arrivals.clear()
            self.total = 0

    def __enter__(self) -> SmtpSink:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self._proc.stdout is not None
        if self._proc.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP sink did not start")
        threading.Thread(target=self._collect, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()


# --- figures and the machine ---------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return (
        f"n={len(ms)} p50={percentile(ms, 50):.1f} ms p90={percentile(ms, 90):.1f} ms "
        f"p99={percentile(ms, 99):.1f} ms max={max(ms):.1f} ms mean={statistics.fmean(ms):.1f} ms"
    )


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    qt = "not installed"
    try:
        import PySide6
        from PySide6 import QtCore

        qt = f"PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}"
    except ImportError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {ram_gb:.1f} GiB RAM, Python "
        f"{platform.python_version()}, {qt}, load average {load}"
    )


def header(title: str) -> None:
    print(f"== {title}")
    print(f"   machine: {machine()}")
    print(f"   at: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")


# --- a backlog, written the way the store writes it ----------------------------------


def sample_booking(n: int, email: str | None = None):
    from datetime import UTC, datetime, timedelta

    from parking_desk.booking import Booking

    arrival = datetime(2026, 12, 1, 6, 0, tzinfo=UTC) + timedelta(minutes=n % 10_000)
    return Booking(
        client_name=f"Client {n}",
        client_email=email or f"client{n}@example.ro",
        phone="+40722123456",
        plate=f"B{100 + n % 900}ABC",
        arrival=arrival,
        departure=arrival + timedelta(days=3),
    )


def seed_firestore(
    store, count: int, *, start: int = 0, dead: bool = False, age_s: float = 0.0
) -> list[str]:
    """*count* bookings with their queue tasks, in batched commits: the same documents
    ``create_booking`` writes, minus its one-commit-per-booking cost, so a 10,000-task
    backlog takes seconds to lay down rather than minutes. Written as if *age_s* seconds ago."""
    from datetime import timedelta

    from parking_desk.task_rules import new_task
    from parking_desk.timeutil import utcnow
    from parking_desk.validation import validate_booking

    db = store.conn.db
    now = utcnow() - timedelta(seconds=age_s)
    ids: list[str] = []
    batch, in_batch = db.batch(), 0
    for n in range(start, start + count):
        booking = validate_booking(sample_booking(n)).booking.with_changes(
            booking_number=str(100000 + n), created_at=now, updated_at=now
        )
        ref = db.collection("emailQueue").document(f"t{n:06d}")
        batch.set(db.collection("bookings").document(booking.booking_number), booking.to_document())
        task = new_task(booking, now, task_type=_both())
        if dead:
            task = task.with_changes(status=_dead(), attempts=1, last_error=_bounce())
        batch.set(ref, task.to_document())
        ids.append(ref.id)
        in_batch += 2
        if in_batch >= 500:
            batch.commit()
            batch, in_batch = db.batch(), 0
    if in_batch:
        batch.commit()
    return ids


def seed_sqlite(store, count: int, *, start: int = 0) -> list[str]:
    return [store.create_booking(sample_booking(n))[1].id for n in range(start, start + count)]


def _dead():
    from parking_desk.task import TaskState

    return TaskState.DEAD


def _bounce():
    from parking_desk.task import LastError

    return LastError("smtp-550", "550 5.1.1 mailbox unavailable", True)


def _both():
    from parking_desk.task import TaskType

    return TaskType.BOTH


def write_settings(
    folder: Path, *, smtp_port: int, store: dict, worker: dict | None = None
) -> Path:
    """A settings file for workers of this benchmark (plain SMTP to the sink)."""
    import tomli_w

    doc = {
        "store": store,
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none", "timeout_s": 10.0},
        "mail": {"mail_from": "Parking Desk <desk@lot.example>", "outbox_dir": str(folder / "out")},
        "worker": {"drain_interval_s": 1.0, **(worker or {})},
        "qr": {"key_path": str(folder / "qr-key.pem")},
    }
    path = folder / "settings.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


def settings_env(settings_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKING_DESK_")}
    env.update(
        PARKING_DESK_CONFIG=str(settings_path),
        PARKING_DESK_LOG_DIR=str(settings_path.parent / "logs"),
        PYTHONPATH=str(ROOT),
    )
    return env


if __name__ == "__main__" and sys.argv[1:2] == ["--sink"]:
    _serve_sink(int(sys.argv[2]))
