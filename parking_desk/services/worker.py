"""The drain: claim due queue tasks, render the QR and the e-mail, send, record the outcome.

Delivery is at-least-once. A task is claimed with a lease before anything is sent, and the
outcome is written only while the lease is still held, so a crashed worker's tasks are simply
claimed again once the lease expires. Errors are classified by the transport: permanent ones
dead-letter the task at once, quota answers wait for the next quota window, everything else
backs off by the retry schedule until the attempts run out.

Outcomes that cannot be written are not forgotten: ``worker_outcomes.py`` writes them, holds
them while the store refuses writes (the worker is then *blocked* and claims nothing), and
remembers a sent e-mail it could not record so that it is not sent twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta

from parking_desk.booking import shown
from parking_desk.bounce import Suppression, suppressed_error
from parking_desk.config import WorkerSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.retry import RetryPolicy, claimed_too_often_error
from parking_desk.services.mail.base import DeliveryError, Transport
from parking_desk.services.store.base import DeliveryOutcome, QueueEngine
from parking_desk.services.store.bounces import SuppressionList
from parking_desk.services.store.grouped import SuppressionsAtOnce
from parking_desk.services.task_content import (
    Renderer,
    RenderError,
    Signer,
    booking_for,
    qr_png,
)
from parking_desk.services.transport_pool import TransportPool
from parking_desk.services.worker_completions import CompletionGroups, grouping
from parking_desk.services.worker_events import (
    DrainFinished,
    DrainReport,
    TaskClaimed,
    TaskCompleted,
    TaskDead,
    TaskFailed,
    WorkerEvent,
)
from parking_desk.services.worker_outcomes import Outcome, OutcomeRecorder
from parking_desk.task import LastError, NotificationTask, TaskType
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

QR_VALIDITY_AFTER_DEPARTURE = timedelta(hours=12)
# A send is not started in the last quarter of its lease: it might outlive the lease.
LEASE_MARGIN = 0.25

# After GROW_AFTER claims came back full, each full claim doubles the next, up to
# CLAIM_GROWTH times ``batch_size`` and never past MAX_CLAIM tasks (one claim is one
# commit, and a commit takes 500 writes at most). The first claims stay small so that
# workers starting together share a short queue.
GROW_AFTER = 2
CLAIM_GROWTH = 4
MAX_CLAIM = 200

# The suppression list's entries for a claimed batch's recipients, by address.
Suppressed = dict[str, Suppression | None]


def next_quota_window(now: datetime) -> datetime:
    """Quotas are counted per UTC day, so a spent quota is worth retrying at midnight UTC."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class DrainWorker:
    def __init__(
        self,
        store: QueueEngine,
        transport_factory: Callable[[], Transport],
        render: Renderer,
        signer: Signer,
        settings_worker: WorkerSettings,
        worker_id: str,
        events: Callable[[WorkerEvent], None] | None = None,
        *,
        qr_validity: timedelta = QR_VALIDITY_AFTER_DEPARTURE,
        suppressions: SuppressionList | None = None,
    ) -> None:
        self.store = store
        # Addresses that bounced: a task to one goes dead instead of being sent.
        self._suppressions = suppressions
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
        # Set by a sending thread that skipped a task for want of lease time (or because
        # the worker is blocked); acted on once no send of this worker is in flight.
        self._handed_back = False
        # Writes the outcomes, and holds them (blocking this worker) while the store refuses.
        self._outcomes = OutcomeRecorder(store, worker_id, settings_worker, self._stop, self._emit)
        # The running drain's completions, gathered into commits (None between drains).
        self._groups: CompletionGroups | None = None

    # --- wiring ------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[WorkerEvent], None]) -> None:
        self._listeners.append(listener)

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def set_state_writer(self, writer: Callable[[str], None]) -> None:
        """*writer(state)* records this worker's heartbeat with *state* ("blocked",
        "running") and raises when the store refuses the write."""
        self._outcomes.set_state_writer(writer)

    @property
    def blocked(self) -> bool:
        """True while outcomes cannot be recorded: nothing is claimed or sent."""
        return self._outcomes.blocked

    @property
    def sent_total(self) -> int:
        """E-mails this worker sent and recorded since it started."""
        return self._outcomes.sent_total

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

    def publish(self, event: WorkerEvent) -> None:
        """Tell this worker's listeners of an event from elsewhere in the engine (the bounce
        reader's ``TaskBounced``), exactly as the drain's own."""
        self._emit(event)

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
        # A claim that comes back full doubles the next one, up to this.
        largest = min(self.settings.batch_size * CLAIM_GROWTH, MAX_CLAIM)
        full = 0  # claims that came back full
        with self._drain_lock:
            transports = TransportPool(self._transport_factory)
            # The sending threads: each holds its own transport (and SMTP connection).
            pool = ThreadPoolExecutor(
                max_workers=self.settings.send_parallelism, thread_name_prefix="drain-send"
            )
            # Completions gathered into one commit per group, where the store takes them so.
            grouped = grouping(self.store)
            groups = (
                CompletionGroups(
                    grouped,
                    self._outcomes,
                    self.worker_id,
                    report,
                    now,
                )
                if grouped is not None
                else None
            )
            self._groups = groups

            def settled(in_flight: set[Future[None]]) -> set[Future[None]]:
                """Wait for every send in flight and every outcome gathered to be written."""
                wait(in_flight)
                if groups is not None:
                    groups.flush()
                return set()

            try:
                in_flight: set[Future[None]] = set()
                gave_up = False  # this drain waited out a blocked store already
                while not self._stop.is_set():
                    # The next batch is claimed while the second half of this one is still
                    # being sent, so the sending threads never wait for a claim.
                    while len(in_flight) > batch // 2:
                        _done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    if self.blocked:
                        # Nothing is claimed until the outcomes held are written.
                        in_flight = settled(in_flight)
                        if not self._outcomes.until_unblocked(report):
                            gave_up = True
                            break
                    if self._handed_back and not self._stop.is_set():
                        # ``release`` hands back every task this worker holds: only once
                        # none of them is being sent or waiting for its outcome's commit.
                        in_flight = settled(in_flight)
                        self._hand_back(now)
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
                    known = self._suppressed(tasks)
                    in_flight |= {
                        pool.submit(self._process, task, transports, report, now, known)
                        for task in tasks
                    }
                    if len(tasks) < batch:
                        break
                    full += 1
                    if full >= GROW_AFTER:  # a long backlog, not a few workers' shares
                        batch = max(batch, min(batch * 2, largest))
                in_flight = settled(in_flight)
                if self.blocked and not gave_up:
                    # Outcomes held when the last sends ended: written before this drain
                    # ends, or a ``--once`` run would forget them and send them again.
                    self._outcomes.until_unblocked(report)
                if self._handed_back and not self._stop.is_set() and not self.blocked:
                    self._hand_back(now)
            finally:
                pool.shutdown(wait=True)
                if groups is not None:
                    groups.close()
                self._groups = None
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
    def _suppressed(self, tasks: list[NotificationTask]) -> Suppressed | None:
        """The suppression list's entries for the recipients of a claimed batch, read in
        one call where the store can (else, or if that read fails, each send asks)."""
        suppressions = self._suppressions
        if not tasks or not isinstance(suppressions, SuppressionsAtOnce):
            return None
        addresses = [t.client_email for t in tasks if t.type != TaskType.QR and t.client_email]
        try:
            return suppressions.get_many(addresses)
        except Exception as exc:
            log.warning("Reading the suppression list for %d tasks failed: %s", len(tasks), exc)
            return None

    def _process(
        self,
        task: NotificationTask,
        transports: TransportPool,
        report: DrainReport,
        now: datetime | None,
        known: Suppressed | None = None,
    ) -> None:
        """Never raises: whatever happens ends as completed, retrying, dead, lost or held."""
        try:
            self._process_one(task, transports, report, now, known)
        except Exception:  # a bug must cost this task its lease, never vanish in a future
            log.exception("Task %s: processing failed unexpectedly", task.id)
            self._count(report, "lost")

    def _process_one(
        self,
        task: NotificationTask,
        transports: TransportPool,
        report: DrainReport,
        now: datetime | None,
        known: Suppressed | None = None,
    ) -> None:
        groups = self._groups
        if groups is not None:
            # Not too far ahead of the completions written: a store refusing them is
            # noticed (below) before many more e-mails go out.
            groups.may_send()
        if self._stop.is_set():
            self._count(report, "skipped")
            return
        if self.blocked:
            # Its outcome could not be written either: not sent, handed back on resuming.
            self._count(report, "skipped")
            self._handed_back = True
            return
        if self._lease_running_out(task, now):
            log.warning(
                "Lease on task %s is about to run out before its send; handing it back", task.id
            )
            self._count(report, "skipped")
            self._handed_back = True
            return
        sent = self._outcomes.remembered(task.id)
        if sent is not None:
            # This worker sent it already and could not record it: record, do not resend.
            log.info("Task %s was sent before; recording that instead of sending again", task.id)
            self._completed(task, sent, report, now)
            return
        if self.policy.claimed_too_often(task.attempts, task.max_attempts):
            self._dead(task, claimed_too_often_error(task.attempts), report, now)
            return
        log.info("Background processing started for booking %s", shown(task.booking_number))
        try:
            outcome = self._deliver(task, transports, known)
        except DeliveryError as exc:
            self._failed(task, exc, report, now)
            return
        except RenderError as exc:
            error = LastError(exc.code, exc.translated("en"), permanent=True)
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
        self._completed(task, outcome, report, now)

    def _completed(
        self,
        task: NotificationTask,
        outcome: DeliveryOutcome,
        report: DrainReport,
        now: datetime | None,
    ) -> None:
        event = TaskCompleted(
            task.id, task.booking_number, outcome.provider, outcome.message_id, outcome.email_sent
        )
        settle = Outcome(
            task,
            lambda: self.store.complete(task, self.worker_id, outcome, now=now),
            "completed",
            event,
            sent=outcome if outcome.email_sent else None,
        )
        groups = self._groups
        if groups is not None:
            groups.add(settle, outcome)  # written with the others sent meanwhile
        else:
            self._outcomes.settle(settle, report)

    def _deliver(
        self, task: NotificationTask, transports: TransportPool, known: Suppressed | None = None
    ) -> DeliveryOutcome:
        if task.type != TaskType.QR and self._suppressions is not None:
            if known is not None and task.client_email in known:
                entry = known[task.client_email]  # read with the batch's other recipients
            else:
                entry = self._suppressions.get(task.client_email)
            if entry is not None:
                error = suppressed_error(entry)
                raise DeliveryError(error.code, error.message, permanent=True)
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
            log.error("Task %s: the e-mail cannot be rendered: %r", task.id, exc)
            raise RenderError(code="task.unrenderable", number=shown(task.booking_number)) from exc
        result = transports.get().send(message)
        log.info(
            "Email sent successfully to %s for booking %s via %s",
            task.client_email,
            shown(task.booking_number),
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
        self._outcomes.count(report, name)

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
            shown(task.booking_number),
            exc.code,
            exc.message,
            task.attempts,
            self._max_attempts(task),
            next_at.isoformat(timespec="seconds"),
        )
        write = lambda: self.store.fail_transient(  # noqa: E731
            task, self.worker_id, error, next_at, now=now
        )
        event = TaskFailed(task.id, task.booking_number, error, task.attempts, next_at)
        self._outcomes.settle(Outcome(task, write, "retried", event), report)

    def _max_attempts(self, task: NotificationTask) -> int:
        """The task's own budget, capped by this installation's setting."""
        return self.policy.budget(task.max_attempts)

    def _dead(
        self, task: NotificationTask, error: LastError, report: DrainReport, now: datetime | None
    ) -> None:
        log.error(
            "Task %s for booking %s is dead after %d attempt(s): %s: %s",
            task.id,
            shown(task.booking_number),
            task.attempts,
            error.code,
            error.message,
        )
        write = lambda: self.store.fail_permanent(task, self.worker_id, error, now=now)  # noqa: E731
        event = TaskDead(task.id, task.booking_number, error, task.attempts, now or utcnow())
        self._outcomes.settle(Outcome(task, write, "dead", event), report)
