"""The one way off the GUI thread.

``bridge.run(fn, done)`` runs ``fn`` in a pool and calls ``done(result, error)`` back on the
GUI thread, exactly once, whether ``fn`` returned or raised. Store writes go through a
single-worker executor so they happen in the order the user made them; reads and network
work (SMTP tests, searches) run in a small parallel pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


class _Relay(QObject):
    """Lives on the GUI thread; a queued signal carries each finished job back to it."""

    finished = Signal(object, object, object)  # done, result, error

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object, object)
    def _deliver(self, done: Done | None, result: Any, error: BaseException | None) -> None:
        if done is None:
            if error is not None:
                log.error("background job failed", exc_info=error)
            return
        done(result, error)


class Bridge:
    def __init__(self, *, read_workers: int = 4) -> None:
        # Serialises every store write from this desk: one thread, FIFO.
        self._writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-write")
        # Reads, searches and network checks: independent, so they may overlap.
        self._reads = ThreadPoolExecutor(max_workers=read_workers, thread_name_prefix="bg")
        self._relay = _Relay()
        self._closed = False

    def run(
        self, fn: Callable[[], Any], done: Done | None = None, *, write: bool = False
    ) -> Future[Any]:
        """Run *fn* off the GUI thread; *done(result, error)* is called on the GUI thread."""
        pool = self._writes if write else self._reads

        def job() -> Any:
            try:
                result = fn()
            except BaseException as exc:
                self._relay.finished.emit(done, None, exc)
                raise
            self._relay.finished.emit(done, result, None)
            return result

        return pool.submit(job)

    def write(self, fn: Callable[[], Any], done: Done | None = None) -> Future[Any]:
        return self.run(fn, done, write=True)

    def shutdown(self, wait: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        self._writes.shutdown(wait=wait, cancel_futures=not wait)
        self._reads.shutdown(wait=wait, cancel_futures=not wait)


class ImmediateBridge(Bridge):
    """Runs jobs synchronously on the calling thread (for tests that need determinism)."""

    def run(
        self, fn: Callable[[], Any], done: Done | None = None, *, write: bool = False
    ) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            result = fn()
        except BaseException as exc:
            future.set_exception(exc)
            if done is not None:
                done(None, exc)
            return future
        future.set_result(result)
        if done is not None:
            done(result, None)
        return future
