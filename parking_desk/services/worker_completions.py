"""A drain's completions, written in groups instead of one round trip each.

The sending threads hand each sent task's completion here and go on to the next task;
writer threads take whatever has gathered meanwhile and write it in one commit
(``GroupedCompletions.complete_many``), so on a store 40 ms away a commit carries the
completions of every task sent while the previous commit travelled. Each completion is
still conditioned on its own lease: nothing is counted, announced or forgotten before the
commit that holds it has landed. A group the store will not take whole (a lease lost, a
booking kept elsewhere, the store unavailable) is written task by task through the
``OutcomeRecorder``, with the retries, the holding and the blocked state it applies to
every outcome.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime

from parking_desk.errors import StoreUnavailable
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.grouped import GroupedCompletions
from parking_desk.services.worker_events import DrainReport
from parking_desk.services.worker_outcomes import Outcome, OutcomeRecorder

log = logging.getLogger("parking_desk.services.worker")

# Completions in one commit at most: with its booking, two writes each, within Firestore's
# 500 writes per commit.
MAX_GROUP = 200
# Commits in flight at once: while one travels, the next gathers and goes.
WRITERS = 2
# Threads writing a refused group's completions one by one.
ONE_BY_ONE = 4
# A sending thread starts its next send only once its last completion is written (in a
# commit it shares with the other threads' completions): as when each thread wrote its
# own, a worker killed at any moment leaves at most one e-mail per sending thread sent and
# unrecorded (to go out again once its lease expires), and a store refusing outcomes is
# noticed before more go out.


def grouping(store: object) -> GroupedCompletions | None:
    """*store* if its class writes completions in groups. A wrapper that passes calls on
    through ``__getattr__`` (a store seen through a test's fault) does not count: its
    completions go one by one, through the ``complete`` it wraps."""
    if callable(getattr(type(store), "complete_many", None)) and isinstance(
        store, GroupedCompletions
    ):
        return store
    return None


class CompletionGroups:
    """One drain's completions: ``add`` from the sending threads, ``flush`` before anything
    that needs every completion written (handing tasks back, probing a blocked store, the
    drain's end), ``close`` at the drain's end."""

    def __init__(
        self,
        store: GroupedCompletions,
        recorder: OutcomeRecorder,
        worker_id: str,
        report: DrainReport,
        now: datetime | None,
    ) -> None:
        self._store = store
        self._recorder = recorder
        self._worker_id = worker_id
        self._report = report
        self._now = now
        # Guards the four below; writers wait on it for work, ``flush`` for none left.
        self._changed = threading.Condition()
        self._waiting: list[tuple[Outcome, DeliveryOutcome, threading.Event]] = []
        self._writing = 0
        self._closing = False
        # Each sending thread's last completion: set once written, held or given up.
        self._last = threading.local()
        self._one_by_one: set[Future[None]] = set()
        self._alone = ThreadPoolExecutor(max_workers=ONE_BY_ONE, thread_name_prefix="drain-record")
        self._writers = [
            threading.Thread(target=self._run, name=f"drain-commit-{n}", daemon=True)
            for n in range(WRITERS)
        ]
        for writer in self._writers:
            writer.start()

    def add(self, outcome: Outcome, delivery: DeliveryOutcome) -> None:
        settled = threading.Event()
        self._last.settled = settled
        with self._changed:
            self._waiting.append((outcome, delivery, settled))
            self._changed.notify_all()

    def may_send(self) -> None:
        """Return once the calling sending thread's last completion is written (or held, or
        given up): called before each send."""
        settled: threading.Event | None = getattr(self._last, "settled", None)
        if settled is not None:
            settled.wait()

    def flush(self) -> None:
        """Return once every completion added so far is written, held or given up."""
        with self._changed:
            while self._waiting or self._writing:
                self._changed.wait()
            alone = set(self._one_by_one)
        wait(alone)

    def close(self) -> None:
        self.flush()
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        for writer in self._writers:
            writer.join()
        self._alone.shutdown(wait=True)

    # --- the writers -----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._waiting and not self._closing:
                    self._changed.wait()
                if not self._waiting:
                    return
                group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
                self._writing += 1
            try:
                self._write(group)
            except Exception:  # a bug must not leave these unwritten, nor flush waiting
                log.exception("Writing %d completions failed unexpectedly", len(group))
                for item in group:
                    self._one_alone(item)
            finally:
                with self._changed:
                    self._writing -= 1
                    self._changed.notify_all()

    def _write(self, group: list[tuple[Outcome, DeliveryOutcome, threading.Event]]) -> None:
        done = [(outcome.task, delivery) for outcome, delivery, _settled in group]
        try:
            written = self._store.complete_many(done, self._worker_id, now=self._now)
        except StoreUnavailable as exc:
            log.warning("%d completion(s) in one commit failed (%s); one by one", len(group), exc)
            written = False
        if written:
            for outcome, _delivery, settled in group:
                self._recorder.written(outcome, self._report)
                settled.set()
            return
        # One by one, each with the recorder's retries, holding and giving up.
        for item in group:
            self._one_alone(item)

    def _one_alone(self, item: tuple[Outcome, DeliveryOutcome, threading.Event]) -> None:
        outcome, _delivery, settled = item

        def settle() -> None:
            try:
                self._recorder.settle(outcome, self._report)
            finally:
                settled.set()

        future = self._alone.submit(settle)
        with self._changed:
            self._one_by_one.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._changed:
            self._one_by_one.discard(future)
