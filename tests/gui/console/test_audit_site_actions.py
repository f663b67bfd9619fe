"""The Audit tab names the site's newer actions in words, in English and in Romanian: a
bounced address cleared, a client erased, the retention periods set. Never the address."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from console_data import console_context
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from test_suppressions_tab import ADDRESS, bounced

from parking_desk.booking import Booking
from parking_desk.resources import resource_path
from parking_desk.services.retention import erase_client, set_site_retention
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.services.suppressions import clear_suppression
from parking_desk.settings_model import RetentionSettings
from parking_desk.staff import Person, Role
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.audit_tab import AuditTab

WAIT = 5000


def act(store: SqliteStore, supervisor: RoleSession, tmp_path: Path) -> str:
    bounced(store)
    clear_suppression(store, supervisor, ADDRESS)
    now = datetime.now(UTC)
    booking, _task = store.create_booking(
        Booking(
            client_name="Ana Popa",
            client_email="ana.popa@example.ro",
            phone="0744 333 444",
            plate="IF07POP",
            arrival=now + timedelta(days=2),
            departure=now + timedelta(days=5),
        )
    )
    number = booking.booking_number or ""
    erase_client(store, supervisor, number, outbox_dir=tmp_path / "outbox")
    admin = RoleSession(Person("elena", "Elena", Role.ADMIN))
    set_site_retention(store, admin, RetentionSettings(0, 20, 0, 10))
    return number


def rows(tab: AuditTab) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for row, entry in reversed(list(enumerate(tab.entries))):
        shown[entry.action] = [tab.table.item(row, c).text() for c in range(6)]
    return shown


@pytest.fixture
def romanian(qapp: QApplication, tmp_path: Path) -> Iterator[None]:
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    assert lrelease
    qm = tmp_path / "console_ro.qm"
    ts = resource_path("translations", "console_ro.ts")
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_clear_erase_and_retention_read_in_words_in_both_languages(
    qtbot: QtBot,
    store: SqliteStore,
    bridge: Bridge,
    supervisor: RoleSession,
    tmp_path: Path,
    request,
) -> None:
    number = act(store, supervisor, tmp_path)
    tab = AuditTab(console_context(store, bridge, supervisor))
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.table.rowCount() == len(store.audit_log()), timeout=WAIT)
    shown = rows(tab)
    assert shown["clear_suppression"][2] == "bounced address cleared"
    assert shown["clear_suppression"][5] == "the address is sent to again"
    assert shown["erase_client"][2] == "client erased"
    assert shown["erase_client"][4] == number
    assert shown["erase_client"][5] == "tasks cleaned: 1"
    assert shown["set_retention"][2] == "retention periods set"
    assert shown["set_retention"][5] == (
        "bookings for ever, finished tasks 20 d, dead tasks for ever, outbox 10 d"
    )
    everything = "\n".join("\n".join(cells) for cells in shown.values())
    assert ADDRESS not in everything and "ana.popa@example.ro" not in everything

    request.getfixturevalue("romanian")
    qtbot.waitUntil(
        lambda: rows(tab)["clear_suppression"][2] == "adresă returnată deblocată", timeout=WAIT
    )
    shown = rows(tab)
    assert shown["erase_client"][2] == "client șters"
    assert shown["set_retention"][2] == "perioade de păstrare stabilite"
    assert shown["set_retention"][5] == (
        "rezervări pentru totdeauna, sarcini încheiate 20 z, "
        "sarcini eșuate definitiv pentru totdeauna, outbox 10 z"
    )
