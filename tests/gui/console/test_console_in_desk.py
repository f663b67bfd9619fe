"""The Queue and Audit tabs inside the desk's main window, with a store that connects late."""

from __future__ import annotations

from pathlib import Path

from console_data import add_tasks
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from parking_desk.config import Settings
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.context import AppContext
from parking_desk.ui.main_window import MainWindow


def test_the_desk_window_has_the_queue_and_audit_tabs_and_hands_them_the_store(
    qtbot: QtBot, tmp_path: Path, store: SqliteStore, bridge: Bridge, staff: RoleSession
) -> None:
    settings = Settings()
    settings.qr.key_path = tmp_path / "qr-key.pem"
    signer = QrSigner.load_or_create(settings.qr.key_path)
    ctx = AppContext(settings=settings, bridge=bridge, session=staff, signer=signer)
    window = MainWindow(
        ctx, ui_state=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    window.show()
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles[-4:] == ["Queue", "Bounced addresses", "Audit log", "Signing keys"]
    queue = window.console.queue
    assert queue.model.rowCount() == 0  # no store yet: nothing to show, nothing raised

    add_tasks(store, 2)
    window.connected((store, None), None)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 2, timeout=5000)
    assert not queue.retry_button.isVisible()  # the desk starts as staff

    window.close()
    assert queue._subscription is None  # closing the window stopped the change feed
