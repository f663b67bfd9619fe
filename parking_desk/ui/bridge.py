"""The one way off the GUI thread.

``bridge.run(fn, done)`` runs ``fn`` in a pool and calls ``done(result, error)`` back on the
GUI thread, exactly once, whether ``fn`` returned or raised. Store writes go through a
single-worker executor so they happen in the order the user made them; reads and network
work (SMTP tests, searches) run in a small parallel pool.

Every reference a job holds (``fn``, ``done``, the result, the exception and its traceback)
is owned by the bridge's job table and released on the GUI thread. ``fn`` and ``done`` are
usually bound to widgets; if a pool thread dropped the last reference to one, Python would
destroy the widget there, and Qt crashes when a QObject dies off its own thread.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


@dataclass
class _Job:
    fn: Callable[[], Any] | None
    done: Done | None
    future: Future[Any]


class _Relay(QObject):
    """Lives on the GUI thread; a queued signal tells it which job has finished."""

    finished = Signal(int)

    def __init__(self, bridge: Bridge) -> None:
        super().__init__()
        self._bridge = bridge
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(int)
    def _deliver(self, job_id: int) -> None:
        job = self._bridge._take(job_id)
        if job is None:
            return
        error = job.future.exception()
        result = None if error is not None else job.future.result()
        if job.done is None:
            if error is not None:
                log.error("background job failed", exc_info=error)
            return
        job.done(result, error)


class Bridge:
    def __init__(self, *, read_workers: int = 4) -> None:
        # Serialises every store write from this desk: one thread, FIFO.
        self._writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-write")
        # Reads, searches and network checks: independent, so they may overlap.
        self._reads = ThreadPoolExecutor(max_workers=read_workers, thread_name_prefix="bg")
        # Guards _jobs (filled by run() on any thread, emptied by the relay on the GUI thread)
        # and _closed, so no job is handed to a pool that is shutting down.
        self._lock = threading.Lock()
        self._jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._relay = _Relay(self)
        self._closed = False

    def run(
        self, fn: Callable[[], Any], done: Done | None = None, *, write: bool = False
    ) -> Future[Any]:
        """Run *fn* off the GUI thread; *done(result, error)* is called on the GUI thread.

        After ``shutdown`` the pools take nothing new, yet a late result may still ask for
        clean-up (a feed that arrived after its screen closed must be unsubscribed): such a
        job runs on a thread of its own, and *done* is not called."""
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            if not self._closed:
                job_id = next(self._ids)
                self._jobs[job_id] = _Job(fn, done, future)
                (self._writes if write else self._reads).submit(self._execute, job_id)
                return future
        threading.Thread(
            target=self._run_late, args=(fn, future), name="bridge-late", daemon=True
        ).start()
        return future

    def write(self, fn: Callable[[], Any], done: Done | None = None) -> Future[Any]:
        return self.run(fn, done, write=True)

    def _execute(self, job_id: int) -> None:
        with self._lock:
            job = self._jobs[job_id]
        try:
            job.future.set_result(job.fn())  # type: ignore[misc]
        except BaseException as exc:
            job.future.set_exception(exc)
        del job  # the table keeps the job; only the GUI thread lets go of it
        self._relay.finished.emit(job_id)

    @staticmethod
    def _run_late(fn: Callable[[], Any], future: Future[Any]) -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:
            log.warning("A job after shutdown failed: %s", exc)
            future.set_exception(exc)

    def _take(self, job_id: int) -> _Job | None:
        with self._lock:
            return self._jobs.pop(job_id, None)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._writes.shutdown(wait=wait, cancel_futures=not wait)
        self._reads.shutdown(wait=wait, cancel_futures=not wait)
