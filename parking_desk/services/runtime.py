"""Wiring shared by the desk, the kiosk and the headless worker: settings in, parts out.

One place builds the store, the transports, the renderer, the signer and the webhook from
``Settings``, so the GUI and ``parking-desk worker`` can never drift apart in how they send.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from parking_desk.config import Settings
from parking_desk.errors import StoreUnavailable
from parking_desk.file_modes import private_dir
from parking_desk.services.bounces.reader import BounceReader
from parking_desk.services.key_ring import machine_name, own_key, publish_own_key
from parking_desk.services.mail.base import Transport
from parking_desk.services.mail.factory import (
    build_transport,
    check_mail_route,
    describe_route,
    uses_outbox,
)
from parking_desk.services.mail.render import render_confirmation
from parking_desk.services.qr import QrSigner
from parking_desk.services.retention import purge_if_due
from parking_desk.services.scheduler import Engine
from parking_desk.services.store import Store, open_firestore, open_sqlite
from parking_desk.services.webhook import attach_webhook
from parking_desk.services.worker import DrainWorker
from parking_desk.services.worker_events import WorkerEvent
from parking_desk.services.worker_warmup import DESK_PAUSE_S, engine_warm_up

log = logging.getLogger(__name__)


DESK_SEND_PARALLELISM = 1


def open_store(settings: Settings) -> Store:
    """The store the settings name; the embedded SQLite file is created on first use."""
    if settings.store.kind == "firestore":
        return open_firestore(
            settings.store.firestore_project, database=settings.store.firestore_database
        )
    path = settings.store.sqlite_path
    private_dir(path.parent)
    return open_sqlite(path)


def new_worker_id(kind: str) -> str:
    """Unique per process run: a restarted worker must not inherit its predecessor's leases
    by name (they are released or expire instead)."""
    host = socket.gethostname().split(".")[0] or "host"
    return f"{kind}-{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class SharedTls:
    """One SSL context for every SMTP connection of an engine, made on first use: each new
    context reads the system's certificates again (40-110 ms of CPU, parts of it with the
    GIL held), and a transport is made for every sending thread of every drain. An SSL
    context may be shared by threads; the connections made with it may not, and are not."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None

    def get(self) -> ssl.SSLContext:
        with self._lock:
            if self._context is None:
                self._context = ssl.create_default_context()
            return self._context


def needs_tls(settings: Settings) -> bool:
    """True when mail goes to an SMTP server over SSL or STARTTLS."""
    if uses_outbox(settings):
        return False
    servers = (settings.smtp, settings.smtp_backup)
    return any(s is not None and s.security in ("ssl", "starttls") for s in servers)


def transport_factory(
    settings: Settings, store: Store, tls: SharedTls | None = None
) -> Callable[[], Transport]:
    """The transports of the sending threads; with *tls*, all share its SSL context."""
    if tls is None:
        return lambda: build_transport(settings, store)
    return lambda: build_transport(settings, store, ssl_context=tls.get())


def build_worker(
    settings: Settings,
    store: Store,
    kind: str = "desk",
    *,
    events: Callable[[WorkerEvent], None] | None = None,
    worker_id: str | None = None,
) -> tuple[DrainWorker, Engine]:
    """A drain worker and its engine (not started). The webhook, if configured, is
    subscribed to the worker and shut down with it.

    Raises ``ConfigError`` (translated) when mail has nowhere real to go: a shared store
    with no SMTP server and the outbox folder not chosen (``mail.factory``)."""
    check_mail_route(settings, getattr(store, "kind", None))
    log.info("Mail goes through %s", describe_route(settings))
    render = functools.partial(
        render_confirmation,
        mail_from=settings.mail.mail_from,
        site_name=settings.desk.site_name or settings.mail.site_name,
        time_zone=settings.desk.time_zone,
    )
    signer = QrSigner.load_or_create(settings.qr.key_path)
    try:  # so that the tickets it e-mails verify at every desk and gate of the site
        publish_own_key(store, own_key(signer, machine_name(settings.desk.operator, kind)))
    except StoreUnavailable as exc:
        log.warning("Signing key %s not published yet (%s)", signer.key_id, exc)
    worker_settings = settings.worker
    tls = SharedTls() if needs_tls(settings) else None
    qr_validity = timedelta(hours=settings.qr.validity_hours_after_departure)
    # The desk's engine pays its one-time costs in steps with pauses, so the window (painted
    # as the engine starts) keeps the GIL; a headless worker pays them at once.
    warm_up = engine_warm_up(
        render,
        signer,
        qr_validity,
        tls=tls.get if tls is not None else None,
        pause_s=DESK_PAUSE_S if kind == "desk" else 0.0,
    )
    if kind == "desk":
        # Inside the desk, rendering threads compete with the GUI thread for the GIL; the
        # desk's own drain is a few bookings at a time, so one sending thread keeps the window
        # smooth. Throughput is the headless workers' job.
        worker_settings = dataclasses.replace(
            worker_settings,
            send_parallelism=min(worker_settings.send_parallelism, DESK_SEND_PARALLELISM),
        )
    worker = DrainWorker(
        store,
        transport_factory(settings, store, tls),
        render,
        signer,
        worker_settings,
        worker_id or new_worker_id(kind),
        events,
        qr_validity=qr_validity,
        suppressions=getattr(store, "suppressions", None),
    )
    attach_webhook(settings, store, worker)
    engine = Engine(
        store,
        worker,
        settings.worker,
        kind=kind,
        purge=lambda: purge_if_due(store, settings),
        warm_up=warm_up,
    )
    reader = bounce_reader(settings, store, worker)
    if reader is not None:
        engine.read_bounces_with(reader, settings.imap.poll_s if settings.imap else 300.0)
    return worker, engine


def bounce_reader(settings: Settings, store: Store, worker: DrainWorker) -> BounceReader | None:
    """The reader of the sending mailbox, publishing through *worker*; None (and said in the
    log) without IMAP settings or on a store that keeps no bounce ledger."""
    ledger = getattr(store, "bounces", None)
    if settings.imap is None or ledger is None:
        log.info("Bounces are not read: no IMAP settings (see README, 'Bounces')")
        return None
    log.info("Bounces are read from %s on %s", settings.imap.mailbox, settings.imap.host)
    return BounceReader(settings.imap, ledger, worker.worker_id, worker.publish)
