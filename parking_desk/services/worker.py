"""The drain: claim due queue tasks, render the QR and the e-mail, send, record the outcome.

Delivery is at-least-once. A task is claimed with a lease before anything is sent, and the
outcome is written only while the lease is still held, so a crashed worker's tasks are simply
claimed again once the lease expires. Errors are classified by the transport: permanent ones
dead-letter the task at once, quota answers wait for the next quota window, everything else
backs off by the retry schedule until the attempts run out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta

from parking_desk.config import WorkerSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.retry import RetryPolicy
from parking_desk.services.mail.base import DeliveryError, Transport
from parking_desk.services.store.base import DeliveryOutcome, Store
from parking_desk.services.task_content import (
    Renderer,
    RenderError,
    Signer,
    booking_for,
    qr_png,
)
from parking_desk.services.transport_pool import TransportPool
from parking_desk.services.worker_events import (
    DrainFinished,
    DrainReport,
    TaskClaimed,
    TaskCompleted,
    TaskDead,
    TaskFailed,
    WorkerEvent,
)
from parking_desk.task import LastError, NotificationTask, TaskType
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

QR_VALIDITY_AFTER_DEPARTURE = timedelta(hours=12)
# A send is not started in the last quarter of its lease: it might outlive the lease.
LEASE_MARGIN = 0.25
# How often an outcome write is tried before giving up and letting the lease expire.
RECORD_ATTEMPTS = 3


def next_quota_window(now: datetime) -> datetime:
    """Quotas are counted per UTC day, so a spent quota is worth retrying at midnight UTC."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class DrainWorker:
    def __init__(
        self,
        store: Store,
        transport_factory: Callable[[], Transport],
        render: Renderer,
        signer: Signer,
        settings_worker: WorkerSettings,
        worker_id: str,
        events: Callable[[WorkerEvent], None] | None = None,
        *,
        qr_validity: timedelta = QR_VALIDITY_AFTER_DEPARTURE,
    ) -> None:
        self.store = store
        self.worker_id = worker_id
        self.settings = settings_worker
        self._transport_factory = transport_factory
        self._render = render
        self._signer = signer
        self._qr_validity = qr_validity
        self.policy = RetryPolicy(
            base_seconds=settings_worker.retry_base_s,
            cap_seconds=settings_worker.retry_cap_s,
            max_attempts=settings_worker.max_attempts,
        )
        self._listeners: list[Callable[[WorkerEvent], None]] = [events] if events else []
        self._closers: list[Callable[[], None]] = []
        self._stop = threading.Event()
        # Serialises drains in this process and lets ``wait_idle`` see when none is running.
        self._drain_lock = threading.Lock()
        # Protects ``sent_total`` and the drain report's counters, bumped from sending threads.
        self._count_lock = threading.Lock()
        self.sent_total = 0
        # Set by a sending thread that skipped a task for want of lease time; acted on once
        # no send of this worker is in flight.
        self._handed_back = False

    # --- wiring ------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[WorkerEvent], None]) -> None:
        self._listeners.append(listener)

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def request_stop(self) -> None:
        """Send nothing new: tasks not started yet stay claimed until ``store.release``."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait_idle(self, timeout: float) -> bool:
        """True once no drain is running (within *timeout* seconds)."""
        if self._drain_lock.acquire(timeout=max(0.0, timeout)):
            self._drain_lock.release()
            return True
        return False

    def close(self) -> None:
        for closer in self._closers:
            try:
                closer()
            except Exception:
                log.exception("Shutting down a worker listener failed")

    def _emit(self, event: WorkerEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must never break delivery
                log.exception("Worker event listener failed on %s", type(event).__name__)

    # --- draining ----------------------------------------------------------------------
    def drain_once(self, now: datetime | None = None) -> DrainReport:
        """Claim and process batches until a claim comes back short of a full batch."""
        report = DrainReport(started_at=utcnow())
        lease = timedelta(seconds=self.settings.lease_s)
        batch = self.settings.batch_size
        with self._drain_lock:
            transports = TransportPool(self._transport_factory)
            # The sending threads: each holds its own transport (and SMTP connection).
            pool = ThreadPoolExecutor(
                max_workers=self.settings.send_parallelism, thread_name_prefix="drain-send"
            )
            try:
                in_flight: set[Future[None]] = set()
                while not self._stop.is_set():
                    # The next batch is claimed while the second half of this one is still
                    # being sent, so the sending threads never wait for a claim.
                    while len(in_flight) > batch // 2:
                        _done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    try:
                        tasks = self.store.claim_due(self.worker_id, batch, lease, now=now)
                    except Exception as exc:
                        log.error("Claiming queue tasks failed: %s", exc)
                        report.errors.append(f"claim: {exc}")
                        break
                    report.claimed += len(tasks)
                    for task in tasks:
                        self._emit(
                            TaskClaimed(task.id, task.booking_number, self.worker_id, task.attempts)
                        )
                    in_flight |= {
                        pool.submit(self._process, task, transports, report, now) for task in tasks
                    }
                    if self._handed_back and not self._stop.is_set():
                        # ``release`` hands back every task this worker holds: only once
                        # none of them is being sent.
                        wait(in_flight)
                        in_flight = set()
                        self._hand_back(now)
                    if len(tasks) < batch:
                        break
                wait(in_flight)
                if self._handed_back and not self._stop.is_set():
                    self._hand_back(now)
            finally:
                pool.shutdown(wait=True)
                transports.close_all()
        report.finished_at = utcnow()
        if report.claimed:
            log.info(
                "Drain finished: %d claimed, %d completed, %d retrying, %d dead, %d lost in %.2f s",
                report.claimed,
                report.completed,
                report.retried,
                report.dead,
                report.lost,
                report.duration_s,
            )
        self._emit(DrainFinished(self.worker_id, report))
        return report

    def drain_until_empty(self, now: datetime | None = None) -> DrainReport:
        """Drain until a claim finds nothing due (the seed's cron endpoint, as a command)."""
        total = DrainReport(started_at=utcnow())
        while not self._stop.is_set():
            report = self.drain_once(now)
            total.merge(report)
            if report.claimed == 0 or report.errors:
                break
        total.finished_at = utcnow()
        return total

    # --- one task ------------------------------------------------------------------------
    def _process(
        self,
        task: NotificationTask,
        transports: TransportPool,
        report: DrainReport,
        now: datetime | None,
    ) -> None:
        """Never raises: whatever happens ends as completed, retrying, dead or lost."""
        if self._stop.is_set():
            self._count(report, "skipped")
            return
        if self._lease_running_out(task, now):
            log.warning(
                "Lease on task %s is about to run out before its send; handing it back", task.id
            )
            self._count(report, "skipped")
            self._handed_back = True
            return
        log.info("Background processing started for booking %s", task.booking_number)
        try:
            outcome = self._deliver(task, transports)
        except DeliveryError as exc:
            self._failed(task, exc, report, now)
            return
        except RenderError as exc:
            error = LastError("render", str(exc), permanent=True)
            self._dead(task, error, report, now)
            return
        except StoreUnavailable as exc:
            error = LastError("store", f"store unavailable: {exc}", permanent=False)
            self._failed(task, DeliveryError(error.code, error.message), report, now)
            return
        except Exception as exc:  # a bug must cost one retry, not the whole drain
            log.exception("Unexpected failure processing task %s", task.id)
            failure = DeliveryError("internal", f"{type(exc).__name__}: {exc}")
            self._failed(task, failure, report, now)
            return
        if self._record(lambda: self.store.complete(task, self.worker_id, outcome, now=now)):
            self._count(report, "completed")
            if outcome.email_sent:
                with self._count_lock:
                    self.sent_total += 1
            self._emit(
                TaskCompleted(
                    task.id,
                    task.booking_number,
                    outcome.provider,
                    outcome.message_id,
                    outcome.email_sent,
                )
            )
        else:
            self._lost(task, report)

    def _deliver(self, task: NotificationTask, transports: TransportPool) -> DeliveryOutcome:
        booking = booking_for(self.store, task)
        png = qr_png(self._signer, task, booking, self._qr_validity)
        log.info("QR code generated for booking %s", task.booking_number)
        if task.type == TaskType.QR:
            return DeliveryOutcome(provider="qr", message_id=None, email_sent=False)
        try:
            message = self._render(task, booking=booking, qr_png=png)
        except DeliveryError:
            raise  # an unusable recipient address: classified by the renderer
        except Exception as exc:
            raise RenderError(
                f"booking {task.booking_number}: the e-mail cannot be rendered ({exc})"
            ) from exc
        result = transports.get().send(message)
        log.info(
            "Email sent successfully to %s for booking %s via %s",
            task.client_email,
            task.booking_number,
            result.provider,
        )
        return DeliveryOutcome(
            provider=result.provider, message_id=result.message_id, email_sent=True
        )

    def _lease_running_out(self, task: NotificationTask, now: datetime | None) -> bool:
        """A send started this late could finish after the lease, when another worker may
        already have claimed and sent the same task."""
        if task.lease_expires_at is None:
            return False
        margin = timedelta(seconds=self.settings.lease_s * LEASE_MARGIN)
        return (now or utcnow()) >= task.lease_expires_at - margin

    def _hand_back(self, now: datetime | None) -> None:
        """Tasks skipped for want of lease time go back to pending, due at once, so the next
        claim (ours or another worker's) gets them with a fresh lease."""
        self._handed_back = False
        try:
            self.store.release(self.worker_id, now=now)
        except Exception as exc:
            log.warning("Handing back unsent tasks failed (their leases will expire): %s", exc)

    # --- outcomes ----------------------------------------------------------------------
    def _count(self, report: DrainReport, name: str) -> None:
        with self._count_lock:
            setattr(report, name, getattr(report, name) + 1)

    def _record(self, write: Callable[[], bool]) -> bool:
        """Write an outcome, retrying a store hiccup; False if the lease is gone."""
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                return bool(write())
            except StoreUnavailable as exc:
                if attempt == RECORD_ATTEMPTS:
                    log.error("Recording an outcome failed, the lease will expire: %s", exc)
                    return False
                time.sleep(0.2 * attempt)
        return False

    def _failed(
        self,
        task: NotificationTask,
        exc: DeliveryError,
        report: DrainReport,
        now: datetime | None,
    ) -> None:
        error = LastError(exc.code, exc.message, permanent=exc.permanent)
        if exc.permanent:
            self._dead(task, error, report, now)
            return
        at = now or utcnow()
        if exc.quota:
            next_at = exc.retry_at or next_quota_window(at)
        elif self.policy.exhausted(task.attempts, self._max_attempts(task)):
            gave_up = f"{exc.message} (gave up after {task.attempts} attempts)"
            self._dead(task, LastError(exc.code, gave_up, permanent=False), report, now)
            return
        else:
            next_at = at + self.policy.delay(task.attempts)
        log.warning(
            "Delivery for booking %s failed (%s: %s); attempt %d of %d, next at %s",
            task.booking_number,
            exc.code,
            exc.message,
            task.attempts,
            self._max_attempts(task),
            next_at.isoformat(timespec="seconds"),
        )
        write = lambda: self.store.fail_transient(  # noqa: E731
            task, self.worker_id, error, next_at, now=now
        )
        if self._record(write):
            self._count(report, "retried")
            self._emit(TaskFailed(task.id, task.booking_number, error, task.attempts, next_at))
        else:
            self._lost(task, report)

    def _max_attempts(self, task: NotificationTask) -> int:
        """The task's own budget, capped by this installation's setting."""
        return min(task.max_attempts, self.policy.max_attempts)

    def _dead(
        self, task: NotificationTask, error: LastError, report: DrainReport, now: datetime | None
    ) -> None:
        log.error(
            "Task %s for booking %s is dead after %d attempt(s): %s: %s",
            task.id,
            task.booking_number,
            task.attempts,
            error.code,
            error.message,
        )
        if self._record(lambda: self.store.fail_permanent(task, self.worker_id, error, now=now)):
            self._count(report, "dead")
            self._emit(
                TaskDead(task.id, task.booking_number, error, task.attempts, now or utcnow())
            )
        else:
            self._lost(task, report)

    def _lost(self, task: NotificationTask, report: DrainReport) -> None:
        log.warning("Lease on task %s was lost; another worker owns it now", task.id)
        self._count(report, "lost")
