"""The console and kiosk in Romanian: a complete catalogue, comma-below ș and ț."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from parking_desk.config import Settings
from parking_desk.resources import resource_path
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_model import Column
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.kiosk.kiosk_window import KioskWindow

TS = resource_path("translations", "console_ro.ts")


def test_every_message_is_translated_with_comma_below_letters() -> None:
    root = ET.parse(TS).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 100
    for message in messages:
        translation = message.find("translation")
        assert translation.get("type") not in ("unfinished", "vanished", "obsolete"), message.find(
            "source"
        ).text
        text = "".join(translation.itertext())
        assert text.strip(), message.find("source").text
        assert not set(text) & set("şţŞŢ"), text


@pytest.fixture
def romanian(qapp: QApplication, tmp_path: Path) -> Iterator[None]:
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    assert lrelease, "pyside6-lrelease ships with PySide6-Essentials"
    qm = tmp_path / "console_ro.qm"
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_the_queue_tab_and_kiosk_speak_romanian(
    qtbot: QtBot, romanian: None, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    tab = QueueTab(store, bridge, supervisor)
    qtbot.addWidget(tab)
    assert tab.retry_all_button.text() == "Reîncearcă tot ce corespunde…"
    assert tab.search.placeholderText() == "Caută rezervare, destinatar sau eroare…"
    assert (
        tab.model.headerData(
            Column.LAST_ERROR, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole
        )
        == "Ultima eroare"
    )
    tab.shutdown()

    kiosk = KioskWindow(lambda: store, bridge, Settings(), refresh_ms=60_000)
    qtbot.addWidget(kiosk)
    assert kiosk.tiles["today"].caption.text() == "Trimise azi"
    assert kiosk.windowTitle() == "Starea cozii de e-mail"
    kiosk.shutdown()
