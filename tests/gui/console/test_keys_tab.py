"""The Signing keys tab: the site's ring with machines and dates; only a supervisor revokes."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from parking_desk.config import Settings
from parking_desk.services.key_ring import own_key
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.audit_tab import AuditTab
from parking_desk.ui.console.keys_tab import Column, KeysTab
from parking_desk.ui.context import AppContext


def tab_for(qtbot: QtBot, tmp_path: Path, store, bridge, session) -> tuple[KeysTab, QrSigner]:
    settings = Settings()
    settings.qr.key_path = tmp_path / "desk-b.pem"
    signer = QrSigner.load_or_create(settings.qr.key_path)
    ctx = AppContext(settings=settings, bridge=bridge, session=session, signer=signer, store=store)
    tab = KeysTab(ctx)
    qtbot.addWidget(tab)
    return tab, signer


def publish(store: SqliteStore, tmp_path: Path, name: str) -> QrSigner:
    signer = QrSigner.load_or_create(tmp_path / f"{name}.pem")
    store.publish_signing_key(own_key(signer, name))
    return signer


def test_a_supervisor_revokes_a_key_and_the_list_says_when_and_by_whom(
    qtbot: QtBot, tmp_path: Path, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    desk_a = publish(store, tmp_path, "Desk A")
    tab, signer_b = tab_for(qtbot, tmp_path, store, bridge, supervisor)
    store.publish_signing_key(own_key(signer_b, "Desk B"))
    tab.show()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2, timeout=5000)
    machines = [tab.table.item(r, Column.MACHINE).text() for r in range(2)]
    assert "Desk A" in machines and "Desk B (this computer)" in machines
    assert all(tab.table.item(r, Column.REVOKED).text() == "" for r in range(2))
    assert tab.status.text() == "2 trusted key(s)"

    row = next(r for r in range(2) if tab.table.item(r, Column.KID).text() == desk_a.key_id)
    tab.table.selectRow(row)
    assert tab.revoke_button.isEnabled()
    asked = []
    tab.confirm = lambda key: asked.append(key.kid) or True
    with qtbot.waitSignal(tab.revoked, timeout=5000):
        tab.revoke_button.click()
    assert asked == [desk_a.key_id]
    qtbot.waitUntil(lambda: tab.table.item(row, Column.REVOKED).text() != "", timeout=5000)
    assert "Maria" in tab.table.item(row, Column.REVOKED).text()
    assert store.signing_keys()[0].revoked or store.signing_keys()[1].revoked
    assert [e.action for e in store.audit_log()] == ["revoke_key"]
    tab.table.selectRow(row)
    assert not tab.revoke_button.isEnabled()  # revoked already


def test_staff_cannot_revoke_even_through_the_button(
    qtbot: QtBot, tmp_path: Path, store: SqliteStore, bridge: Bridge, staff: RoleSession
) -> None:
    publish(store, tmp_path, "Desk A")
    tab, _signer = tab_for(qtbot, tmp_path, store, bridge, staff)
    tab.show()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=5000)
    tab.table.selectRow(0)
    tab.confirm = lambda key: True
    tab.revoke_button.click()
    qtbot.waitUntil(lambda: "supervisor" in tab.status.text(), timeout=5000)
    assert not any(k.revoked for k in store.signing_keys())
    assert store.audit_log() == []


def test_the_audit_log_on_screen_shows_a_revocation_made_in_the_keys_tab(
    qtbot: QtBot, tmp_path: Path, store: SqliteStore, bridge: Bridge, supervisor: RoleSession
) -> None:
    publish(store, tmp_path, "Desk A")
    tab, _signer = tab_for(qtbot, tmp_path, store, bridge, supervisor)
    audit = AuditTab(tab.ctx)
    qtbot.addWidget(audit)
    audit.show()
    tab.show()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=5000)
    assert audit.table.rowCount() == 0

    tab.table.selectRow(0)
    tab.confirm = lambda key: True
    tab.revoke_button.click()
    # Nobody told the audit tab: it heard of the audited write from the change hub.
    qtbot.waitUntil(lambda: audit.table.rowCount() == 1, timeout=5000)
    assert audit.table.item(0, 2).text() == "revoke signing key"
    assert tab.table.item(0, Column.REVOKED).text() != ""
