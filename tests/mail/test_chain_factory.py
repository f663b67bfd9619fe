"""Failover between real SMTP servers, with the daily quota counted in a real store."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path

import pytest

from parking_desk.config import load_settings
from parking_desk.services.mail.base import DeliveryError
from parking_desk.services.mail.chain import ChainLink, ChainTransport
from parking_desk.services.mail.factory import build_transport
from parking_desk.services.mail.outbox import OutboxTransport
from parking_desk.services.mail.smtp import SmtpTransport
from parking_desk.services.store.sqlite.store import SqliteStore

pytestmark = pytest.mark.faults

DAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "desk.db")
    yield s
    s.close()


@pytest.fixture
def pair(make_smtp_server):
    return make_smtp_server("none"), make_smtp_server("none")


def chain_of(primary, backup, *, quota: int = 0, counter=None) -> ChainTransport:
    return ChainTransport(
        [
            ChainLink(SmtpTransport(primary.settings(name="smtp:primary")), quota),
            ChainLink(SmtpTransport(backup.settings(name="smtp-backup:backup"))),
        ],
        counter,
        clock=lambda: DAY,
    )


def ids(server) -> list[str]:
    return [message_from_bytes(m.content)["Message-ID"] for m in server.messages]


def test_server_quota_answer_falls_over_to_the_backup(pair, new_message) -> None:
    primary, backup = pair
    primary.faults.quota_left = 2  # then "550 5.4.5 Daily user sending quota exceeded"
    chain = chain_of(primary, backup)
    try:
        results = [chain.send(new_message(n=n)) for n in range(5)]
    finally:
        chain.close()
    assert [r.provider for r in results] == ["smtp:primary"] * 2 + ["smtp-backup:backup"] * 3
    assert ids(primary) == ["<task-t0@lot.example>", "<task-t1@lot.example>"]
    assert len(backup.messages) == 3
    assert primary.connections == 1, "once spent, the primary is not asked again today"


def test_shared_daily_quota_is_counted_in_the_store(pair, new_message, store) -> None:
    primary, backup = pair
    desk_a = chain_of(primary, backup, quota=3, counter=store)
    desk_b = chain_of(primary, backup, quota=3, counter=store)
    try:
        sent = [desk_a.send(new_message(n=n)).provider for n in range(2)]
        sent += [desk_b.send(new_message(n=n)).provider for n in range(2, 5)]
    finally:
        desk_a.close()
        desk_b.close()
    assert sent == ["smtp:primary"] * 3 + ["smtp-backup:backup"] * 2
    assert len(primary.messages) == 3 and len(backup.messages) == 2
    assert store.quota_used("smtp:primary", now=DAY) == 3
    assert store.quota_used("smtp-backup:backup", now=DAY) == 0  # unlimited: not counted


def test_quota_everywhere_is_reported_as_quota(pair, new_message) -> None:
    primary, backup = pair
    primary.faults.quota_left = backup.faults.quota_left = 0
    chain = chain_of(primary, backup)
    with pytest.raises(DeliveryError) as info:
        chain.send(new_message())
    chain.close()
    assert info.value.quota and not info.value.permanent


def test_transient_failure_on_primary_tries_the_backup(pair, new_message) -> None:
    primary, backup = pair
    primary.faults.tempfail_data = 1
    chain = chain_of(primary, backup)
    try:
        assert chain.send(new_message(n=1)).provider == "smtp-backup:backup"
        assert chain.send(new_message(n=2)).provider == "smtp:primary"  # primary is back
    finally:
        chain.close()
    assert ids(backup) == ["<task-t1@lot.example>"] and ids(primary) == ["<task-t2@lot.example>"]


def test_permanent_refusal_is_not_retried_on_the_backup(pair, new_message) -> None:
    primary, backup = pair
    primary.faults.refuse = {"gone@example.com"}
    chain = chain_of(primary, backup)
    with pytest.raises(DeliveryError) as info:
        chain.send(new_message(to="gone@example.com"))
    chain.close()
    assert info.value.permanent and info.value.provider == "smtp:primary"
    assert backup.messages == [] and backup.connections == 0


def test_every_transport_failing_is_transient_and_names_them(pair, new_message) -> None:
    primary, backup = pair
    primary.faults.tempfail_data = backup.faults.tempfail_data = 1
    chain = chain_of(primary, backup)
    with pytest.raises(DeliveryError) as info:
        chain.send(new_message())
    chain.close()
    assert not info.value.permanent and not info.value.quota
    assert "smtp:primary" in info.value.message and "smtp-backup:backup" in info.value.message


def test_a_store_that_cannot_count_defers_instead_of_sending_uncounted(smtp_server, new_message):
    primary = smtp_server

    class StoreDown:
        def reserve_quota(self, transport, limit, *, now=None):
            raise ConnectionError("database unreachable")

        def release_quota(self, unit):
            raise AssertionError("nothing was reserved")

        def quota_counts(self, transport, *, now=None):
            raise ConnectionError("database unreachable")

    chain = ChainTransport(
        [ChainLink(SmtpTransport(primary.settings(name="smtp:primary")), 500)], StoreDown()
    )
    with pytest.raises(DeliveryError) as info:
        chain.send(new_message())
    chain.close()
    assert info.value.code == "quota-unavailable" and not info.value.permanent
    assert primary.messages == []


def test_factory_without_smtp_writes_to_the_outbox(tmp_path: Path, new_message) -> None:
    env = {"PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox")}
    transport = build_transport(load_settings(tmp_path / "none.toml", env), None)
    assert [t.name for t in transport.transports] == ["outbox"]
    result = transport.send(new_message(n=3))
    transport.close()
    assert result.provider == "outbox"
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == ["task-t3@lot.example.eml"]


def test_factory_builds_primary_and_backup_from_settings(pair, tmp_path, new_message, store):
    primary, backup = pair
    env = {
        "PARKING_DESK_SMTP_HOST": "127.0.0.1",
        "PARKING_DESK_SMTP_PORT": str(primary.port),
        "PARKING_DESK_SMTP_SECURITY": "none",
        "PARKING_DESK_SMTP_DAILY_QUOTA": "1",
        "PARKING_DESK_SMTP_BACKUP_HOST": "127.0.0.1",
        "PARKING_DESK_SMTP_BACKUP_PORT": str(backup.port),
        "PARKING_DESK_SMTP_BACKUP_SECURITY": "none",
    }
    settings = load_settings(tmp_path / "none.toml", env)
    first = build_transport(settings, store)
    second = build_transport(settings, store)
    assert first is not second and first.transports[0] is not second.transports[0]
    try:
        providers = [first.send(new_message(n=1)).provider, second.send(new_message(n=2)).provider]
    finally:
        first.close()
        second.close()
    assert providers == ["smtp:127.0.0.1", "smtp-backup:127.0.0.1"]
    assert len(primary.messages) == 1 and len(backup.messages) == 1
    assert not any(isinstance(t, OutboxTransport) for t in first.transports)
