"""One site's key ring on the embedded store: desks, a worker and a gate in their own
processes, one SQLite file between them; and the one spelling of a ticket."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from site_machines import (
    machine_env,
    run_cli,
    sign_in_process,
    staff_session,
    supervisor_session,
    tickets_in_outbox,
)

from parking_desk.booking import Booking
from parking_desk.errors import PermissionDenied
from parking_desk.services import qr
from parking_desk.services.key_ring import (
    KeyRing,
    check_ticket,
    machine_name,
    own_key,
    parse_ring,
    read_ring_file,
    revoke_key,
    ring_cache_path,
    ring_json,
    ring_pem,
)
from parking_desk.services.qr import QrSigner, verify
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.timeutil import utcnow

VALID_UNTIL = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)
BEFORE = VALID_UNTIL - timedelta(days=2)


@pytest.fixture
def signer(tmp_path: Path) -> QrSigner:
    return QrSigner.load_or_create(tmp_path / "key.pem")


# --- one spelling per ticket -----------------------------------------------------------------


def test_a_signature_whose_spare_bits_are_set_is_refused(signer: QrSigner) -> None:
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    body, signature = payload.rsplit(":", 1)
    assert len(signature) == qr.SIGNATURE_CHARS == 103
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    last = alphabet.index(signature[-1])
    assert last & 0b111 == 0  # the 3 spare bits of the last character are zero when issued
    twins = [f"{body}:{signature[:-1]}{alphabet[last | spare]}" for spare in range(1, 8)]
    for twin in twins:
        # The same 64 bytes to a lenient decoder: without the check it would verify.
        assert base64.b32decode(twin.rsplit(":", 1)[1] + "=") == base64.b32decode(signature + "=")
        assert verify(twin, [signer.public_key], now=BEFORE).status == "malformed"
    assert verify(payload, [signer.public_key], now=BEFORE).ok


def test_a_short_or_long_signature_is_malformed(signer: QrSigner) -> None:
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    assert verify(payload + "A", [signer.public_key], now=BEFORE).status == "malformed"
    assert verify(payload[:-1], [signer.public_key], now=BEFORE).status == "malformed"


def test_a_lower_case_booking_number_keeps_its_case_in_the_ticket(signer: QrSigner) -> None:
    payload = signer.payload("ab12cd", "B123ABC", VALID_UNTIL)
    assert set(payload) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert ":$A$B12$C$D:" in payload
    check = verify(payload, [signer.public_key], now=BEFORE)
    assert check.ok and check.booking_number == "ab12cd"
    # A scanner in caps lock inverts the case: the ticket reads the same.
    assert verify(payload.swapcase(), [signer.public_key], now=BEFORE).booking_number == "ab12cd"
    mixed = verify(signer.payload("Ab$1", "B1", VALID_UNTIL), [signer.public_key], now=BEFORE)
    assert mixed.ok and mixed.booking_number == "Ab$1"
    # Numbers the desk allocates look exactly as before.
    assert ":867962:" in signer.payload("867962", "B1", VALID_UNTIL)


@pytest.mark.parametrize("field", ["$1", "A$", "$", "$-"])
def test_a_case_mark_before_anything_but_a_letter_is_malformed(
    signer: QrSigner, field: str
) -> None:
    payload = signer.payload("AB1", "B1", VALID_UNTIL).replace(":AB1:", f":{field}:", 1)
    assert verify(payload, [signer.public_key], now=BEFORE).status == "malformed"


# --- the ring's files ------------------------------------------------------------------------


def test_an_exported_ring_names_a_revoked_key_without_carrying_it(tmp_path: Path) -> None:
    a = QrSigner.load_or_create(tmp_path / "a.pem")
    b = QrSigner.load_or_create(tmp_path / "b.pem")
    now = utcnow().replace(microsecond=0)
    revoked = own_key(a, "Desk A", now=now)
    revoked = revoked.__class__(**{**revoked.__dict__, "revoked_at": now, "revoked_by": "Maria"})
    keys = [revoked, own_key(b, "Desk B", now=now)]
    ticket = a.payload("867962", "B1", VALID_UNTIL)
    for text in (ring_pem(keys), ring_json(keys)):
        assert a.public_key_pem().decode().strip() not in text
        gate = parse_ring(text)
        assert {k.kid: k.machine for k in gate} == {a.key_id: "Desk A", b.key_id: "Desk B"}
        verdict = check_ticket(ticket, gate, now=BEFORE)
        assert verdict.status == "revoked" and not verdict.ok
        assert "revoked key (Desk A, revoked" in verdict.text("en")
        assert check_ticket(b.payload("1", "B1", VALID_UNTIL), gate, now=BEFORE).ok
    assert ring_pem(keys).startswith("# revoked")


def test_the_local_copy_verifies_offline_and_its_own_key_before_any_store(
    tmp_path: Path, signer: QrSigner
) -> None:
    ring = KeyRing.load(tmp_path / "absent.json", own=own_key(signer, "Desk"))
    assert ring.verify(signer.payload("5", "B1", VALID_UNTIL), now=BEFORE).ok
    other = QrSigner.load_or_create(tmp_path / "other.pem")
    cache = tmp_path / "site-keys.json"
    KeyRing(cache_path=cache).replace([own_key(other, "Desk B")])
    offline = KeyRing.load(cache)
    assert offline.verify(other.payload("5", "B1", VALID_UNTIL), now=BEFORE).ok
    cache.write_text("{not json", encoding="utf-8")
    assert KeyRing.load(cache).members() == []  # a damaged copy never stops a start


def test_revoking_needs_a_supervisor_and_is_audited_once(tmp_path: Path, signer: QrSigner) -> None:
    store = SqliteStore(tmp_path / "site.db")
    try:
        store.publish_signing_key(own_key(signer, "Desk A"))
        with pytest.raises(PermissionDenied):
            revoke_key(store, staff_session(), signer.key_id)
        first = revoke_key(store, supervisor_session("Maria"), signer.key_id)
        again = revoke_key(store, supervisor_session("Elena"), signer.key_id)
        assert again.revoked_at == first.revoked_at and "Maria" in again.revoked_by
        entries = [e for e in store.audit_log() if e.action == "revoke_key"]
        assert len(entries) == 1 and entries[0].details["kid"] == signer.key_id
        assert "Maria" in entries[0].operator
    finally:
        store.close()


# --- a site on one SQLite file, every machine in its own process -----------------------------


def booking(**changes: object) -> Booking:
    now = utcnow().replace(microsecond=0)
    fields: dict = dict(
        client_name="Ștefan Țăranu",
        client_email="stefan@example.com",
        phone="+40712345678",
        plate="CJ12XYZ",
        arrival=now + timedelta(days=1),
        departure=now + timedelta(days=3),
    )
    fields.update(changes)
    return Booking(**fields)


def test_desk_and_worker_tickets_verify_at_another_desk_and_at_the_gate(tmp_path: Path) -> None:
    site = tmp_path / "site"
    desk_a, desk_b = machine_env(site, "Desk A"), machine_env(site, "Desk B")
    worker = machine_env(site, "Worker")
    gate = machine_env(site, "Gate", PARKING_DESK_SQLITE_PATH=str(tmp_path / "none" / "x.db"))
    store = SqliteStore(site / "site.db")
    try:
        saved, _task = store.create_booking(booking())
        number = saved.booking_number
        until = (saved.departure + timedelta(hours=12)).isoformat()

        # Desk A publishes its key (the export does, as the desk's start does) and signs.
        assert run_cli(desk_a, "export-public-key", str(site / "a.pem")).returncode == 0
        from_desk_a = sign_in_process(desk_a, number, saved.plate, until)
        # The headless worker publishes its key and e-mails the ticket.
        done = run_cli(worker, "worker", "--once")
        assert done.returncode == 0, done.stderr
        [from_worker] = tickets_in_outbox(site / "worker" / "outbox")

        # Desk B, running, follows the ring and picks both keys up.
        b_signer = QrSigner.load_or_create(Path(desk_b["PARKING_DESK_QR_KEY"]))
        ring = KeyRing.load(
            ring_cache_path(Path(desk_b["PARKING_DESK_QR_KEY"])),
            own=own_key(b_signer, machine_name("Desk B")),
        )
        follower = ring.follow(store, poll_s=0.05)
        try:
            assert follower.synced.wait(30)
            for ticket in (from_desk_a, from_worker):
                verdict = ring.verify(ticket)
                assert verdict.ok and verdict.booking_number == number
            machines = {k.machine for k in ring.members()}
            assert {"Desk A", "Desk B"} <= machines and any("worker" in m for m in machines)

            # A key published while desk B runs is picked up without a restart.
            heard = threading.Event()
            ring.subscribe(heard.set)
            late = machine_env(site, "Desk C")
            assert run_cli(late, "export-public-key", str(site / "c.pem")).returncode == 0
            assert heard.wait(30)
            from_desk_c = sign_in_process(late, number, saved.plate, until)
            assert ring.verify(from_desk_c).ok

            # The gate has no key and no store, only the exported ring.
            export = run_cli(desk_b, "export-public-key", str(site / "gate-ring.pem"))
            assert export.returncode == 0, export.stderr
            ring_file = str(site / "gate-ring.pem")
            for ticket in (from_desk_a, from_worker):
                checked = run_cli(gate, "ticket", "verify", "--keys", ring_file, ticket)
                assert checked.returncode == 0, checked.stdout + checked.stderr
                assert checked.stdout.split()[:2] == ["valid", number]
            piped = run_cli(gate, "ticket", "verify", "--keys", ring_file, stdin=from_worker + "\n")
            assert piped.returncode == 0 and piped.stdout.startswith(f"valid {number}")
            forged = QrSigner.load_or_create(tmp_path / "stranger.pem").payload(
                number, saved.plate, saved.departure
            )
            refused = run_cli(gate, "ticket", "verify", "--keys", ring_file, forged)
            assert refused.returncode == 1 and refused.stdout.startswith(f"forged {number}")

            # A supervisor revokes desk A's key: its tickets are refused, with the reason.
            a_kid = from_desk_a.split(":")[4]
            revoke_key(store, supervisor_session("Maria"), a_kid)
            assert follower.sync() or ring.get(a_kid).revoked  # the poller may be first
            verdict = ring.verify(from_desk_a)
            assert verdict.status == "revoked" and verdict.key.machine == "Desk A"
            assert ring.verify(from_worker).ok

            fresh = run_cli(desk_b, "export-public-key", str(site / "gate-ring.json"))
            assert fresh.returncode == 0
            keys_json = str(site / "gate-ring.json")
            revoked = run_cli(gate, "ticket", "verify", "--keys", keys_json, from_desk_a)
            assert revoked.returncode == 1
            assert revoked.stdout.startswith(f"revoked {number}")
            assert "Ticket signed with a revoked key (Desk A, revoked" in revoked.stdout
            still = run_cli(gate, "ticket", "verify", "--keys", keys_json, from_worker)
            assert still.returncode == 0
        finally:
            ring.close()
    finally:
        store.close()

    # Desk B's own copy of the ring verifies offline, through the CLI, with no --keys.
    offline = run_cli(desk_b, "ticket", "verify", from_worker)
    assert offline.returncode == 0 and offline.stdout.startswith(f"valid {number}")
    assert run_cli(desk_b, "ticket", "verify", from_desk_a).returncode == 1
    stored = read_ring_file(ring_cache_path(Path(desk_b["PARKING_DESK_QR_KEY"])))
    assert any(k.revoked and k.machine == "Desk A" for k in stored)


def test_export_into_a_missing_folder_fails_clearly(tmp_path: Path) -> None:
    env = machine_env(tmp_path, "Desk A")
    done = run_cli(env, "export-public-key", str(tmp_path / "no-such-folder" / "ring.pem"))
    assert done.returncode == 2
    assert "no-such-folder" in done.stderr and "does not exist" in done.stderr
    assert not Path(env["PARKING_DESK_QR_KEY"]).exists()  # nothing was made on the way


def test_ticket_verify_without_any_keys_says_where_to_get_them(tmp_path: Path) -> None:
    env = machine_env(tmp_path, "Gate")
    done = run_cli(env, "ticket", "verify", "PD1:1:B1:202612011200:AAAAAAAA:AAAA")
    assert done.returncode == 2 and "--keys" in done.stderr
    assert not Path(env["PARKING_DESK_QR_KEY"]).exists()
