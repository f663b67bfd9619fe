"""The engine: the drain worker on APScheduler, woken at once when work appears.

The same engine runs inside the desk and in ``parking-desk worker``. The interval drain is
only the safety net: a booking made anywhere (here, on another desk, on the website) wakes
the drain once, through the store's listener (``watch_due``; the SQLite store tells its
listeners of this process's own writes at once), so no e-mail waits for a tick. An engine
that does not listen is woken by ``wake()``. Wakes never collide with a running drain:
while one is due or running, a wake only asks it to claim once more. Stopping lets
in-flight sends finish within a bound and then hands every unfinished lease back, so
another worker takes those tasks at once instead of after the lease expires.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from parking_desk.config import WorkerSettings
from parking_desk.services.bounces.reader import BounceReader
from parking_desk.services.store.base import EngineStore, Subscription, WorkerInfo
from parking_desk.services.worker import DrainWorker
from parking_desk.services.worker_events import DrainReport
from parking_desk.services.worker_warmup import WarmUp
from parking_desk.timeutil import utcnow

# A drain this often finds new work about as soon as a listener would. Listening then only
# costs: on the Firestore emulator every query listener open on the queue adds about 40 ms
# to each write to it (a task's completion commit: 8 ms alone, 257 ms with three workers'
# listeners), which stalled three workers draining every 0.5 s.
POLL_IS_ENOUGH_S = 2.0

log = logging.getLogger(__name__)

DRAIN_JOB, HEARTBEAT_JOB, PURGE_JOB = "drain", "heartbeat", "purge"
BOUNCE_JOB = "bounces"
DRAIN_JOB_NAME = "parking-desk queue drain"
# The purge job looks this often whether the site's daily purge is due (the store decides
# which machine runs it, ``retention.purge_if_due``).
PURGE_EVERY = timedelta(hours=1)
PURGE_FALLBACK = timedelta(days=30)
FIRST_PURGE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class EngineStatus:
    """What the desk's status bar and the kiosk show about this process's engine."""

    worker_id: str
    kind: str
    running: bool
    draining: bool
    sent_total: int
    last_drain_at: datetime | None
    last_report: DrainReport | None
    last_error: str | None
    next_drain_at: datetime | None


class Engine:
    def __init__(
        self,
        store: EngineStore,
        worker: DrainWorker,
        settings_worker: WorkerSettings,
        kind: str = "desk",
        *,
        purge: Callable[[], object] | None = None,
        warm_up: WarmUp | None = None,
    ) -> None:
        """*purge*: the site's retention purge (``retention.purge_if_due``), run by the
        purge job; without it the job deletes finished tasks after ``PURGE_FALLBACK``.
        *warm_up*: the one-time costs of a first send (``worker_warmup``), paid on the drain
        thread before the first claim."""
        if kind not in ("desk", "worker"):
            raise ValueError(f"engine kind {kind!r} is not desk or worker")
        self.store = store
        self.worker = worker
        self.settings = settings_worker
        self.kind = kind
        self._purge_job = purge
        self.warm_up = warm_up  # what the first drain ran (or will run) before its claim
        self._warm_up = warm_up  # taken by the first drain, on the drain thread
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scheduler.add_listener(self._drain_ended, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self._subscription: Subscription | None = None
        self._bounce_reader: BounceReader | None = None
        self._bounce_every_s = 0.0
        # Protects the drain bookkeeping below, read by status() on the GUI thread and written
        # by the scheduler's drain thread and by wake() from any thread.
        self._lock = threading.Lock()
        # A drain is due or running: from the wake that asked for it, or from the drain's
        # start, until APScheduler has counted its run as ended. While it is set nothing
        # else asks APScheduler for a run, so no run is ever refused as one too many.
        self._busy = False
        # Work arrived during that time: the drain claims again before it ends (or, past
        # its last claim, the next run starts as soon as APScheduler has let this one go).
        self._wanted = False
        self._draining = False  # a drain is running (what the status bar shows)
        self._running = False
        self._last_drain_at: datetime | None = None
        self._last_report: DrainReport | None = None
        self._last_error: str | None = None
        self._info = WorkerInfo(
            worker_id=worker.worker_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            kind=kind,
            started_at=utcnow(),
            last_heartbeat=utcnow(),
        )
        # The worker's probe while it cannot record outcomes, and how it says it resumed.
        worker.set_state_writer(self._write_state)

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._running:
                return
        now = datetime.now(UTC)
        s = self._scheduler
        s.add_job(
            self._drain,
            "interval",
            seconds=self.settings.drain_interval_s,
            id=DRAIN_JOB,
            name=DRAIN_JOB_NAME,
            next_run_time=now,
        )
        s.add_job(
            self._heartbeat,
            "interval",
            seconds=self.settings.heartbeat_s,
            id=HEARTBEAT_JOB,
            next_run_time=now,
        )
        s.add_job(
            self._purge,
            "interval",
            seconds=PURGE_EVERY.total_seconds(),
            id=PURGE_JOB,
            next_run_time=now + FIRST_PURGE_AFTER,
        )
        if self._bounce_reader is not None:
            s.add_job(
                self._read_bounces,
                "interval",
                seconds=self._bounce_every_s,
                id=BOUNCE_JOB,
                next_run_time=now,
            )
        with self._lock:
            self._running = True
        s.start()
        if self.settings.drain_interval_s <= POLL_IS_ENOUGH_S:
            log.info(
                "Engine %s started (%s), draining every %.1f s without a listener",
                self.worker.worker_id,
                self.kind,
                self.settings.drain_interval_s,
            )
            return
        try:
            # Woken by "work may be due", not by a feed of every task change: Firestore
            # bills each change to each listener, and decoding every changed task would
            # run on a thread that shares the desk's GIL.
            self._subscription = self.store.watch_due(self.wake)
        except Exception as exc:  # the interval drain still works without the listener
            log.warning(
                "Queue listener not started (%s); draining every %.0f s only",
                exc,
                self.settings.drain_interval_s,
            )
        log.info("Engine %s started (%s)", self.worker.worker_id, self.kind)

    def stop(self, grace_s: float | None = None) -> int:
        """Stop scheduling, let in-flight sends finish within *grace_s*, release leases.

        Returns how many tasks were handed back for another worker to take at once.
        """
        grace = self.settings.shutdown_grace_s if grace_s is None else grace_s
        with self._lock:
            if not self._running:
                return 0
            self._running = False
        if self._subscription is not None:
            try:
                self._subscription.unsubscribe()
            except Exception:
                log.warning("Unsubscribing the queue listener failed", exc_info=True)
        self.worker.request_stop()
        deadline = time.monotonic() + grace
        # shutdown(wait=True) returns once every running job (drain, heartbeat, purge) has
        # ended, so nothing writes to the store after stop(); the thread bounds that wait.
        stopper = threading.Thread(
            target=self._scheduler.shutdown,
            kwargs={"wait": True},
            name="scheduler-stop",
            daemon=True,
        )
        stopper.start()
        stopper.join(grace)
        if stopper.is_alive() or not self.worker.wait_idle(max(0.0, deadline - time.monotonic())):
            log.warning("Sends still running after %.1f s; releasing their leases anyway", grace)
        released = 0
        try:
            released = self.store.release(self.worker.worker_id)
        except Exception as exc:
            log.error("Releasing leases failed (they will expire on their own): %s", exc)
        if released:
            log.info("Released %d unfinished task(s) for other workers", released)
        self._heartbeat(state="stopped")
        self.worker.close()
        log.info("Engine %s stopped", self.worker.worker_id)
        return released

    # --- waking ------------------------------------------------------------------------
    @property
    def listening(self) -> bool:
        """True when a queue listener wakes this engine for new work: then nobody else
        needs to (``AppContext.wake_engine``)."""
        return self._subscription is not None

    def wake(self) -> None:
        """Drain now. During a drain, it claims once more before it ends."""
        with self._lock:
            if not self._running:
                return
            self._wanted = True
            if self._busy:
                return
            self._busy = True
        self._run_drain_at(datetime.now(UTC))

    def _run_drain_at(self, when: datetime) -> None:
        try:
            self._scheduler.modify_job(DRAIN_JOB, next_run_time=when)
        except Exception:  # the scheduler is shutting down: nothing left to wake
            log.debug("Drain not rescheduled: scheduler not running", exc_info=True)

    def _drain(self) -> None:
        with self._lock:
            self._busy = True
            self._wanted = False
            self._draining = True
        # No run of the interval is due while this one lasts; ``_drain_ended`` sets the next.
        with contextlib.suppress(Exception):
            self._scheduler.pause_job(DRAIN_JOB)
        warm_up, self._warm_up = self._warm_up, None
        if warm_up is not None:
            warm_up.run(lambda: not self._running or self.worker.stopping)
        while True:
            try:
                report = self.worker.drain_once()
                error = "; ".join(report.errors) or None
            except Exception as exc:  # keep the schedule alive whatever happened
                log.exception("Drain failed")
                report, error = None, str(exc)
            with self._lock:
                self._last_drain_at = utcnow()
                self._last_report = report or self._last_report
                self._last_error = error
                if not self._wanted or not self._running or self.worker.stopping:
                    self._draining = False
                    break
                self._wanted = False

    def _drain_ended(self, event: JobExecutionEvent) -> None:
        """APScheduler has counted the drain's run as ended (its listeners are called after
        that): the next run may be asked for without being refused."""
        if event.job_id != DRAIN_JOB:
            return
        with self._lock:
            if not self._running:
                return
            again, self._wanted = self._wanted, False
            self._busy = again
        interval = timedelta(seconds=self.settings.drain_interval_s)
        self._run_drain_at(datetime.now(UTC) + (timedelta(0) if again else interval))

    # --- housekeeping ------------------------------------------------------------------
    def _heartbeat(self, state: str = "running") -> None:
        """State "running", "blocked" (outcomes cannot be recorded: nothing is claimed or
        sent until they can) or "stopped"."""
        if state == "running" and self.worker.blocked:
            state = "blocked"
        try:
            self._write_state(state)
        except Exception as exc:
            log.warning("Heartbeat not recorded: %s", exc)

    def _write_state(self, state: str) -> None:
        """One heartbeat with *state*; raises when the store refuses it."""
        self._info = replace(
            self._info, last_heartbeat=utcnow(), sent_total=self.worker.sent_total, state=state
        )
        self.store.heartbeat(self._info)

    def _purge(self) -> None:
        try:
            if self._purge_job is not None:
                self._purge_job()  # logs what it removed
                return
            purged = self.store.purge_finished(PURGE_FALLBACK)
        except Exception as exc:
            log.warning("Purging finished tasks failed: %s", exc)
            return
        if purged:
            log.info("Purged %d finished task(s)", purged)

    def read_bounces_with(self, reader: BounceReader, every_s: float) -> None:
        """Read the sending mailbox for bounces every *every_s* seconds; before ``start``."""
        self._bounce_reader, self._bounce_every_s = reader, every_s

    @property
    def reads_bounces(self) -> bool:
        return self._bounce_reader is not None

    def _read_bounces(self) -> None:
        reader = self._bounce_reader
        if reader is None or self.worker.stopping:
            return
        try:
            reader.read_once()
        except Exception as exc:  # the mailbox or the store is away: the next pass tries
            log.warning("Reading bounces failed: %s: %s", type(exc).__name__, exc)

    def status(self) -> EngineStatus:
        next_at = None
        if self._running:
            try:
                job = self._scheduler.get_job(DRAIN_JOB)
                next_at = job.next_run_time if job else None
                if job is not None and next_at is None:
                    # Paused while a drain runs: the next one is an interval after it ends.
                    next_at = datetime.now(UTC) + timedelta(seconds=self.settings.drain_interval_s)
            except Exception:
                next_at = None
        with self._lock:
            return EngineStatus(
                worker_id=self.worker.worker_id,
                kind=self.kind,
                running=self._running,
                draining=self._draining,
                sent_total=self.worker.sent_total,
                last_drain_at=self._last_drain_at,
                last_report=self._last_report,
                last_error=self._last_error,
                next_drain_at=next_at,
            )
