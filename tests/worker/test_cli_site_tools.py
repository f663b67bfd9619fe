"""The site's tools on the command line, for a server with no desk: the key ring, the
suppression list, the first admin and the retention periods. What changes something names
a person with ``--as`` and a PIN, checked and audited as at the desk; reading stays open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from worker_data import booking

from parking_desk.bounce import Bounce, BounceKind
from parking_desk.cli import main
from parking_desk.services.key_ring import (
    SigningKey,
    check_ticket,
    own_key,
    parse_ring,
    ring_pem,
)
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.staff import StaffService
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.sqlite.store import SqliteStore

pytestmark = pytest.mark.timeout(120)

ANA = {"PARKING_DESK_PIN": "2468"}  # supervisor
ION = {"PARKING_DESK_PIN": "1357"}  # staff
VLAD = {"PARKING_DESK_PIN": "9753"}  # admin


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PARKING_DESK_CONFIG": str(tmp_path / "absent.toml"),
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "cli.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }


@pytest.fixture
def db(tmp_path: Path):
    store = SqliteStore(tmp_path / "cli.db")
    service = StaffService(store)
    service.create_first_admin("Vlad Admin", "9753")
    admin = RoleSession(service.sign_in("Vlad Admin", "9753"))
    service.add(admin, "Ana Popescu", Role.SUPERVISOR, "2468")
    service.add(admin, "Ion Pop", Role.STAFF, "1357")
    yield store
    store.close()


# --- keys -----------------------------------------------------------------------------------


def test_keys_revoke_from_the_command_line_and_the_gate_says_who_revoked(capsys, env, db, tmp_path):
    assert main(["export-public-key", str(tmp_path / "first.pem")], env) == 0
    capsys.readouterr()
    assert main(["keys", "list"], env) == 0  # open to anyone
    listed = capsys.readouterr().out.splitlines()
    kid = listed[1].split()[0]
    assert listed[1].endswith(" -")  # trusted

    assert main(["keys", "revoke", kid], env) == 2
    assert "say who you are with --as NAME" in capsys.readouterr().err
    assert main(["keys", "revoke", kid, "--as", "Ion Pop"], env | ION) == 2
    assert "requires the supervisor role" in capsys.readouterr().err
    assert not any(k.revoked for k in db.signing_keys())

    assert main(["keys", "revoke", kid, "--as", "Ana Popescu"], env | ANA) == 0
    assert "revoked" in capsys.readouterr().out
    [audit] = [e for e in db.audit_log() if e.action == "revoke_key"]
    assert audit.operator == "Ana Popescu (supervisor)" and audit.details["kid"] == kid
    assert main(["keys", "list"], env) == 0
    assert "by Ana Popescu (supervisor)" in capsys.readouterr().out
    assert main(["keys", "revoke", "NOSUCHKEY", "--as", "Ana Popescu"], env | ANA) == 1
    assert "NOSUCHKEY is not in the site's key ring" in capsys.readouterr().err

    # The gate gets the PEM ring and refuses the key's tickets naming who revoked it.
    ring = tmp_path / "gate.pem"
    assert main(["export-public-key", str(ring)], env) == 0
    signer = QrSigner.load_or_create(Path(env["PARKING_DESK_QR_KEY"]))
    ticket = signer.payload("867962", "B123ABC", datetime.now(UTC) + timedelta(days=2))
    capsys.readouterr()
    assert main(["ticket", "verify", "--keys", str(ring), ticket], env) == 1
    out = capsys.readouterr().out
    assert out.startswith("revoked 867962")
    assert "by Ana Popescu (supervisor))." in out and "by )" not in out


def test_a_ring_exported_before_it_named_who_revoked_reads_without_a_blank_name(tmp_path):
    signer = QrSigner.load_or_create(tmp_path / "a.pem")
    now = datetime.now(UTC).replace(microsecond=0)
    key = own_key(signer, "Desk A", now=now)
    revoked = SigningKey(key.kid, key.public_key_pem, "Desk A", now, now, "Maria (supervisor)")
    assert parse_ring(ring_pem([revoked]))[0].revoked_by == "Maria (supervisor)"

    old = f'# revoked {key.kid} machine="Desk A" revokedAt={now.isoformat()}\n'
    ticket = signer.payload("867962", "B123ABC", now + timedelta(days=2))
    for lang, said in (("en", "(Desk A, revoked "), ("ro", "(Desk A, revocată la ")):
        text = check_ticket(ticket, parse_ring(old), now=now).text(lang)
        assert said in text and " by )" not in text and " de )" not in text
        assert text.endswith("867962.")


# --- bounces --------------------------------------------------------------------------------


def _suppressed(db: SqliteStore) -> str:
    _booking, task = db.create_booking(booking(email="nimeni@client.example"))
    [claimed] = db.claim_due("w1", 1, timedelta(minutes=5))
    message_id = f"<task-{task.id}@parcare.example>"
    db.complete(claimed, "w1", DeliveryOutcome("smtp:test", message_id, True))
    report = Bounce(
        BounceKind.PERMANENT, message_id, "nimeni@client.example", "5.1.1", "550 User unknown"
    )
    assert db.bounces.record_bounce(task.id, report, "w1", now=datetime.now(UTC))
    return task.id


def test_bounces_list_and_a_supervisors_clear_from_the_command_line(capsys, env, db):
    task_id = _suppressed(db)
    assert main(["bounces", "list"], env) == 0  # reading stays open
    out = capsys.readouterr().out
    assert "nimeni@client.example" in out and "bounce-5.1.1: 550 User unknown" in out
    assert task_id[:22] in out

    assert main(["bounces", "clear", "nimeni@client.example"], env) == 2
    assert "--as NAME" in capsys.readouterr().err
    assert main(["bounces", "clear", "nimeni@client.example", "--as", "Ion Pop"], env | ION) == 2
    assert db.suppressions.get("nimeni@client.example") is not None

    args = ["bounces", "clear", "NIMENI@client.example", "--as", "Ana Popescu"]
    assert main(args, env | ANA) == 0
    assert "cleared" in capsys.readouterr().out
    assert db.suppressions.get("nimeni@client.example") is None
    [audit] = [e for e in db.audit_log() if e.action == "clear_suppression"]
    assert audit.operator == "Ana Popescu (supervisor)" and audit.task_ids == [task_id]

    assert main(args, env | ANA | {"PARKING_DESK_LANG": "ro"}) == 1
    assert "nu este pe lista adreselor blocate" in capsys.readouterr().err
    assert main(["bounces", "list"], env) == 0
    assert "(no suppressed addresses)" in capsys.readouterr().out


# --- the first admin ------------------------------------------------------------------------


def test_create_admin_on_a_fresh_site_and_never_again(capsys, env, tmp_path):
    fresh = env | {"PARKING_DESK_SQLITE_PATH": str(tmp_path / "fresh.db")}
    assert main(["staff", "create-admin", "Vlad Admin"], fresh) == 2  # no PIN, no terminal
    assert "PARKING_DESK_NEW_PIN" in capsys.readouterr().err
    assert main(["staff", "create-admin", "Vlad Admin"], fresh | {"PARKING_DESK_NEW_PIN": "1"}) == 1
    assert "at least" in capsys.readouterr().err  # the PIN rule is the desk's

    made = fresh | {"PARKING_DESK_NEW_PIN": "9753"}
    assert main(["staff", "create-admin", "Vlad Admin"], made) == 0
    assert "Vlad Admin (admin) can sign in now" in capsys.readouterr().out
    assert main(["staff", "list", "--as", "Vlad Admin"], fresh | VLAD) == 0
    assert "admin" in capsys.readouterr().out

    again = fresh | {"PARKING_DESK_NEW_PIN": "1111"}
    assert main(["staff", "create-admin", "Mallory"], again) == 1
    assert "already has accounts" in capsys.readouterr().err
    store = SqliteStore(tmp_path / "fresh.db")
    try:
        assert store.staff.by_name("Mallory") is None
        assert [e.action for e in store.audit_log()].count("staff_first_admin") == 1
    finally:
        store.close()


# --- retention ------------------------------------------------------------------------------


def test_retention_show_and_an_admins_set(capsys, env, db):
    assert main(["retention", "show"], env) == 0
    out = capsys.readouterr().out
    assert "this machine's settings" in out and "365 days" in out

    change = ["retention", "set", "--bookings-days", "120", "--outbox-days", "7"]
    assert main(change, env) == 2
    assert "changes the site" in capsys.readouterr().err
    assert main([*change, "--as", "Ana Popescu"], env | ANA) == 2  # a supervisor is no admin
    assert "admin" in capsys.readouterr().err
    assert db.site_retention() is None

    assert main([*change, "--as", "Vlad Admin"], env | VLAD) == 0
    figures = db.site_retention()
    assert {k: figures[k] for k in figures if k.endswith("_days")} == {
        "anonymise_after_days": 120,
        "finished_tasks_days": 30,
        "dead_tasks_days": 90,
        "outbox_days": 7,
    }
    [audit] = [e for e in db.audit_log() if e.action == "set_retention"]
    assert audit.operator == "Vlad Admin (admin)"
    capsys.readouterr()
    assert main(["retention", "show"], env) == 0
    out = capsys.readouterr().out
    assert "the site's, set by Vlad Admin (admin) on " in out
    assert "120 days" in out and "7 days" in out

    # A copy of the client's details may not outlive the booking's anonymisation.
    too_long = ["retention", "set", "--bookings-days", "20", "--as", "Vlad Admin"]
    assert main(too_long, env | VLAD) == 2
    assert "--finished-tasks-days" in capsys.readouterr().err
    assert main(["retention", "set", "--as", "Vlad Admin"], env | VLAD) == 2
    assert db.site_retention() == figures
