"""SmtpTransport against a real aiosmtpd server on 127.0.0.1, including its failures."""

from __future__ import annotations

import logging
import socket
import ssl
import time
from email import message_from_bytes

import pytest

from parking_desk.config import SmtpSettings
from parking_desk.services.mail.base import DeliveryError
from parking_desk.services.mail.smtp import SmtpTransport

pytestmark = pytest.mark.faults


def test_message_is_delivered_as_sent(smtp_server, new_message) -> None:
    transport = SmtpTransport(smtp_server.settings())
    try:
        result = transport.send(new_message(to="ana@example.com", n=7))
    finally:
        transport.close()
    assert result.message_id == "<task-t7@lot.example>"
    assert result.provider == transport.name
    [got] = smtp_server.messages
    assert got.mail_from == "desk@lot.example" and got.rcpt_tos == ["ana@example.com"]
    parsed = message_from_bytes(got.content)
    assert parsed["Subject"] == "Confirmare rezervare #867007"
    assert parsed["Message-ID"] == "<task-t7@lot.example>"


def test_starttls_with_self_signed_certificate_and_auth(make_smtp_server, tls, new_message):
    server = make_smtp_server("starttls")
    transport = SmtpTransport(server.settings(), ssl_context=tls.client_context())
    try:
        transport.check()  # logs in, sends nothing
        assert server.messages == []
        transport.send(new_message())
    finally:
        transport.close()
    assert len(server.messages) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_and_auth(make_smtp_server, tls, new_message) -> None:
    server = make_smtp_server("ssl")
    transport = SmtpTransport(server.settings(), ssl_context=tls.client_context())
    try:
        transport.send(new_message())
    finally:
        transport.close()
    assert len(server.messages) == 1


def test_untrusted_certificate_is_refused_not_ignored(make_smtp_server, new_message) -> None:
    server = make_smtp_server("starttls")
    transport = SmtpTransport(server.settings(), ssl_context=ssl.create_default_context())
    with pytest.raises(DeliveryError) as info:
        transport.send(new_message())
    assert info.value.code == "tls" and not info.value.permanent
    assert server.messages == []


def test_wrong_password_is_a_transport_problem_not_the_recipients(
    make_smtp_server, tls, new_message
) -> None:
    server = make_smtp_server("starttls")
    settings = server.settings(password="wrong")
    transport = SmtpTransport(settings, ssl_context=tls.client_context())
    with pytest.raises(DeliveryError) as info:
        transport.check()
    assert info.value.code == "smtp-auth" and not info.value.permanent
    assert "wrong" not in str(info.value)
    with pytest.raises(DeliveryError):
        transport.send(new_message())
    assert server.messages == []


def test_451_is_transient_then_the_retry_succeeds(smtp_server, new_message) -> None:
    smtp_server.faults.tempfail_data = 2
    transport = SmtpTransport(smtp_server.settings())
    try:
        for _ in range(2):
            with pytest.raises(DeliveryError) as info:
                transport.send(new_message())
            assert info.value.code == "smtp-451"
            assert not info.value.permanent and not info.value.quota
        transport.send(new_message())
    finally:
        transport.close()
    assert len(smtp_server.messages) == 1
    assert smtp_server.connections == 1, "a 451 leaves the session usable"


def test_550_for_one_recipient_is_permanent(smtp_server, new_message) -> None:
    smtp_server.faults.refuse = {"nobody@example.com"}
    transport = SmtpTransport(smtp_server.settings())
    try:
        with pytest.raises(DeliveryError) as info:
            transport.send(new_message(to="nobody@example.com"))
        transport.send(new_message(to="somebody@example.com"))
    finally:
        transport.close()
    assert info.value.permanent and info.value.code == "smtp-550"
    assert "User unknown" in info.value.message
    assert [m.rcpt_tos for m in smtp_server.messages] == [["somebody@example.com"]]


def test_connection_dropped_mid_data_is_transient(smtp_server, new_message) -> None:
    smtp_server.faults.drop_data = 1
    transport = SmtpTransport(smtp_server.settings())
    try:
        with pytest.raises(DeliveryError) as info:
            transport.send(new_message())
        assert not info.value.permanent and not info.value.quota
        assert info.value.code in ("smtp-disconnected", "network")
        transport.send(new_message())  # the next send opens a new connection by itself
    finally:
        transport.close()
    assert len(smtp_server.messages) == 1
    assert smtp_server.connections == 2


def test_connection_cut_while_the_message_is_streaming_is_transient(smtp_server, new_message):
    msg = new_message()
    msg.add_attachment(bytes(range(256)) * 2048, maintype="application", subtype="octet-stream")
    smtp_server.faults.cut_mid_data = 1
    transport = SmtpTransport(smtp_server.settings())
    try:
        with pytest.raises(DeliveryError) as info:
            transport.send(msg)
        assert not info.value.permanent and not info.value.quota
        assert info.value.code in ("smtp-disconnected", "network")
        assert smtp_server.messages == []
        transport.send(msg)
    finally:
        transport.close()
    assert len(smtp_server.messages) == 1


def test_drop_on_a_reused_connection_gets_one_fresh_attempt(smtp_server, new_message) -> None:
    transport = SmtpTransport(smtp_server.settings())
    try:
        transport.send(new_message(n=1))
        smtp_server.faults.drop_data = 2  # the retry on a new connection fails too
        with pytest.raises(DeliveryError) as info:
            transport.send(new_message(n=2))
    finally:
        transport.close()
    assert not info.value.permanent
    assert smtp_server.connections == 2 and len(smtp_server.messages) == 1


def test_server_slower_than_timeout_is_transient_and_bounded(smtp_server, new_message):
    smtp_server.faults.stall_data_s = 3.0
    transport = SmtpTransport(smtp_server.settings(timeout_s=0.5))
    started = time.monotonic()
    with pytest.raises(DeliveryError) as info:
        transport.send(new_message())
    elapsed = time.monotonic() - started
    transport.close()
    assert info.value.code == "timeout" and not info.value.permanent
    assert elapsed < 2.0


def test_timeout_on_a_reused_connection_is_not_waited_twice(smtp_server, new_message):
    transport = SmtpTransport(smtp_server.settings(timeout_s=0.5))
    transport.send(new_message(n=1))
    smtp_server.faults.stall_data_s = 3.0
    started = time.monotonic()
    with pytest.raises(DeliveryError) as info:
        transport.send(new_message(n=2))
    elapsed = time.monotonic() - started
    transport.close()
    assert info.value.code == "timeout"
    assert elapsed < 1.0


@pytest.mark.parametrize(
    "reply",
    [
        "550 5.4.5 Daily user sending quota exceeded.",
        "454 4.7.0 Too many login attempts, please try again later.",
        "421 4.7.0 Try again later, closing connection. (daily limit)",
    ],
)
def test_quota_answers_are_quota_not_permanent(smtp_server, new_message, reply) -> None:
    smtp_server.faults.quota_left = 0
    smtp_server.faults.quota_reply = reply
    transport = SmtpTransport(smtp_server.settings())
    with pytest.raises(DeliveryError) as info:
        transport.send(new_message())
    transport.close()
    assert info.value.quota and not info.value.permanent


def test_many_messages_share_one_connection(smtp_server, new_message) -> None:
    transport = SmtpTransport(smtp_server.settings())
    try:
        for n in range(20):
            transport.send(new_message(n=n))
    finally:
        transport.close()
    assert len(smtp_server.messages) == 20
    assert smtp_server.connections == 1


def test_reconnects_after_the_server_closes_the_connection(smtp_server, new_message) -> None:
    transport = SmtpTransport(smtp_server.settings())
    try:
        transport.send(new_message(n=1))
        smtp_server.drop_connections()
        time.sleep(0.05)
        transport.send(new_message(n=2))  # no error: the stale connection is replaced
        transport.send(new_message(n=3))
    finally:
        transport.close()
    assert [message_from_bytes(m.content)["Message-ID"] for m in smtp_server.messages] == [
        "<task-t1@lot.example>",
        "<task-t2@lot.example>",
        "<task-t3@lot.example>",
    ]
    assert smtp_server.connections == 2


def test_nobody_listening_is_transient(new_message) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        transport = SmtpTransport(SmtpSettings(host="127.0.0.1", port=port, security="none"))
        with pytest.raises(DeliveryError) as info:
            transport.send(new_message())
    assert info.value.code == "network" and not info.value.permanent


def test_password_never_reaches_the_log(make_smtp_server, tls, new_message, caplog) -> None:
    server = make_smtp_server("starttls")
    caplog.set_level(logging.DEBUG)
    transport = SmtpTransport(server.settings(), ssl_context=tls.client_context())
    transport.send(new_message())
    transport.close()
    bad = SmtpTransport(server.settings(password="Wr0ng-Secret"), ssl_context=tls.client_context())
    with pytest.raises(DeliveryError) as info:
        bad.send(new_message())
    assert "app-password-Zq9" not in caplog.text and "Wr0ng-Secret" not in caplog.text
    assert "Wr0ng-Secret" not in str(info.value) and "Wr0ng-Secret" not in repr(bad)
    assert "Wr0ng-Secret" not in repr(bad.settings)
