"""Personal data, on both stores: bookings anonymised after their period, tasks purged after
theirs, and "Erase this client" leaving no trace of the person in any document."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from contract_data import LEASE, T0, booking

from parking_desk.booking import BookingStatus
from parking_desk.config import Settings
from parking_desk.errors import PermissionDenied
from parking_desk.services.retention import erase_client, purge, purge_if_due, set_site_retention
from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store import DeliveryOutcome, Store
from parking_desk.settings_model import MailSettings, RetentionSettings
from parking_desk.task import LastError, TaskState

SENT = DeliveryOutcome(provider="smtp", message_id="<m>", email_sent=True)
DEPARTURE = booking().departure
# What identifies Ana anywhere: her names, addresses, phone and plates, old and new.
ANA = ("popescu", "ana@example.ro", "ana.p@example.ro", "722123456", "B123ABC", "CJ99XYZ")


def settings(tmp_path: Path, **figures: int) -> Settings:
    return Settings(
        mail=MailSettings(outbox_dir=tmp_path / "outbox"), retention=RetentionSettings(**figures)
    )


def raw_documents(store: Store) -> str:
    """Every document of bookings/, emailQueue/ and auditLog/ as stored, with the typed
    columns SQLite keeps next to them, as one lower-case text."""
    found: list[Any] = []
    if store.kind == "sqlite":
        conn = sqlite3.connect(store.path)  # type: ignore[attr-defined]
        for table in ("bookings", "emailQueue", "auditLog"):
            found += [tuple(row) for row in conn.execute(f"SELECT * FROM {table}")]
        conn.close()
    else:
        db = store.conn.db  # type: ignore[attr-defined]
        for collection in ("bookings", "emailQueue", "auditLog"):
            found += [(s.id, s.to_dict()) for s in db.collection(collection).stream()]
    assert found
    return json.dumps(found, default=str, ensure_ascii=False).casefold()


def supervisor(role: Role = Role.SUPERVISOR) -> RoleSession:
    return RoleSession(Person(id="s1", name="Maria Ionescu", role=role))


def ana_with_history(store: Store) -> str:
    """Ana's booking, amended (old and new name and plate in its history), its
    confirmation bounced with her address quoted, the address fixed by a supervisor."""
    saved, _ = store.create_booking(
        booking(phone="0722 123 456", notes="Ana vine cu B 123 ABC"), now=T0
    )
    number = saved.booking_number or ""
    store.amend_booking(
        number,
        {"plate": "CJ 99 XYZ", "client_name": "Ana Maria Popescu"},
        operator="Maria Ionescu (staff)",
        now=T0,
    )
    for task in store.claim_due("w1", 5, LEASE, now=T0):
        store.fail_permanent(
            task, "w1", LastError("smtp_550", "550 <ana@example.ro> unknown", True), now=T0
        )
    dead = [t for t in store.list_tasks() if t.status == TaskState.DEAD]
    store.update_recipient(dead[0].id, "ana.p@example.ro", operator="Maria (supervisor)", now=T0)
    return number


def test_a_booking_is_anonymised_after_its_period_and_not_before(
    store: Store, tmp_path: Path
) -> None:
    number = ana_with_history(store)
    other, _ = store.create_booking(
        booking(client_name="Ion Ionescu", client_email="ion@example.ro", plate="CJ 12 XYZ"),
        now=T0,
    )
    kept = settings(tmp_path, anonymise_after_days=30)

    purge(store, kept, now=DEPARTURE + timedelta(days=30) - timedelta(minutes=1))
    assert store.get_booking(number).client_name == "Ana Maria Popescu"  # type: ignore[union-attr]

    report = purge(store, kept, now=DEPARTURE + timedelta(days=30, minutes=1))
    assert report.anonymised == 2
    ana = store.get_booking(number)
    assert ana is not None
    assert (ana.client_name, ana.client_email, ana.phone, ana.plate, ana.notes) == ("",) * 5
    assert ana.booking_number == number and ana.status == BookingStatus.CONFIRMED
    assert ana.departure == DEPARTURE and ana.passengers == 2
    amend = next(h for h in ana.history if h["action"] == "amend")
    assert set(amend["details"]) <= {"arrival", "departure", "passengers", "language"}
    assert ana.history[-1]["action"] == "anonymised"
    assert ana.history[-1]["by"] == "retention"
    assert store.get_booking(other.booking_number or "").plate == ""  # type: ignore[union-attr]
    # Once done, nothing is left for the next purge to do.
    again = purge(store, kept, now=DEPARTURE + timedelta(days=31))
    assert again.anonymised == 0


def test_finished_dead_and_outbox_are_purged_after_their_own_periods(
    store: Store, tmp_path: Path
) -> None:
    for _ in range(4):
        store.create_booking(booking(), now=T0)
    done, dead, young_dead = store.claim_due("w1", 3, LEASE, now=T0)
    store.complete(done, "w1", SENT, now=T0)
    store.fail_permanent(dead, "w1", LastError("smtp_550", "no", True), now=T0)
    store.fail_permanent(
        young_dead, "w1", LastError("smtp_550", "no", True), now=T0 + timedelta(days=20)
    )
    [pending] = [t for t in store.list_tasks() if t.status == TaskState.PENDING]
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    old, young = outbox / "task-a@lot.ro.eml", outbox / "task-b@lot.ro.eml"
    for path in (old, young):
        path.write_bytes(b"To: ana@example.ro\r\n\r\nhi\r\n")
    now = T0 + timedelta(days=25)
    os.utime(old, ((now - timedelta(days=11)).timestamp(),) * 2)
    os.utime(young, ((now - timedelta(days=9)).timestamp(),) * 2)

    figures = settings(
        tmp_path, anonymise_after_days=0, finished_tasks_days=7, dead_tasks_days=10, outbox_days=10
    )
    report = purge(store, figures, now=now)

    assert report.tasks == 2 and report.outbox_files == 1
    assert {t.id for t in store.list_tasks()} == {young_dead.id, pending.id}
    assert not old.exists() and young.exists()


def test_the_purge_runs_once_a_day_for_the_whole_site_with_the_sites_figures(
    store: Store, tmp_path: Path
) -> None:
    local = settings(tmp_path, anonymise_after_days=400)
    with pytest.raises(PermissionDenied):
        set_site_retention(store, supervisor(), RetentionSettings(anonymise_after_days=30))
    set_site_retention(
        store,
        supervisor(Role.ADMIN),
        RetentionSettings(anonymise_after_days=30, dead_tasks_days=30),
        now=T0,
    )
    number = store.create_booking(booking(), now=T0)[0].booking_number or ""
    later = DEPARTURE + timedelta(days=31)

    first = purge_if_due(store, local, now=later)
    assert first is not None and first.anonymised == 1  # the site's 30 days, not this 400
    assert store.get_booking(number).client_name == ""  # type: ignore[union-attr]
    assert purge_if_due(store, local, now=later + timedelta(hours=23)) is None
    assert purge_if_due(store, local, now=later + timedelta(hours=25)) is not None
    [entry] = [e for e in store.audit_log() if e.action == "set_retention"]
    assert entry.operator == "Maria Ionescu (admin)" and entry.details["anonymise_after_days"] == 30


def test_erasing_a_client_leaves_no_trace_of_them(store: Store, tmp_path: Path) -> None:
    number = ana_with_history(store)
    # Another booking of hers, the address in other letters, and a stranger's.
    second, _ = store.create_booking(booking(client_email="ANA.P@example.ro"), now=T0)
    stranger, _ = store.create_booking(
        booking(
            client_name="Ion Ionescu",
            client_email="ion@example.ro",
            plate="CJ 12 XYZ",
            phone="0733 999 888",
        ),
        now=T0,
    )
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    ana_tasks = [
        t for t in store.list_tasks() if t.booking_number in (number, second.booking_number)
    ]
    (outbox / f"task-{ana_tasks[0].id}@lot.ro.eml").write_bytes(b"To: x@y.z\r\n\r\n-\r\n")
    (outbox / "task-other@lot.ro.eml").write_bytes(
        b"To: =?utf-8?q?Ana_Maria_Popescu?= <ana.p@example.ro>\r\n\r\nhi\r\n"
    )
    (outbox / "task-ion@lot.ro.eml").write_bytes(b"To: Ion Ionescu <ion@example.ro>\r\n\r\n-\r\n")
    store.retry_tasks([(ana_tasks[0].id, None)], operator="Maria (supervisor)", now=T0)
    store.record_audit("Maria (supervisor)", "search", details={"text": "Ana.P@example.ro"}, now=T0)

    with pytest.raises(PermissionDenied):
        erase_client(store, supervisor(Role.STAFF), number, outbox_dir=outbox)
    report = erase_client(store, supervisor(), number, outbox_dir=outbox, now=T0)

    assert sorted(report.bookings) == sorted([number, second.booking_number])
    raw = raw_documents(store)
    for trace in ANA:
        assert trace.casefold() not in raw, trace
    assert "ion@example.ro" in raw and "cj12xyz" in raw  # the stranger keeps his data
    assert [p.name for p in outbox.iterdir()] == ["task-ion@lot.ro.eml"]
    entry = next(e for e in store.audit_log() if e.action == "erase_client")
    assert entry.operator == "Maria Ionescu (supervisor)"
    assert sorted(entry.details["bookings"]) == sorted(report.bookings)
    # Her bookings still count; none of her tasks will be sent anywhere.
    assert store.get_booking(number).status == BookingStatus.CONFIRMED  # type: ignore[union-attr]
    for task in store.list_tasks():
        if task.booking_number in report.bookings:
            assert task.status in (TaskState.CANCELLED, TaskState.DEAD, TaskState.COMPLETED)
    claimed = store.claim_due("w2", 10, LEASE, now=T0 + timedelta(hours=1))
    assert {t.booking_number for t in claimed} == {stranger.booking_number}
