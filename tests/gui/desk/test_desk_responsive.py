"""The window keeps living while the store is slow: saving a booking never blocks it."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QTimer

from parking_desk.errors import StoreUnavailable
from parking_desk.ui.desk.new_booking_tab import NewBookingTab

STORE_DELAY_S = 2.0


class SlowStore:
    """The real store behind a 2 s delay on every call, like a Firestore on a bad line."""

    def __init__(self, store, fail: bool = False) -> None:
        self._store = store
        self._fail = fail

    def __getattr__(self, name):
        real = getattr(self._store, name)
        if not callable(real):
            return real

        def slow(*args, **kwargs):
            time.sleep(STORE_DELAY_S)
            if self._fail:
                raise StoreUnavailable("timed out")
            return real(*args, **kwargs)

        return slow


def fill(form) -> None:
    form.name.setText("Radu Văduva")
    form.email.setText("radu@example.com")
    form.phone.setText("0744 555 666")
    form.plate.setText("IS22RDV")


def test_the_event_loop_keeps_running_while_the_store_takes_2_s(qtbot, ctx, store):
    ctx.store = SlowStore(store)
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    ticks = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    fill(tab.form)
    started = time.perf_counter()
    tab.form.save()
    returned_after = time.perf_counter() - started
    assert tab.form.status.text() == "Saving…"
    qtbot.waitUntil(lambda: tab.qr.number.text() != "", timeout=10_000)
    elapsed = time.perf_counter() - started
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    print(
        f"save() returned in {returned_after * 1000:.1f} ms; {len(ticks)} ticks in "
        f"{elapsed:.2f} s; longest gap {max(gaps) * 1000:.0f} ms"
    )
    assert returned_after < 0.1
    assert elapsed >= STORE_DELAY_S
    assert len(ticks) > 100  # a blocked loop would fire about once
    assert max(gaps) < 0.5


def test_an_unreachable_store_says_so_and_keeps_what_was_typed(qtbot, ctx, store):
    ctx.store = SlowStore(store, fail=True)
    tab = NewBookingTab(ctx)
    qtbot.addWidget(tab)
    fill(tab.form)
    tab.form.save()
    qtbot.waitUntil(lambda: tab.form.status.property("failed") is True, timeout=10_000)
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
