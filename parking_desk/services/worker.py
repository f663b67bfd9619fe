"""The drain: claim due queue tasks, render the QR and the e-mail, send, record the outcome.

Delivery is at-least-once. A task is claimed with a lease before anything is sent, and the
outcome is written only while the lease is still held, so a crashed worker's tasks are simply
claimed again once the lease expires. Errors are classified by the transport: permanent ones
dead-letter the task at once, quota answers wait for the next quota window, everything else
backs off by the retry schedule until the attempts run out.

Outcomes that cannot be written are not forgotten. An outcome the store refuses as
unavailable (a full disk, an outage) *blocks* the worker: it claims and sends nothing more,
says so in its log and its heartbeat, keeps the outcomes it holds, and probes the store by
writing them again until they land; only then does it claim again. An outcome whose write
fails otherwise (the task's own data) is logged with the task, and a sent e-mail is
remembered so that a later claim of the same task records it instead of sending it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from parking_desk.booking import shown
from parking_desk.bounce import suppressed_error
from parking_desk.config import WorkerSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.retry import RetryPolicy, claimed_too_often_error
from parking_desk.services.mail.base import DeliveryError, Transport
from parking_desk.services.store.base import DeliveryOutcome, QueueEngine
from parking_desk.services.store.bounces import SuppressionList
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
    WorkerBlocked,
    WorkerEvent,
    WorkerResumed,
)
from parking_desk.task import LastError, NotificationTask, TaskType
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

QR_VALIDITY_AFTER_DEPARTURE = timedelta(hours=12)
# A send is not started in the last quarter of its lease: it might outlive the lease.
LEASE_MARGIN = 0.25
# How often an outcome write is tried before the store is probed.
RECORD_ATTEMPTS = 3
# While blocked, the store is probed after these waits (doubling), for at most
# BLOCKED_WAIT_S (or the lease, if longer) per drain; the next drain probes again.
PROBE_FIRST_S, PROBE_MAX_S = 0.1, 5.0
BLOCKED_WAIT_S = 60.0
# Sent e-mails whose outcome could not be written, remembered so as not to send them twice.
REMEMBER_SENT = 10_000

RECORDED, LOST, REFUSED, BROKEN = "recorded", "lost", "refused", "broken"


@dataclass(frozen=True)
class _Outcome:
    """An outcome to write: kept while the store refuses it, written again by the probe."""

    task: NotificationTask
    write: Callable[[], bool]
    counter: str  # the DrainReport field it counts towards once written
    event: WorkerEvent
    sent: DeliveryOutcome | None = None  # set when an e-mail went out


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
        # Protects ``sent_total`` and the drain report's counters, bumped from sending threads.
        self._count_lock = threading.Lock()
        self.sent_total = 0
        # Set by a sending thread that skipped a task for want of lease time (or because
        # the worker is blocked); acted on once no send of this worker is in flight.
        self._handed_back = False
        # Protects the three below, touched by sending threads and the drain thread.
        self._outcome_lock = threading.Lock()
        self._blocked = False
        self._held: list[_Outcome] = []
        self._sent_unrecorded: OrderedDict[str, DeliveryOutcome] = OrderedDict()
        # Writes this worker's heartbeat with the given state, raising if the store refuses
        # it: the probe that tells a store refusing writes from a task it cannot record.
        self._state_writer: Callable[[str], None] | None = None

    # --- wiring ------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[WorkerEvent], None]) -> None:
        self._listeners.append(listener)

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def set_state_writer(self, writer: Callable[[str], None]) -> None:
        """*writer(state)* records this worker's heartbeat with *state* ("blocked",
        "running") and raises when the store refuses the write."""
        self._state_writer = writer

    @property
    def blocked(self) -> bool:
        """True while outcomes cannot be recorded: nothing is claimed or sent."""
        with self._outcome_lock:
            return self._blocked

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
        with self._drain_lock:
            transports = TransportPool(self._transport_factory)
            # The sending threads: each holds its own transport (and SMTP connection).
            pool = ThreadPoolExecutor(
                max_workers=self.settings.send_parallelism, thread_name_prefix="drain-send"
            )
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
                        wait(in_flight)
                        in_flight = set()
                        if not self._until_unblocked(report, now):
                            gave_up = True
                            break
                    if self._handed_back and not self._stop.is_set():
                        # ``release`` hands back every task this worker holds: only once
                        # none of them is being sent.
                        wait(in_flight)
                        in_flight = set()
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
                    in_flight |= {
                        pool.submit(self._process, task, transports, report, now) for task in tasks
                    }
                    if len(tasks) < batch:
                        break
                wait(in_flight)
                if self.blocked and not gave_up:
                    # Outcomes held when the last sends ended: written before this drain
                    # ends, or a ``--once`` run would forget them and send them again.
                    self._until_unblocked(report, now)
                if self._handed_back and not self._stop.is_set() and not self.blocked:
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
        """Never raises: whatever happens ends as completed, retrying, dead, lost or held."""
        try:
            self._process_one(task, transports, report, now)
        except Exception:  # a bug must cost this task its lease, never vanish in a future
            log.exception("Task %s: processing failed unexpectedly", task.id)
            self._count(report, "lost")

    def _process_one(
        self,
        task: NotificationTask,
        transports: TransportPool,
        report: DrainReport,
        now: datetime | None,
    ) -> None:
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
        sent = self._remembered(task.id)
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
            outcome = self._deliver(task, transports)
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
        self._settle(
            _Outcome(
                task,
                lambda: self.store.complete(task, self.worker_id, outcome, now=now),
                "completed",
                event,
                sent=outcome if outcome.email_sent else None,
            ),
            report,
        )

    def _deliver(self, task: NotificationTask, transports: TransportPool) -> DeliveryOutcome:
        if task.type != TaskType.QR and self._suppressions is not None:
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
        with self._count_lock:
            setattr(report, name, getattr(report, name) + 1)

    def _record(self, task: NotificationTask, write: Callable[[], bool]) -> str:
        """Write an outcome, retrying a store hiccup: RECORDED, LOST (the lease is gone),
        REFUSED (the store was unavailable every time) or BROKEN (the write raised
        something else: the task's own data, or a bug)."""
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                return RECORDED if write() else LOST
            except StoreUnavailable as exc:
                if attempt == RECORD_ATTEMPTS:
                    log.error("Task %s: recording its outcome failed: %s", task.id, exc)
                    return REFUSED
                time.sleep(0.2 * attempt)
            except Exception as exc:
                log.error(
                    "Task %s: recording its outcome failed: %s: %s",
                    task.id,
                    type(exc).__name__,
                    exc,
                    exc_info=True,
                )
                return BROKEN
        return REFUSED

    def _settle(self, outcome: _Outcome, report: DrainReport) -> None:
        result = self._record(outcome.task, outcome.write)
        if result == RECORDED:
            self._landed(outcome, report)
        elif result == LOST:
            self._lost(outcome.task, report)
        elif result == BROKEN:
            self._give_up(outcome, report)
        else:
            self._hold(outcome)

    def _landed(self, outcome: _Outcome, report: DrainReport) -> None:
        self._count(report, outcome.counter)
        if outcome.sent is not None:
            with self._count_lock:
                self.sent_total += 1
            self._forget(outcome.task.id)
        self._emit(outcome.event)

    def _give_up(self, outcome: _Outcome, report: DrainReport) -> None:
        """An outcome this task's write will never take (the store takes others): its lease
        will expire; a sent e-mail is remembered so this worker does not send it again."""
        log.error(
            "Task %s: its outcome (%s) cannot be recorded; left for its lease to expire",
            outcome.task.id,
            outcome.counter,
        )
        if outcome.sent is not None:
            self._remember(outcome.task.id, outcome.sent)
        self._count(report, "unrecorded")

    def _hold(self, outcome: _Outcome) -> None:
        """The store refuses writes: keep the outcome and stop claiming and sending."""
        if outcome.sent is not None:
            self._remember(outcome.task.id, outcome.sent)
        with self._outcome_lock:
            self._held.append(outcome)
            first = not self._blocked
            self._blocked = True
        if first:
            log.error(
                "Outcomes cannot be recorded (task %s): claiming and sending stop until the "
                "store accepts them again",
                outcome.task.id,
            )
            self._write_state("blocked")
            self._emit(WorkerBlocked(self.worker_id, "outcomes cannot be recorded", utcnow()))

    def _until_unblocked(self, report: DrainReport, now: datetime | None) -> bool:
        """Probe the store by writing the outcomes held, waiting longer each time, until
        they are written (True), or this drain has waited long enough or is stopping
        (False). Outcomes still refused after the wait by a store that takes this worker's
        heartbeat are their tasks' own problem: given up, and the worker resumes."""
        delay = PROBE_FIRST_S
        deadline = time.monotonic() + max(BLOCKED_WAIT_S, self.settings.lease_s)
        while not self._stop.is_set():
            if self._probe(report):
                return True
            if time.monotonic() + delay > deadline:
                if self._store_accepts_writes():
                    return self._resume(report, give_up=True)
                with self._outcome_lock:
                    held = len(self._held)
                report.errors.append(
                    f"blocked: {held} outcome(s) cannot be recorded, the store refuses writes"
                )
                return False
            self._stop.wait(delay)
            delay = min(delay * 2, PROBE_MAX_S)
        return False

    def _probe(self, report: DrainReport) -> bool:
        """Write each outcome held once more; resume once none is left to write."""
        with self._outcome_lock:
            held = list(self._held)
        refused: list[_Outcome] = []
        for outcome in held:
            try:
                landed = bool(outcome.write())
            except StoreUnavailable as exc:
                log.debug("Task %s: outcome still refused: %s", outcome.task.id, exc)
                refused.append(outcome)
                continue
            except Exception:
                log.exception("Task %s: recording its outcome failed", outcome.task.id)
                self._give_up(outcome, report)
                continue
            if landed:
                self._landed(outcome, report)
            else:
                self._lost(outcome.task, report)
        with self._outcome_lock:
            self._held = refused + self._held[len(held) :]
            if self._held:
                return False
        return self._resume(report)

    def _resume(self, report: DrainReport, *, give_up: bool = False) -> bool:
        with self._outcome_lock:
            left, self._held = self._held, []
            self._blocked = False
        if give_up:
            for outcome in left:
                self._give_up(outcome, report)
        log.warning("Outcomes are recorded again: claiming and sending resume")
        self._write_state("running")
        self._emit(WorkerResumed(self.worker_id, utcnow()))
        return True

    def _store_accepts_writes(self) -> bool:
        """This worker's heartbeat as a probe write (a read proves nothing on a full disk);
        without a heartbeat writer, a ping."""
        try:
            if self._state_writer is not None:
                self._state_writer("blocked")
            else:
                self.store.ping()
        except Exception as exc:
            log.debug("The store refuses a probe: %s", exc)
            return False
        return True

    def _write_state(self, state: str) -> None:
        if self._state_writer is None:
            return
        try:
            self._state_writer(state)
        except Exception as exc:
            log.warning("Heartbeat not recorded: %s", exc)

    def _remember(self, task_id: str, outcome: DeliveryOutcome) -> None:
        with self._outcome_lock:
            self._sent_unrecorded[task_id] = outcome
            while len(self._sent_unrecorded) > REMEMBER_SENT:
                self._sent_unrecorded.popitem(last=False)

    def _remembered(self, task_id: str) -> DeliveryOutcome | None:
        with self._outcome_lock:
            return self._sent_unrecorded.get(task_id)

    def _forget(self, task_id: str) -> None:
        with self._outcome_lock:
            self._sent_unrecorded.pop(task_id, None)

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
        self._settle(_Outcome(task, write, "retried", event), report)

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
        self._settle(_Outcome(task, write, "dead", event), report)

    def _lost(self, task: NotificationTask, report: DrainReport) -> None:
        log.warning("Lease on task %s was lost; another worker owns it now", task.id)
        self._count(report, "lost")
