"""The window keeps living while the store is slow: saving a booking never blocks it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer

from parking_desk.errors import StoreUnavailable
from parking_desk.services.store.base import BookingQuery
from parking_desk.ui.desk.new_booking_tab import NewBookingTab

HELD_AT_MOST_S = 30  # a safety net only: the test releases the store itself


class HeldStore:
    """The real store, every call held until the test lets it go (a Firestore on a bad
    line), or refused as unreachable. It notes the threads its calls ran on."""

    def __init__(self, store, fail: bool = False) -> None:
        self._store = store
        self._fail = fail
        self.entered = threading.Event()
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []

    def __getattr__(self, name):
        real = getattr(self._store, name)
        if not callable(real):
            return real

        def held(*args, **kwargs):
            self.threads.append(threading.current_thread())
            self.entered.set()
            if self._fail:
                raise StoreUnavailable("timed out")
            self.release.wait(HELD_AT_MOST_S)
            return real(*args, **kwargs)

        return held


def fill(form) -> None:
    form.name.setText("Radu Văduva")
    form.email.setText("radu@example.com")
    form.phone.setText("0744 555 666")
    form.plate.setText("IS22RDV")


def test_the_event_loop_keeps_running_while_the_store_holds_the_save(qtbot, threaded_ctx, store):
    held = HeldStore(store)
    threaded_ctx.store = held
    tab = NewBookingTab(threaded_ctx)
    qtbot.addWidget(tab)
    ticks: list[int] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(len(ticks)))
    fill(tab.form)
    tab.form.save()
    assert tab.form.status.text() == "Saving…"  # save() returned with the store still busy
    assert tab.form.is_saving() and not tab.form.save_button.isEnabled()
    tab.form.save()  # Enter pressed again while the first is on its way: still one booking
    timer.start()
    # While the store holds the save, the window goes on handling events: many ticks.
    qtbot.waitUntil(lambda: len(ticks) >= 50, timeout=10_000)
    assert held.entered.is_set() and tab.qr.number.text() == ""
    timer.stop()
    held.release.set()
    qtbot.waitUntil(lambda: tab.qr.number.text() != "", timeout=10_000)
    assert held.threads and threading.main_thread() not in held.threads
    assert store.get_booking(tab.qr.number.text()).plate == "IS22RDV"
    assert len(store.search_bookings(BookingQuery(plate="IS22RDV"))) == 1


def test_an_unreachable_store_says_so_and_keeps_what_was_typed(qtbot, ctx, store):
    ctx.store = HeldStore(store, fail=True)
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    fill(tab.form)
    tab.form.save()
    assert tab.form.status.property("failed") is True
    assert tab.form.status.text() == (
        "The database cannot be reached. Nothing was saved; please try again."
    )
    assert tab.form.name.text() == "Radu Văduva" and tab.form.plate.text() == "IS22RDV"
    assert tab.form.save_button.isEnabled()


def test_no_store_yet_is_the_same_clear_message(qtbot, ctx):
    ctx.store = None
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    fill(tab.form)
    tab.form.save()
    assert tab.form.status.property("failed") is True
    assert tab.form.email.text() == "radu@example.com"
