"""A screen closed while its operation runs: the bridge holds it weakly (its owner rule), so
it is let go on the GUI thread, never on a pool thread, hears nothing afterwards, and what it
asked the store to write is still written."""

from __future__ import annotations

import gc
import threading
import weakref

import shiboken6
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from parking_desk.booking import BookingStatus
from parking_desk.ui.desk.booking_details import BookingDetails
from parking_desk.ui.ops import Op

HEARD: list[object] = []  # what screens heard, kept outside them so they can be freed


class Screen(QWidget):
    def finished(self, result: object) -> None:
        HEARD.append(result)


def test_the_answer_reaches_a_live_screen(qtbot, ctx):
    HEARD.clear()
    screen = Screen()
    qtbot.addWidget(screen)
    Op(ctx, screen, lambda store: store.kind, write=False).success(screen.finished).run()
    assert HEARD == ["sqlite"]


def test_a_screen_dropped_mid_operation_is_freed_on_the_gui_thread(qtbot, threaded_ctx):
    HEARD.clear()
    freed_on: list[threading.Thread] = []
    release = threading.Event()
    screen = Screen()
    gone = weakref.ref(screen)
    weakref.finalize(screen, lambda: freed_on.append(threading.current_thread()))
    future = Op(threaded_ctx, screen, lambda store: release.wait(5) and "late", write=False)
    future = future.success(screen.finished).run()
    assert future is not None
    del screen
    gc.collect()
    assert gone() is None  # the pending operation did not keep it alive
    assert freed_on == [threading.main_thread()]
    release.set()
    assert future.result(timeout=5) == "late"
    qtbot.waitUntil(threaded_ctx.bridge.idle, timeout=5000)
    assert HEARD == []  # the late answer is delivered to nobody, without error


def test_details_closed_mid_check_in_still_check_the_car_in(
    qtbot, threaded_ctx, new_booking, store
):
    booking = new_booking()
    details = BookingDetails(threaded_ctx)
    details.show_booking(booking)
    release = threading.Event()
    # The write thread is busy with an earlier write when the check-in is asked for.
    threaded_ctx.bridge.run(lambda: release.wait(5), write=True)
    details.set_status(BookingStatus.CHECKED_IN)
    shiboken6.delete(details)  # the panel closed and was deleted mid-operation
    release.set()
    qtbot.waitUntil(threaded_ctx.bridge.idle, timeout=5000)
    assert store.get_booking(booking.booking_number).status == BookingStatus.CHECKED_IN
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert boxes == []  # nothing was said to a screen that is gone
