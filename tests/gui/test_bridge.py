"""The bridge: results and errors come back on the GUI thread, and the widgets a job refers
to are never destroyed on a pool thread."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QCoreApplication, QObject, QThread

from parking_desk.ui.bridge import Bridge, SyncBridge


def test_result_and_error_arrive_on_the_gui_thread(qtbot) -> None:
    bridge = Bridge()
    seen: list[tuple[object, object, bool]] = []

    def done(result, error):
        seen.append((result, error, QThread.currentThread() is QObject().thread()))

    bridge.run(lambda: threading.current_thread().name, done)
    bridge.write(lambda: 1 / 0, done)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    names = {r for r, e, _ in seen if e is None}
    errors = [e for _, e, _ in seen if e is not None]
    assert all(on_gui for *_, on_gui in seen)
    assert names and next(iter(names)).startswith("bg")
    assert isinstance(errors[0], ZeroDivisionError)
    bridge.shutdown()


class Probe(QObject):
    """Records the thread on which Python let go of it."""

    released_on: list[str] = []

    def __del__(self) -> None:
        Probe.released_on.append(threading.current_thread().name)

    def slow(self) -> int:
        threading.Event().wait(0.05)
        return 1

    def done(self, result, error) -> None:
        pass


def test_a_widget_only_a_job_refers_to_dies_on_the_gui_thread(qtbot) -> None:
    bridge = Bridge()
    Probe.released_on.clear()
    for _ in range(20):
        probe = Probe()
        bridge.run(probe.slow, probe.done)
        del probe  # the job now holds the last references (fn and done)
    qtbot.waitUntil(lambda: not bridge._jobs, timeout=5000)
    gc.collect()
    assert len(Probe.released_on) == 20
    assert set(Probe.released_on) == {threading.main_thread().name}
    bridge.shutdown()


def test_a_job_asked_for_after_shutdown_still_runs_without_a_callback(qtbot) -> None:
    """A feed that arrives after its screen closed is unsubscribed even though the bridge
    has shut down; nothing is delivered to a screen that is gone."""
    bridge = Bridge()
    bridge.shutdown()
    ran = threading.Event()
    called: list[object] = []

    future = bridge.run(ran.set, lambda result, error: called.append(result))

    assert ran.wait(5)
    assert future.result(timeout=5) is None
    # A delivery needs a job in the bridge's table; the late job never had one. Whatever the
    # event loop holds is delivered now, and none of it is for this job.
    assert bridge.idle()
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert called == []


class Screen(QObject):
    """A widget that starts a job on the tests' bridge and keeps what went wrong."""

    def __init__(self, bridge: Bridge) -> None:
        super().__init__()
        self.bridge = bridge
        self.failed: type[BaseException] | None = None

    def start(self) -> None:
        self.bridge.run(lambda: 1 / 0, self.done, owner=self)

    def done(self, result, error) -> None:
        self.failed = type(error)


def test_a_failed_job_on_the_sync_bridge_leaves_its_widget_to_reference_counting(qtbot) -> None:
    """A job run inline fails with frames that lead back to the widget that started it; had
    the error kept them, the widget would live on in a cycle until a garbage collection,
    which may run on any thread, and Qt crashes when a widget dies off its own."""
    screen = Screen(SyncBridge())
    screen.start()
    assert screen.failed is ZeroDivisionError
    gone = weakref.ref(screen)
    gc.disable()
    try:
        del screen
        assert gone() is None
    finally:
        gc.enable()
