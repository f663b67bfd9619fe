"""Classification of what smtplib raises, with the replies real servers give."""

from __future__ import annotations

import smtplib
import socket
import ssl

import pytest

from parking_desk.services.mail.classify import classify_exception, classify_reply


@pytest.mark.parametrize(
    ("code", "reply", "stage", "permanent", "quota"),
    [
        (550, "5.1.1 The email account that you tried to reach does not exist.", "rcpt", 1, 0),
        (553, "5.1.3 Invalid recipient address", "rcpt", 1, 0),
        (552, "5.2.2 Mailbox full", "data", 1, 0),
        (452, "4.2.2 Mailbox full, try later", "rcpt", 0, 0),
        (451, "4.3.0 Temporary local problem", "data", 0, 0),
        (421, "4.7.0 Try again later, closing connection.", "connect", 0, 0),
        (451, "4.7.1 Rate limited, slow down", "rcpt", 0, 0),
        (550, "5.4.5 Daily user sending limit exceeded.", "mail", 0, 1),
        (454, "4.7.0 Too many login attempts, please try again later.", "auth", 0, 1),
        (421, "4.7.0 Daily sending quota exceeded", "connect", 0, 1),
        (550, "5.7.1 Sender not allowed", "mail", 0, 0),  # the transport's problem
        (535, "5.7.8 Username and Password not accepted.", "auth", 0, 0),
    ],
)
def test_reply_classes(code, reply, stage, permanent, quota) -> None:
    error = classify_reply(code, reply.encode(), "smtp:test", stage=stage)
    assert (error.permanent, error.quota) == (bool(permanent), bool(quota))
    assert error.code == f"smtp-{code}" and error.provider == "smtp:test"
    assert reply in error.message


def test_exceptions_from_smtplib_and_the_network() -> None:
    refused = smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"5.1.1 no such user")})
    assert classify_exception(refused, "p").permanent
    auth = smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials")
    error = classify_exception(auth, "p")
    assert error.code == "smtp-auth" and not error.permanent
    try:
        try:
            raise TimeoutError("timed out")
        except TimeoutError as exc:
            raise smtplib.SMTPServerDisconnected(
                "Connection unexpectedly closed: timed out"
            ) from exc
    except smtplib.SMTPServerDisconnected as exc:
        assert classify_exception(exc, "p").code == "timeout"
    assert classify_exception(smtplib.SMTPServerDisconnected("gone"), "p").code == (
        "smtp-disconnected"
    )
    assert classify_exception(ConnectionRefusedError(111, "refused"), "p").code == "network"
    assert classify_exception(socket.gaierror(-2, "Name not known"), "p").code == "network"
    assert classify_exception(ssl.SSLCertVerificationError("bad cert"), "p").code == "tls"
    for exc in (ConnectionRefusedError(), socket.gaierror(), ssl.SSLError()):
        assert not classify_exception(exc, "p").permanent


def test_a_programming_error_is_not_disguised_as_a_delivery_failure() -> None:
    with pytest.raises(TypeError):
        classify_exception(KeyError("oops"), "p")
