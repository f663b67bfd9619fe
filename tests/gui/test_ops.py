"""Operations: the work off the GUI thread, the hub told of what changed before the screen
hears of its result, errors shown when the screen has nothing better, and nothing called
once the screen is gone."""

from __future__ import annotations

import threading
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QMessageBox, QWidget

from parking_desk.config import Settings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store import open_sqlite
from parking_desk.ui.bridge import Bridge, SyncBridge
from parking_desk.ui.context import AppContext
from parking_desk.ui.ops import BOOKING_AND_MAIL, Changes, Op


class Engine:
    def __init__(self, listening: bool) -> None:
        self.listening = listening
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


def context(tmp_path: Path, bridge: Bridge, *, connected: bool = True) -> AppContext:
    store = open_sqlite(tmp_path / "ops.db") if connected else None
    return AppContext(
        settings=Settings(),
        bridge=bridge,
        session=RoleSession(Person("ana", "Ana", Role.STAFF)),
        store=store,
    )


def test_the_hub_hears_of_the_change_before_the_screen_gets_its_result(qtbot, tmp_path):
    ctx = context(tmp_path, Bridge())
    screen = QWidget()
    qtbot.addWidget(screen)
    seen: list[object] = []
    ctx.hub.changed.connect(seen.append)
    on_thread: list[str] = []

    def work(store):
        on_thread.append(threading.current_thread().name)
        return store.kind

    Op(ctx, screen, work, changes=Changes(bookings=True)).success(seen.append).run()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen == [Changes(bookings=True), "sqlite"]
    assert on_thread[0].startswith("store-write")  # off the GUI thread, in write order
    ctx.bridge.shutdown()


def test_a_failure_without_a_handler_is_shown_translated(qtbot, tmp_path):
    ctx = context(tmp_path, SyncBridge())
    ctx.language = "ro"
    screen = QWidget()
    qtbot.addWidget(screen)
    screen.show()
    changed: list[object] = []
    ctx.hub.changed.connect(changed.append)

    def refused(_store):
        raise StoreUnavailable("disk full")

    Op(ctx, screen, refused, changes=Changes(bookings=True)).run()
    boxes = [w for w in screen.findChildren(QMessageBox) if w.objectName() == "operation-error"]
    assert len(boxes) == 1 and boxes[0].isVisible()
    assert "baza de date" in boxes[0].text().lower()  # "cannot reach the database", in Romanian
    assert changed == []  # nothing changed, so no view redraws


def test_no_store_yet_fails_at_once_through_the_handler(qtbot, tmp_path):
    ctx = context(tmp_path, SyncBridge(), connected=False)
    screen = QWidget()
    qtbot.addWidget(screen)
    errors: list[BaseException] = []
    ran: list[bool] = []
    started = Op(ctx, screen, lambda store: ran.append(True)).failure(errors.append).run()
    assert started is None and ran == []
    assert isinstance(errors[0], StoreUnavailable)


def test_a_screen_gone_before_the_answer_hears_nothing(qtbot, tmp_path):
    ctx = context(tmp_path, Bridge())
    screen = QWidget()
    release = threading.Event()
    called: list[object] = []
    future = Op(ctx, screen, lambda store: release.wait(5)).success(called.append).run()
    assert future is not None
    shiboken6.delete(screen)  # the window closed and was deleted mid-operation
    release.set()
    future.result(timeout=5)
    qtbot.waitUntil(ctx.bridge.idle, timeout=5000)
    assert called == []
    ctx.bridge.shutdown()


def test_the_hub_wakes_only_an_engine_that_does_not_listen(qtbot, tmp_path):
    for listening, wakes in ((False, 1), (True, 0)):
        ctx = context(tmp_path / str(listening), SyncBridge())
        ctx.engine = Engine(listening)
        screen = QWidget()
        qtbot.addWidget(screen)
        Op(ctx, screen, lambda store: None, changes=BOOKING_AND_MAIL).run()
        Op(ctx, screen, lambda store: None, changes=Changes(bookings=True)).run()
        assert ctx.engine.wakes == wakes


def test_the_sync_bridge_has_finished_when_the_call_returns(qtbot, tmp_path):
    ctx = context(tmp_path, SyncBridge())
    screen = QWidget()
    qtbot.addWidget(screen)
    got: list[object] = []
    Op(ctx, screen, lambda store: 7, write=False).success(got.append).run()
    assert got == [7]
