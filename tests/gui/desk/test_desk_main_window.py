"""The main window: its tabs, the language switch, the status bar and the saved layout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel

from parking_desk.ui.main_window import MainWindow
from parking_desk.ui.translations import Translations

ROOT = Path(__file__).resolve().parents[3]
QM = ROOT / "resources" / "translations" / "desk_ro.qm"


@pytest.fixture
def window(qtbot, ctx, tmp_path):
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    translations = Translations(QApplication.instance())
    win = MainWindow(ctx, translations, ui_state=state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    translations.apply("en")


def tab_titles(win: MainWindow) -> list[str]:
    return [win.tabs.tabText(i).replace("&", "") for i in range(win.tabs.count())]


@pytest.fixture
def compiled_catalogue() -> Path:
    """``make test`` builds the .qm first; a bare pytest run builds it here the same way."""
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    for qm in (QM, QM.with_name("console_ro.qm")):
        if not qm.exists():
            subprocess.run(
                [str(lrelease), "-silent", str(qm.with_suffix(".ts")), "-qm", str(qm)], check=True
            )
    return QM


def test_switching_language_changes_the_visible_strings(qtbot, compiled_catalogue, window):
    assert tab_titles(window) == [
        "New booking",
        "Bookings",
        "Scan",
        "Queue",
        "Bounced addresses",
        "Audit log",
        "Signing keys",
    ]
    assert window.new_booking.form.save_button.text() == "Save (Enter)"
    window.set_language("ro")
    qtbot.waitUntil(lambda: tab_titles(window)[0] == "Rezervare nouă", timeout=3000)
    assert tab_titles(window) == [
        "Rezervare nouă",
        "Rezervări",
        "Scanare",
        "Coadă",
        "Adrese blocate",
        "Jurnal de acțiuni",
        "Chei de semnare",
    ]
    assert window.new_booking.form.save_button.text() == "Salvează (Enter)"
    assert window.file_menu.title().replace("&", "") == "Fișier"
    # Errors raised below the UI follow the language too.
    window.new_booking.form.save()
    assert window.new_booking.form.messages["clientName"].text() == "Câmp obligatoriu."
    window.set_language("en")
    qtbot.waitUntil(lambda: tab_titles(window)[0] == "New booking", timeout=3000)
    assert window.new_booking.form.messages["clientName"].text() == "This field is required."


def test_another_screen_joins_with_add_tab(window):
    index = window.add_tab(QLabel("queue"), "Queue")
    assert window.tabs.tabText(index) == "Queue"


def test_the_status_bar_shows_the_store_and_the_queue(qtbot, window, new_booking):
    new_booking()
    window.connected((window.ctx.store, None), None)
    qtbot.waitUntil(lambda: "1 waiting" in window.status.queue_label.text(), timeout=5000)
    assert "Embedded database" in window.status.store_label.text()
    assert "online" in window.status.store_label.text()


def test_a_failed_connection_shows_offline_and_tries_again(qtbot, window, monkeypatch):
    from parking_desk.errors import StoreUnavailable
    from parking_desk.ui import main_window

    monkeypatch.setattr(main_window, "RECONNECT_MS", 50)
    attempts = []
    window.reconnect = lambda: attempts.append(1)
    window.ctx.store = None
    window.connected(None, StoreUnavailable("refused"))
    assert "OFFLINE" in window.status.store_label.text()
    assert window.statusBar().currentMessage() == (
        "The database cannot be reached. Nothing was saved; please try again."
    )
    qtbot.waitUntil(lambda: attempts == [1], timeout=3000)


def test_geometry_and_table_layout_are_kept(qtbot, ctx, tmp_path):
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    first = MainWindow(ctx, ui_state=state)
    qtbot.addWidget(first)
    first.resize(700, 500)
    first.bookings.table.setColumnWidth(1, 321)
    first.close()
    second = MainWindow(ctx, ui_state=state)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (700, 500)
    assert second.bookings.table.columnWidth(1) == 321


def test_self_test_builds_the_window_and_exits_0(tmp_path):
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "PARKING_DESK_CONFIG": str(tmp_path / "settings.toml"),
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "desk.db"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "parking_desk.ui.app", "--self-test"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def test_the_chosen_language_is_remembered_alone(qtbot, ctx, tmp_path):
    import tomllib

    path = tmp_path / "settings.toml"
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, settings_path=path, ui_state=state)
    qtbot.addWidget(win)
    win.set_language("ro")
    qtbot.waitUntil(path.exists, timeout=5000)
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"desk": {"language": "ro"}}
    win.set_language("en")


def test_sigterm_closes_the_desk_and_stops_its_worker_cleanly(tmp_path):
    import os
    import signal
    import time

    from parking_desk.services.store import open_sqlite

    db = tmp_path / "desk.db"
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "PARKING_DESK_CONFIG": str(tmp_path / "settings.toml"),
        "PARKING_DESK_SQLITE_PATH": str(db),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    proc = subprocess.Popen([sys.executable, "-m", "parking_desk.ui.app"], env=env, cwd=ROOT)
    try:
        store = open_sqlite(db) if db.exists() else None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait for the in-app worker's first heartbeat
            if store is None and db.exists():
                store = open_sqlite(db)
            if store is not None and any(w.state == "running" for w in store.workers()):
                break
            try:  # between looks, wait on the desk itself: one that died fails at once
                proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"the desk exited with {proc.returncode} before its worker started")
        else:
            pytest.fail("the desk's worker never started")
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert [w.state for w in store.workers()] == ["stopped"]
    finally:
        if proc.poll() is None:
            proc.kill()
        if store is not None:
            store.close()
