"""Writing the drain's outcomes, and the worker's "blocked" state when they cannot be written.

An outcome the store refuses as unavailable (a full disk, an outage) *blocks* the worker: it
claims and sends nothing more, says so in its log and its heartbeat, keeps the outcomes it
holds, and probes the store by writing them again until they land; only then does it claim
again. An outcome whose write fails otherwise (the task's own data) is logged with the task,
and a sent e-mail is remembered so that a later claim of the same task records it instead of
sending it again.

The drain (``worker.py``) decides what each task's outcome is; this module only gets it into
the store, and tells the drain whether it may claim.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from parking_desk.config import WorkerSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.store.base import DeliveryOutcome, QueueEngine
from parking_desk.services.worker_events import (
    DrainReport,
    WorkerBlocked,
    WorkerEvent,
    WorkerResumed,
)
from parking_desk.task import NotificationTask
from parking_desk.timeutil import utcnow

# The worker's own log, as operators read and filter it: these lines are the drain's.
log = logging.getLogger("parking_desk.services.worker")

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
class Outcome:
    """An outcome to write: kept while the store refuses it, written again by the probe."""

    task: NotificationTask
    write: Callable[[], bool]
    counter: str  # the DrainReport field it counts towards once written
    event: WorkerEvent
    sent: DeliveryOutcome | None = None  # set when an e-mail went out


class OutcomeRecorder:
    """One worker's outcome writes: what the drain calls ``settle`` with, ``blocked`` while
    the store refuses them, and the sent e-mails not yet recorded."""

    def __init__(
        self,
        store: QueueEngine,
        worker_id: str,
        settings: WorkerSettings,
        stop: threading.Event,
        emit: Callable[[WorkerEvent], None],
    ) -> None:
        self._store = store
        self._worker_id = worker_id
        self._settings = settings
        self._stop = stop
        self._emit = emit
        # Protects ``sent_total`` and the drain report's counters, bumped from sending threads.
        self._count_lock = threading.Lock()
        self.sent_total = 0
        # Protects the three below, touched by sending threads and the drain thread.
        self._lock = threading.Lock()
        self._blocked = False
        self._held: list[Outcome] = []
        self._sent_unrecorded: OrderedDict[str, DeliveryOutcome] = OrderedDict()
        # Writes this worker's heartbeat with the given state, raising if the store refuses
        # it: the probe that tells a store refusing writes from a task it cannot record.
        self._state_writer: Callable[[str], None] | None = None

    def set_state_writer(self, writer: Callable[[str], None]) -> None:
        self._state_writer = writer

    @property
    def blocked(self) -> bool:
        with self._lock:
            return self._blocked

    def count(self, report: DrainReport, name: str) -> None:
        with self._count_lock:
            setattr(report, name, getattr(report, name) + 1)

    def remembered(self, task_id: str) -> DeliveryOutcome | None:
        """The delivery of a task this worker sent and could not record, if it did."""
        with self._lock:
            return self._sent_unrecorded.get(task_id)

    def settle(self, outcome: Outcome, report: DrainReport) -> None:
        """Write *outcome*: counted and announced once written, held (the worker blocked)
        while the store refuses writes, given up when this task's write cannot succeed."""
        result = self._record(outcome.task, outcome.write)
        if result == RECORDED:
            self._landed(outcome, report)
        elif result == LOST:
            self._lost(outcome.task, report)
        elif result == BROKEN:
            self._give_up(outcome, report)
        else:
            self._hold(outcome)

    def written(self, outcome: Outcome, report: DrainReport) -> None:
        """*outcome* was written by a commit of its own group (``worker_completions.py``):
        counted and announced as ``settle`` does once a write lands."""
        self._landed(outcome, report)

    def until_unblocked(self, report: DrainReport) -> bool:
        """Probe the store by writing the outcomes held, waiting longer each time, until
        they are written (True), or this drain has waited long enough or is stopping
        (False). Outcomes still refused after the wait by a store that takes this worker's
        heartbeat are their tasks' own problem: given up, and the worker resumes."""
        delay = PROBE_FIRST_S
        deadline = time.monotonic() + max(BLOCKED_WAIT_S, self._settings.lease_s)
        while not self._stop.is_set():
            if self._probe(report):
                return True
            if time.monotonic() + delay > deadline:
                if self._store_accepts_writes():
                    return self._resume(report, give_up=True)
                with self._lock:
                    held = len(self._held)
                report.errors.append(
                    f"blocked: {held} outcome(s) cannot be recorded, the store refuses writes"
                )
                return False
            self._stop.wait(delay)
            delay = min(delay * 2, PROBE_MAX_S)
        return False

    # --- writing -------------------------------------------------------------------------
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

    def _landed(self, outcome: Outcome, report: DrainReport) -> None:
        self.count(report, outcome.counter)
        if outcome.sent is not None:
            with self._count_lock:
                self.sent_total += 1
            self._forget(outcome.task.id)
        self._emit(outcome.event)

    def _lost(self, task: NotificationTask, report: DrainReport) -> None:
        log.warning("Lease on task %s was lost; another worker owns it now", task.id)
        self.count(report, "lost")

    def _give_up(self, outcome: Outcome, report: DrainReport) -> None:
        """An outcome this task's write will never take (the store takes others): its lease
        will expire; a sent e-mail is remembered so this worker does not send it again."""
        log.error(
            "Task %s: its outcome (%s) cannot be recorded; left for its lease to expire",
            outcome.task.id,
            outcome.counter,
        )
        if outcome.sent is not None:
            self._remember(outcome.task.id, outcome.sent)
        self.count(report, "unrecorded")

    # --- blocked -------------------------------------------------------------------------
    def _hold(self, outcome: Outcome) -> None:
        """The store refuses writes: keep the outcome and stop claiming and sending."""
        if outcome.sent is not None:
            self._remember(outcome.task.id, outcome.sent)
        with self._lock:
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
            self._emit(WorkerBlocked(self._worker_id, "outcomes cannot be recorded", utcnow()))

    def _probe(self, report: DrainReport) -> bool:
        """Write each outcome held once more; resume once none is left to write."""
        with self._lock:
            held = list(self._held)
        refused: list[Outcome] = []
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
        with self._lock:
            self._held = refused + self._held[len(held) :]
            if self._held:
                return False
        return self._resume(report)

    def _resume(self, report: DrainReport, *, give_up: bool = False) -> bool:
        with self._lock:
            left, self._held = self._held, []
            self._blocked = False
        if give_up:
            for outcome in left:
                self._give_up(outcome, report)
        log.warning("Outcomes are recorded again: claiming and sending resume")
        self._write_state("running")
        self._emit(WorkerResumed(self._worker_id, utcnow()))
        return True

    def _store_accepts_writes(self) -> bool:
        """This worker's heartbeat as a probe write (a read proves nothing on a full disk);
        without a heartbeat writer, a ping."""
        try:
            if self._state_writer is not None:
                self._state_writer("blocked")
            else:
                self._store.ping()
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

    # --- sent, not recorded ----------------------------------------------------------------
    def _remember(self, task_id: str, outcome: DeliveryOutcome) -> None:
        with self._lock:
            self._sent_unrecorded[task_id] = outcome
            while len(self._sent_unrecorded) > REMEMBER_SENT:
                self._sent_unrecorded.popitem(last=False)

    def _forget(self, task_id: str) -> None:
        with self._lock:
            self._sent_unrecorded.pop(task_id, None)
