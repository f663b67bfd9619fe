"""The in-app engine: its events reach widgets as signals on the GUI thread, the e-mail
status of a new booking moves on screen by itself, and closing hands leases back."""

from __future__ import annotations

import gc
import sys
import threading

from parking_desk.booking import EmailStatus
from parking_desk.services.runtime import build_worker
from parking_desk.services.store import open_sqlite
from parking_desk.task import TaskState
from parking_desk.ui.app import DESK_SWITCH_INTERVAL_S, connect, shut_down
from parking_desk.ui.desk.new_booking_tab import NewBookingTab
from parking_desk.ui.engine_adapter import EngineAdapter


def test_the_email_status_of_a_new_booking_updates_live(qtbot, ctx, store, settings):
    adapter = EngineAdapter()
    seen_on: list[threading.Thread] = []
    adapter.completed.connect(lambda _event: seen_on.append(threading.current_thread()))
    settings.worker.drain_interval_s = 3600  # only wake() can make it send in time
    _worker, engine = build_worker(settings, store, "desk", events=adapter.on_event)
    ctx.engine = engine
    engine.start()
    try:
        tab = NewBookingTab(ctx)
        qtbot.addWidget(tab)
        adapter.completed.connect(lambda _event: tab.refresh_email_status())
        tab.form.name.setText("Elena Țoncu")
        tab.form.email.setText("elena@example.com")
        tab.form.phone.setText("0733 444 555")
        tab.form.plate.setText("BV10ELT")
        tab.form.save()
        qtbot.waitUntil(lambda: tab.qr.email.property("status") == "sent", timeout=10_000)
        assert tab.qr.email.text().startswith("E-mail sent at")
        number = tab.qr.number.text()
        assert store.get_booking(number).email_status == EmailStatus.SENT
        assert list((settings.mail.outbox_dir).glob("*.eml"))  # the message really left
        assert seen_on and all(t is threading.main_thread() for t in seen_on)
    finally:
        engine.stop(grace_s=5)


def test_connect_starts_the_engine_and_shut_down_stops_it(qtbot, ctx, settings):
    settings.worker.run_in_app = True
    adapter = EngineAdapter()
    interval = sys.getswitchinterval()
    try:
        store, engine = connect(settings, adapter)
        # The GUI thread gets the GIL back within 1 ms of asking, and start-up's objects are
        # out of the collector's way.
        assert sys.getswitchinterval() == DESK_SWITCH_INTERVAL_S
        assert gc.get_freeze_count() > 0
    finally:
        sys.setswitchinterval(interval)
        gc.unfreeze()
    ctx.store, ctx.engine = store, engine
    assert engine.status().running
    shut_down(ctx, [])
    assert not engine.status().running
    again = open_sqlite(settings.store.sqlite_path)
    try:
        assert all(t.status != TaskState.PROCESSING for t in again.list_tasks())
    finally:
        again.close()
