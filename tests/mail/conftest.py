"""A real SMTP server (aiosmtpd on 127.0.0.1) that can be told to misbehave.

``make_smtp_server(...)`` starts one; its ``faults`` say what goes wrong next: temporary
refusals, unknown recipients, a connection cut after the message was sent, a reply slower
than the client's timeout, a daily quota. TLS uses a certificate made here for 127.0.0.1,
so the client trusts it through ``tls.client_context`` and nothing is ever unverified.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from parking_desk.config import SmtpSettings

USER, PASSWORD = "desk@lot.example", "app-password-Zq9"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Faults:
    """What the server does wrong; counters count down as faults are served."""

    tempfail_data: int = 0  # answer "451 4.3.0" to the next N messages
    refuse: set[str] = field(default_factory=set)  # recipients answered "550 5.1.1"
    drop_data: int = 0  # cut the connection after the next N messages, before replying
    cut_mid_data: int = 0  # cut the next N connections while the message is still arriving
    stall_data_s: float = 0.0  # wait this long before answering DATA
    quota_left: int | None = None  # accept this many more messages, then refuse MAIL FROM
    quota_reply: str = "550 5.4.5 Daily user sending quota exceeded."


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


class FaultyHandler:
    def __init__(self) -> None:
        self.faults = Faults()
        self.messages: list[Received] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        f = self.faults
        if f.quota_left is not None:
            if f.quota_left <= 0:
                return f.quota_reply
            f.quota_left -= 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.faults.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        f = self.faults
        if f.stall_data_s:
            await asyncio.sleep(f.stall_data_s)
        if f.tempfail_data > 0:
            f.tempfail_data -= 1
            return "451 4.3.0 Temporary failure, please try again later"
        if f.drop_data > 0:
            f.drop_data -= 1
            server.transport.abort()
            return "451 4.3.0 never seen by the client"
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 2.0.0 OK queued"


class CuttingSMTP(SMTP):
    """Can hang up after the first line of a message, with the rest still on its way."""

    async def smtp_DATA(self, arg: str) -> None:
        faults: Faults = self.event_handler.faults
        if faults.cut_mid_data <= 0 or not self.envelope.rcpt_tos:
            return await super().smtp_DATA(arg)
        faults.cut_mid_data -= 1
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        await self._reader.readline()
        self.transport.abort()
        return None


class TrackingController(Controller):
    """Remembers each connection's server session so a test can count or cut them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        smtp = CuttingSMTP(self.handler, **self.SMTP_kwargs)
        self.sessions.append(smtp)
        return smtp


class MailServer:
    def __init__(self, controller: TrackingController, handler: FaultyHandler, security: str):
        self.controller = controller
        self.handler = handler
        self.security = security
        self.host = "127.0.0.1"
        self.port = controller.port

    @property
    def faults(self) -> Faults:
        return self.handler.faults

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    @property
    def connections(self) -> int:
        return len(self.controller.sessions)

    def drop_connections(self) -> None:
        """Close every open session from the server's side, as an idle timeout would."""
        done = asyncio.run_coroutine_threadsafe(self._close_all(), self.controller.loop)
        done.result(timeout=5)

    async def _close_all(self) -> None:
        for session in self.controller.sessions:
            if session.transport is not None and not session.transport.is_closing():
                session.transport.close()

    def settings(self, **overrides: Any) -> SmtpSettings:
        values: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "timeout_s": 5.0,
            "name": f"smtp:{self.host}:{self.port}",
        }
        if self.security != "none":
            values.update(user=USER, password=PASSWORD)
        values.update(overrides)
        return SmtpSettings(**values)


@dataclass
class TlsMaterial:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    """A self-signed certificate for 127.0.0.1 and localhost, made fresh for the run."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    material = TlsMaterial(folder / "cert.pem", folder / "key.pem")
    material.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    material.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return material


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def make_smtp_server(tls: TlsMaterial) -> Iterator[Callable[..., MailServer]]:
    """``make_smtp_server(security="none"|"starttls"|"ssl", smtputf8=False)``; STARTTLS and
    SSL demand AUTH."""
    started: list[TrackingController] = []

    def make(security: str = "none", smtputf8: bool = False) -> MailServer:
        handler = FaultyHandler()
        kwargs: dict[str, Any] = {"server_hostname": "mail.test", "ready_timeout": 5.0}
        kwargs["enable_SMTPUTF8"] = smtputf8  # internationalised addresses (RFC 6531)
        if security == "starttls":
            kwargs.update(
                tls_context=tls.server_context(),
                require_starttls=True,
                auth_required=True,
                authenticator=_authenticator,
            )
        elif security == "ssl":
            kwargs.update(
                ssl_context=tls.server_context(),
                auth_required=True,
                auth_require_tls=False,  # the whole session is TLS already
                authenticator=_authenticator,
            )
        controller = TrackingController(handler, hostname="127.0.0.1", port=_free_port(), **kwargs)
        controller.start()
        controller.sessions.clear()  # forget the controller's own start-up probe
        started.append(controller)
        return MailServer(controller, handler, security)

    yield make
    for controller in started:
        controller.stop()


@pytest.fixture
def smtp_server(make_smtp_server: Callable[..., MailServer]) -> MailServer:
    return make_smtp_server("none")


@pytest.fixture
def new_message() -> Callable[..., EmailMessage]:
    """``new_message(to=..., n=...)``: a small message with a Message-ID of its own."""

    def make(to: str = "client@example.com", n: int = 1) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = "Parking Desk <desk@lot.example>"
        msg["To"] = to
        msg["Subject"] = f"Confirmare rezervare #{867000 + n}"
        msg["Message-ID"] = f"<task-t{n}@lot.example>"
        msg.set_content(f"Rezervarea #{867000 + n} este confirmată.\n")
        return msg

    return make
