"""The Audit tab over a real SQLite store: every action the services record, in words (English,
then Romanian), about the booking it concerned, and no client's address."""

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

from parking_desk.booking import Booking
from parking_desk.resources import resource_path
from parking_desk.services.key_ring import (
    KeyRing,
    own_key,
    publish_own_key,
    reissue_ticket,
    revoke_key,
)
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.staff import SignInRefused, StaffService
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.staff import LockoutPolicy
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.audit_tab import AuditTab

WAIT = 5000
NEW_ADDRESS = "ana.popa.noua@example.ro"


def act(store: SqliteStore, tmp_path: Path) -> tuple[str, str]:
    """What a day at a site writes to the log; returns the booking number and its task id."""
    people = StaffService(store, policy=LockoutPolicy(after=2))
    admin = RoleSession(people.create_first_admin("Elena Admin", "1357"))
    people.add(admin, "Maria Pop", Role.SUPERVISOR, "2468")
    for pin in ("0000", "0001", "2468"):  # wrong, wrong and locked, then refused while locked
        with pytest.raises(SignInRefused):
            people.sign_in("Maria Pop", pin)
    elena = RoleSession(people.sign_in("Elena Admin", "1357"))

    signer = QrSigner.load_or_create(tmp_path / "desk.key")
    own = own_key(signer, "Birou Sosiri")
    publish_own_key(store, own)
    other = own_key(QrSigner.load_or_create(tmp_path / "old.key"), "Birou Vechi")
    publish_own_key(store, other)
    revoke_key(store, elena, other.kid)

    now = datetime.now(UTC)
    booking, task = store.create_booking(
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
    ring = KeyRing.load(tmp_path / "ring.json", own=own)
    reissue_ticket(store, signer, ring, elena, number, validity=timedelta(days=1))
    store.update_recipient(task.id, NEW_ADDRESS, operator=elena.operator_name())
    return number, task.id


def rows(tab: AuditTab) -> dict[str, list[str]]:
    """Each action's row (the newest one of each), as the table shows it, keyed by action."""
    shown: dict[str, list[str]] = {}
    for row, entry in reversed(list(enumerate(tab.entries))):
        cells = [tab.table.item(row, c).text() for c in range(tab.table.columnCount())]
        shown[entry.action] = cells
    return shown


@pytest.fixture
def audit(qtbot: QtBot, store: SqliteStore, bridge: Bridge, supervisor: RoleSession) -> AuditTab:
    tab = AuditTab(console_context(store, bridge, supervisor))
    qtbot.addWidget(tab)
    return tab


def test_each_action_has_a_label_and_names_the_booking_not_the_task(
    qtbot: QtBot, store: SqliteStore, audit: AuditTab, tmp_path: Path
) -> None:
    number, task_id = act(store, tmp_path)
    audit.show()
    qtbot.waitUntil(lambda: audit.table.rowCount() == len(store.audit_log()), timeout=WAIT)
    shown = rows(audit)

    labels = {action: cells[2] for action, cells in shown.items()}
    assert labels == {
        "staff_first_admin": "first admin created",
        "sign_in": "sign-in",
        "staff_add": "account added",
        "sign_in_failed": "failed sign-in",
        "sign_in_locked": "locked out after wrong PINs",
        "sign_in_refused": "sign-in refused, account locked",
        "revoke_key": "revoke signing key",
        "reissue_ticket": "reissue ticket",
        "update_recipient": "fix recipient",
    }
    for action in ("reissue_ticket", "update_recipient"):
        assert shown[action][4] == number
    assert task_id not in shown["update_recipient"][4]
    assert shown["update_recipient"][3] == "1"  # one task, named in the tooltip
    assert shown["staff_add"][4] == "Maria Pop"
    assert shown["staff_add"][5] == "role: supervisor; at a desk"
    assert shown["revoke_key"][4].startswith("Birou Vechi (")
    assert shown["sign_in_failed"][1] == "Maria Pop (supervisor)"
    assert shown["sign_in_failed"][5] == "wrong PIN; 2 in a row; at a desk"
    assert shown["sign_in_locked"][5] == "locked for 30 s; at a desk"
    assert shown["sign_in_refused"][5].endswith(" s still to wait; at a desk")

    everything = "\n".join("\n".join(cells) for cells in shown.values())
    assert NEW_ADDRESS not in everything and "ana.popa@example.ro" not in everything


@pytest.fixture
def romanian(qapp: QApplication, tmp_path: Path) -> Iterator[None]:
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    assert lrelease, "pyside6-lrelease ships with PySide6-Essentials"
    qm = tmp_path / "console_ro.qm"
    ts = resource_path("translations", "console_ro.ts")
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_the_audit_tab_speaks_romanian_when_the_language_changes(
    qtbot: QtBot, store: SqliteStore, audit: AuditTab, tmp_path: Path, request
) -> None:
    act(store, tmp_path)
    audit.show()
    qtbot.waitUntil(lambda: audit.table.rowCount() == len(store.audit_log()), timeout=WAIT)
    assert rows(audit)["sign_in_locked"][2] == "locked out after wrong PINs"

    request.getfixturevalue("romanian")  # the language changes while the tab is open
    qtbot.waitUntil(
        lambda: rows(audit)["sign_in_locked"][2] == "cont blocat după PIN-uri greșite",
        timeout=WAIT,
    )
    shown = rows(audit)
    assert shown["sign_in_failed"][1] == "Maria Pop (supervizor)"
    assert shown["sign_in_failed"][5] == "PIN greșit; 2 la rând; la un birou"
    assert shown["staff_add"][5] == "rol: supervizor; la un birou"
    assert shown["revoke_key"][2] == "revocare cheie de semnare"
    assert audit.table.horizontalHeaderItem(1).text() == "Cine"
