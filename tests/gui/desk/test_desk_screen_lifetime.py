"""A screen closed while its background job runs is let go on the GUI thread, not the pool."""

from __future__ import annotations

import gc
import threading
import time
import weakref

from PySide6.QtWidgets import QWidget

from parking_desk.ui.weak_callback import weak_done


class Screen(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []

    def finished(self, tag: str, result: object, error: BaseException | None) -> None:
        self.results.append((tag, result, error))


def test_the_callback_reaches_a_live_widget(qtbot, ctx):
    screen = Screen()
    qtbot.addWidget(screen)
    ctx.bridge.run(lambda: 42, weak_done(screen.finished, "search"))
    qtbot.waitUntil(lambda: screen.results == [("search", 42, None)], timeout=3000)


def test_a_widget_dropped_mid_job_is_freed_on_the_gui_thread(qtbot, ctx):
    freed_on: list[threading.Thread] = []
    screen = Screen()
    gone = weakref.ref(screen)
    weakref.finalize(screen, lambda: freed_on.append(threading.current_thread()))
    job = ctx.bridge.run(lambda: time.sleep(0.3) or "late", weak_done(screen.finished, "x"))
    del screen
    gc.collect()
    assert gone() is None  # the pending job did not keep it alive
    assert freed_on == [threading.main_thread()]
    job.result(timeout=5)
    qtbot.wait(100)  # the late answer is delivered to nobody, without error
