"""The fault suite's tools: a mail server that misbehaves at random, counting every message it
accepts by Message-ID, and worker processes that can be killed and started again.

Sizes scale with ``PARKING_DESK_FAULTS_SCALE`` (``1`` is the full size ``make faults`` runs;
the default keeps each test well under a minute so the suite fits in ``make test``).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import tomli_w
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from parking_desk.booking import Booking

ROOT = Path(__file__).resolve().parents[2]
SCALE = float(os.environ.get("PARKING_DESK_FAULTS_SCALE", "0.1") or "0.1")
BOUNCE_DOMAIN = "bounce.example"


def scaled(full: int, minimum: int) -> int:
    """*full* at scale 1, never below *minimum*."""
    return max(minimum, round(full * SCALE))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the mail server ------------------------------------------------------------------------


@dataclass
class FaultPlan:
    """What goes wrong at DATA; a recipient at ``BOUNCE_DOMAIN`` is always refused with 550.

    Stalls and dropped connections come every so many messages so even a short run meets
    them; ``tempfail`` is a chance. No message is refused more than ``max_faults_in_a_row``
    times running, as a greylisting server lets a patient sender through, so a transient
    task always gets through within its attempt budget.
    """

    tempfail: float = 0.0  # chance of "451 4.3.0"
    drop_every: int = 0  # cut the connection after DATA, before any reply
    stall_every: int = 0  # no answer for ``stall_s`` (longer than the client's timeout)
    stall_s: float = 0.0
    max_faults_in_a_row: int = 5
    seed: int = 6


@dataclass
class MailLog:
    accepted: Counter[str] = field(default_factory=Counter)  # Message-ID → times accepted
    by_recipient: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # what went wrong → how often

    @property
    def total(self) -> int:
        return sum(self.accepted.values())

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.accepted.values() if n > 1)


class FaultyCountingHandler:
    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.log = MailLog()
        self.data_commands = 0
        self.sessions = 0  # connections open; none once every client has gone
        self.faults_in_a_row: Counter[str] = Counter()  # Message-ID → refusals since accepted
        # Guards everything above: aiosmtpd's loop thread writes, the test thread reads.
        self.lock = threading.Lock()

    def set_plan(self, plan: FaultPlan) -> None:
        with self.lock:
            self.plan = plan
            self.rng = random.Random(plan.seed)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.lower().endswith("@" + BOUNCE_DOMAIN):
            with self.lock:
                self.log.refused["550"] += 1
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def _fault_for(self, key: str) -> str | None:
        with self.lock:
            plan = self.plan
            self.data_commands += 1
            n = self.data_commands
            if self.faults_in_a_row[key] >= plan.max_faults_in_a_row:
                return None
            if plan.stall_every and n % plan.stall_every == 0:
                fault = "stall"
            elif plan.drop_every and n % plan.drop_every == 0:
                fault = "drop"
            elif self.rng.random() < plan.tempfail:
                fault = "451"
            else:
                return None
            self.faults_in_a_row[key] += 1
            self.log.refused[fault] += 1
            return fault

    async def handle_DATA(self, server, session, envelope) -> str:
        msg = message_from_bytes(envelope.original_content or envelope.content)
        key = (msg.get("Message-ID") or "").strip()
        fault = self._fault_for(key)
        if fault == "stall":
            await asyncio.sleep(self.plan.stall_s)
            return "451 4.4.2 Timeout while processing, try again"
        if fault == "drop":
            server.transport.abort()
            return "451 4.3.0 never seen by the client"
        if fault == "451":
            return "451 4.3.0 Temporary failure, please try again later"
        with self.lock:
            self.faults_in_a_row.pop(key, None)
            self.log.accepted[key] += 1
            for rcpt in envelope.rcpt_tos:
                self.log.by_recipient[rcpt.lower()] += 1
        return "250 2.0.0 OK queued"


class _CountedSMTP(SMTP):
    """Counts its connection in the handler's ``sessions``. A connection lost cancels the
    session's handling, so once it is counted out, nothing more from it can be accepted."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        with self.event_handler.lock:
            self.event_handler.sessions += 1

    def connection_lost(self, error) -> None:
        super().connection_lost(error)
        with self.event_handler.lock:
            self.event_handler.sessions -= 1


class _CountingController(Controller):
    def factory(self) -> SMTP:
        return _CountedSMTP(self.handler, **self.SMTP_kwargs)


class FaultyMailServer:
    def __init__(self, plan: FaultPlan | None = None) -> None:
        self.handler = FaultyCountingHandler(plan or FaultPlan())
        self.port = free_port()
        self.controller = _CountingController(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=5.0
        )

    @property
    def log(self) -> MailLog:
        return self.handler.log

    def snapshot(self) -> MailLog:
        with self.handler.lock:
            return MailLog(
                Counter(self.log.accepted),
                Counter(self.log.by_recipient),
                Counter(self.log.refused),
            )

    def wait_for(self, predicate: Callable[[MailLog], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.snapshot()):
                return True
            time.sleep(0.05)
        return predicate(self.snapshot())

    def wait_idle(self, timeout: float) -> bool:
        """True once no client is connected: after its senders are gone, the log is final."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.handler.lock:
                if not self.handler.sessions:
                    return True
            time.sleep(0.01)
        return False


# --- settings and worker processes ----------------------------------------------------


def write_settings(
    folder: Path,
    *,
    smtp_port: int,
    store: dict[str, Any],
    worker: dict[str, Any] | None = None,
    smtp_timeout_s: float = 5.0,
) -> Path:
    """A settings file for a worker that sends to *smtp_port* on loopback, with a short
    retry schedule so transient failures come round again within the test."""
    worker_values = {
        "drain_interval_s": 0.5,
        "heartbeat_s": 1.0,
        "lease_s": 5.0,
        "retry_base_s": 0.1,
        "retry_cap_s": 0.5,
    }
    worker_values.update(worker or {})
    doc = {
        "store": store,
        "smtp": {
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "timeout_s": smtp_timeout_s,
        },
        "mail": {"mail_from": "Parking Desk <desk@lot.example>", "outbox_dir": str(folder / "out")},
        "worker": worker_values,
        "qr": {"key_path": str(folder / "qr-key.pem")},
    }
    path = folder / "settings.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


def worker_env(settings_path: Path) -> dict[str, str]:
    """The test's settings file alone: nothing from the developer's own environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKING_DESK_")}
    env["PARKING_DESK_CONFIG"] = str(settings_path)
    env["PARKING_DESK_LOG_DIR"] = str(settings_path.parent / "logs")
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_worker(
    settings_path: Path, log_path: Path, *extra: str, desk: bool = False
) -> subprocess.Popen[bytes]:
    """``parking-desk worker`` (or, with *desk*, a desk's engine without its window) in its
    own process group, output appended to *log_path*."""
    command = ["-m", "parking_desk", "worker", *extra]
    if desk:
        command = [str(Path(__file__).with_name("desk_engine.py"))]
    return subprocess.Popen(
        [sys.executable, *command],
        env=worker_env(settings_path),
        cwd=ROOT,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, wait: float = 15) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=wait)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# --- bookings -------------------------------------------------------------------------


def walk_in(n: int, *, email: str | None = None) -> Booking:
    """A valid desk booking; numbered so each one is easy to find in a failure message."""
    arrival = datetime(2026, 12, 1, 6, 0, tzinfo=UTC) + timedelta(minutes=n)
    return Booking(
        client_name=f"Client {n}",
        client_email=email or f"client{n}@example.ro",
        phone="+40722123456",
        plate=f"B{100 + n % 900}ABC",
        arrival=arrival,
        departure=arrival + timedelta(days=3),
    )
