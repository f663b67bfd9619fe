"""The one way off the GUI thread.

``bridge.run(fn, done, owner=widget)`` runs ``fn`` in a pool and calls ``done(result,
error)`` back on the GUI thread, exactly once, whether ``fn`` returned or raised, as long as
*owner* is still alive. Store writes go through a single-worker executor so they happen in
the order the user made them; reads and network work (SMTP tests, searches) run in a small
parallel pool. Screens do not call it directly: they run an ``ops.Op``.

Every reference a job holds (``fn``, ``done``, the result, the exception and its traceback)
is owned by the bridge's job table and released on the GUI thread. ``fn`` and ``done`` are
usually bound to widgets; if a pool thread dropped the last reference to one, Python would
destroy the widget there, and Qt crashes when a QObject dies off its own thread.

Widget lifetime is one rule, here: a job's *owner* is held weakly, a ``done`` bound to the
owner is held weakly too (so a pending job never keeps a closed screen alive), and ``done``
is not called once the owner is gone, in Python or in Qt.

``SyncBridge`` runs each job at once, on the calling thread: the tests' bridge, so a test
waits on nothing but the operation it started.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


class _Callback:
    """``done`` as the job keeps it: weakly when it is a method of the owner."""

    def __init__(self, done: Done | None, owner: object | None) -> None:
        self._owner = weakref.ref(owner) if owner is not None else None
        self._weak: weakref.WeakMethod[Done] | None = None
        self._strong: Done | None = None
        if done is not None and owner is not None and getattr(done, "__self__", None) is owner:
            self._weak = weakref.WeakMethod(done)
        else:
            self._strong = done

    @property
    def wanted(self) -> bool:
        return self._weak is not None or self._strong is not None

    def target(self) -> Done | None:
        """The callable to call now, or None when its owner has gone."""
        if self._owner is not None:
            owner = self._owner()
            if owner is None or (isinstance(owner, QObject) and not shiboken6.isValid(owner)):
                return None
        if self._weak is not None:
            return self._weak()
        return self._strong


@dataclass
class _Job:
    fn: Callable[[], Any] | None
    done: _Callback
    future: Future[Any]


def _deliver(job: _Job) -> None:
    error = job.future.exception()
    result = None if error is not None else job.future.result()
    if not job.done.wanted:
        if error is not None:
            log.error("background job failed", exc_info=error)
        return
    done = job.done.target()
    if done is not None:
        done(result, error)


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
        if job is not None:
            _deliver(job)


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
        self,
        fn: Callable[[], Any],
        done: Done | None = None,
        *,
        write: bool = False,
        owner: QObject | None = None,
    ) -> Future[Any]:
        """Run *fn* off the GUI thread; *done(result, error)* is called on the GUI thread
        while *owner* (when given) lives.

        After ``shutdown`` the pools take nothing new, yet a late result may still ask for
        clean-up (a feed that arrived after its screen closed must be unsubscribed): such a
        job runs on a thread of its own, and *done* is not called."""
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            if not self._closed:
                job_id = next(self._ids)
                self._jobs[job_id] = _Job(fn, _Callback(done, owner), future)
                (self._writes if write else self._reads).submit(self._execute, job_id)
                return future
        threading.Thread(
            target=self._run_late, args=(fn, future), name="bridge-late", daemon=True
        ).start()
        return future

    def write(
        self, fn: Callable[[], Any], done: Done | None = None, *, owner: QObject | None = None
    ) -> Future[Any]:
        return self.run(fn, done, write=True, owner=owner)

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

    def idle(self) -> bool:
        """True when no job is waiting to run or to be delivered."""
        with self._lock:
            return not self._jobs

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._writes.shutdown(wait=wait, cancel_futures=not wait)
        self._reads.shutdown(wait=wait, cancel_futures=not wait)


class SyncBridge(Bridge):
    """Runs every job at once on the calling thread and calls *done* before returning.

    For tests (as Picard's tests run their tasks): a test that starts an operation finds it
    finished, with its callbacks run, when the call returns, so nothing waits on a sleep.
    A job started from a callback runs right there too, in order."""

    def __init__(self, *, read_workers: int = 1) -> None:
        super().__init__(read_workers=read_workers)

    def run(
        self,
        fn: Callable[[], Any],
        done: Done | None = None,
        *,
        write: bool = False,
        owner: QObject | None = None,
    ) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn())
        except BaseException as exc:
            # Run inline, the error's frames lead back to the caller's and a widget among
            # them; the future refers back to the error. Kept as text, the trace leaves the
            # widget to reference counting, so it never waits for a garbage collection that
            # may run on another thread.
            exc.add_note("".join(traceback.format_tb(exc.__traceback__)))
            future.set_exception(exc.with_traceback(None))
        if not self._closed:
            _deliver(_Job(None, _Callback(done, owner), future))
        return future
