"""``parking-desk worker``: the drain engine without a display, on a server or in a container.

Runs until SIGINT or SIGTERM, then stops the way the desk does when it closes: in-flight
sends get ``shutdown_grace_s`` to finish and unfinished leases are handed back, so a systemd
restart or a rolling deploy never leaves tasks waiting for a lease to expire.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from parking_desk.config import Settings
from parking_desk.services.retention import purge_if_due
from parking_desk.services.runtime import build_worker
from parking_desk.services.store import Store
from parking_desk.services.worker_events import DrainReport

log = logging.getLogger(__name__)


def summary(report: DrainReport) -> str:
    return (
        f"{report.claimed} claimed, {report.completed} completed, {report.retried} retrying, "
        f"{report.dead} dead, {report.lost} lost in {report.duration_s:.1f} s"
    )


def run_once(settings: Settings, store: Store, out: Callable[[str], None] = print) -> int:
    """Drain everything due, then exit: the seed's cron endpoint as a command."""
    worker, _engine = build_worker(settings, store, "worker")
    log.info("Worker %s draining once", worker.worker_id)
    try:
        report = worker.drain_until_empty()
    finally:
        try:
            store.release(worker.worker_id)
        except Exception as exc:
            log.warning("Releasing leases failed: %s", exc)
        worker.close()
    try:  # the site's daily retention purge, when no other machine has run it today
        purged = purge_if_due(store, settings)
    except Exception as exc:
        log.warning("Retention purge failed: %s", exc)
    else:
        if purged is not None:
            out(
                f"retention: {purged.anonymised} booking(s) anonymised, {purged.tasks} task(s) "
                f"and {purged.outbox_files} outbox file(s) deleted"
            )
    out(summary(report))
    for error in report.errors:
        out(f"error: {error}")
    return 1 if report.errors else 0


def run_forever(settings: Settings, store: Store, *, stop: threading.Event | None = None) -> int:
    """Run the engine until a signal (or *stop*, for tests and embedding) says to end."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    worker, engine = build_worker(settings, store, "worker")
    engine.start()
    log.info(
        "Worker %s running: drain every %.0f s, lease %.0f s, %d sending threads",
        worker.worker_id,
        settings.worker.drain_interval_s,
        settings.worker.lease_s,
        settings.worker.send_parallelism,
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("Stopping worker %s", worker.worker_id)
        engine.stop(settings.worker.shutdown_grace_s)
    return 0
