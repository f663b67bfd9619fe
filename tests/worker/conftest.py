"""Fixtures for the drain worker: both real stores, a real SMTP server, a real webhook receiver.

The SMTP server is aiosmtpd on 127.0.0.1 that counts what it accepted and can be told to
refuse a recipient, answer 451, stall, or run out of quota. The webhook receiver is the
standard library's ``http.server``.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from parking_desk.config import Settings, SmtpSettings, WorkerSettings
from parking_desk.services.store import Store
from parking_desk.services.worker_events import WorkerEvent

PROJECT = "parking-desk-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- SMTP ---------------------------------------------------------------------------------
@dataclass
class SmtpFaults:
    refuse: set[str] = field(default_factory=set)  # answered "550 5.1.1"
    tempfail: int = 0  # answer the next N messages "451 4.3.0"
    stall_s: float = 0.0  # wait before accepting each message
    quota_left: int | None = None  # then "550 5.4.5 Daily user sending quota exceeded."


class CountingHandler:
    def __init__(self) -> None:
        self.faults = SmtpFaults()
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        f = self.faults
        if f.quota_left is not None:
            if f.quota_left <= 0:
                return "550 5.4.5 Daily user sending quota exceeded."
            f.quota_left -= 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.faults.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.faults.stall_s:
            await asyncio.sleep(self.faults.stall_s)
        if self.faults.tempfail > 0:
            self.faults.tempfail -= 1
            return "451 4.3.0 Temporary failure, please try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 2.0.0 OK queued"


@dataclass
class SmtpServer:
    controller: Controller
    handler: CountingHandler
    port: int

    @property
    def faults(self) -> SmtpFaults:
        return self.handler.faults

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def settings(self) -> SmtpSettings:
        return SmtpSettings(
            host="127.0.0.1",
            port=self.port,
            security="none",
            timeout_s=5.0,
            name=f"smtp:127.0.0.1:{self.port}",
        )


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=5.0)
    controller.start()
    try:
        yield SmtpServer(controller, handler, port)
    finally:
        controller.stop()


# --- webhook receiver ----------------------------------------------------------------------
@dataclass
class Hook:
    body: bytes
    headers: dict[str, str]

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


class HookServer:
    def __init__(self) -> None:
        self.received: list[Hook] = []
        self.arrived = threading.Event()
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                hooks.received.append(Hook(body, {k: v for k, v in self.headers.items()}))
                hooks.arrived.set()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    server = HookServer()
    try:
        yield server
    finally:
        server.close()


# --- stores and settings ----------------------------------------------------------------
def open_test_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "sqlite":
        from parking_desk.services.store.sqlite.store import SqliteStore

        return SqliteStore(tmp_path / "store.db", poll_interval=0.05)
    request.getfixturevalue("firestore_db")
    from parking_desk.services.store import open_firestore

    return open_firestore(PROJECT)


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_test_store(request.param, tmp_path, request)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(smtp: SmtpServer | None = None, **worker: Any) -> Settings:
        settings = Settings()
        settings.store.sqlite_path = tmp_path / "store.db"
        settings.mail.mail_from = "Parcare Otopeni <rezervari@parcare.example>"
        settings.mail.outbox_dir = tmp_path / "outbox"
        settings.qr.key_path = tmp_path / "qr-key.pem"
        settings.smtp = smtp.settings() if smtp else None
        values = {"lease_s": 30.0, "send_parallelism": 2, "retry_base_s": 30.0} | worker
        settings.worker = WorkerSettings(**values)
        return settings

    return make


@pytest.fixture
def events() -> list[WorkerEvent]:
    return []
