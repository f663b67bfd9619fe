"""SMTP delivery with one connection kept open across a drain.

Opening a connection costs a TCP handshake, TLS and AUTH: reusing it roughly doubles the
rate on loopback and matters far more against a remote relay. Servers close idle
connections whenever they like, so a send on a reused connection that finds it closed
reconnects once and tries again; a fresh connection that fails is reported, never retried
here (the worker's backoff owns retries). The password is only ever handed to ``login``.

An address that is not ASCII (``ană@exemplu.ro``) can only travel with SMTPUTF8 (RFC 6531).
A server that does not offer it gets no such message: the failure names why in the
installation's language, and the chain hands the message to a transport that may carry it.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage

from parking_desk.config import SmtpSettings
from parking_desk.messages import message as text
from parking_desk.services.mail.base import DeliveryError, SendResult
from parking_desk.services.mail.classify import classify_exception, timed_out
from parking_desk.services.mail.outgoing import OutgoingMail, outgoing

log = logging.getLogger(__name__)

_STALE = (smtplib.SMTPServerDisconnected, ConnectionResetError, BrokenPipeError)
NEEDS_SMTPUTF8 = "smtputf8-unsupported"


class _PartlyRefused(smtplib.SMTPRecipientsRefused):
    """Some recipients refused after the server accepted the message for the others."""


class SmtpTransport:
    def __init__(
        self,
        settings: SmtpSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
        language: str = "ro",
    ) -> None:
        self.settings = settings
        self.language = language  # of the reasons a supervisor reads on a failed task
        self.name = settings.name or f"smtp:{settings.host}"
        self._ssl_context = ssl_context
        self._local_hostname = local_hostname
        self._conn: smtplib.SMTP | None = None
        # Guards the open connection: close() may come from a shutdown thread while a send
        # runs, and one SMTP session must never carry two conversations at once.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        s = self.settings
        return f"SmtpTransport({self.name}, {s.host}:{s.port}, {s.security}, user={s.user!r})"

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        conn: smtplib.SMTP
        if s.security == "ssl":
            conn = smtplib.SMTP_SSL(
                s.host,
                s.port,
                local_hostname=self._local_hostname,
                timeout=s.timeout_s,
                context=self._context(),
            )
        else:
            conn = smtplib.SMTP(
                s.host, s.port, local_hostname=self._local_hostname, timeout=s.timeout_s
            )
        try:
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=self._context())
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password)
        except BaseException:
            _abandon(conn)
            raise
        log.debug("Connected to %s:%s (%s) as %r", s.host, s.port, s.security, s.user)
        return conn

    def send(self, message: OutgoingMail | EmailMessage) -> SendResult:
        mail = outgoing(message)
        if not mail.sender or not mail.recipients:
            raise DeliveryError(
                "invalid-address",
                "message without a sender or recipient",
                permanent=True,
                provider=self.name,
            )
        with self._lock:
            reused = self._conn is not None
            try:
                if self._conn is None:
                    self._conn = self._connect()
                try:
                    self._transmit(mail)
                except _STALE as exc:
                    if not reused or timed_out(exc):
                        raise  # a slow server is not a stale connection: never wait twice
                    log.info("%s closed the connection; reconnecting", self.name)
                    self._drop()
                    self._conn = self._connect()
                    self._transmit(mail)
            except smtplib.SMTPResponseException as exc:
                # The server answered: the session is still usable unless it said goodbye.
                if exc.smtp_code == 421 or isinstance(exc, smtplib.SMTPConnectError):
                    self._drop()
                raise classify_exception(exc, self.name) from None
            except smtplib.SMTPRecipientsRefused as exc:
                error = classify_exception(exc, self.name)
                error.sent = isinstance(exc, _PartlyRefused)
                raise error from None
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                raise classify_exception(exc, self.name) from None
            except UnicodeError:
                reason = text(
                    "mail.address_unencodable", self.language, address=", ".join(mail.recipients)
                )
                raise DeliveryError(
                    "invalid-address", reason, permanent=True, provider=self.name
                ) from None
        return SendResult(self.name, mail.message_id)

    def _transmit(self, mail: OutgoingMail) -> None:
        """``sendmail`` with the bytes as they are: ``send_message`` would serialise the
        message again and re-read its headers on every send."""
        conn = self._conn
        assert conn is not None
        options: tuple[str, ...] = ()
        if mail.smtputf8:
            conn.ehlo_or_helo_if_needed()
            if not conn.has_extn("smtputf8"):
                raise DeliveryError(
                    NEEDS_SMTPUTF8,
                    text(
                        "mail.needs_smtputf8",
                        self.language,
                        address=", ".join(
                            a for a in (mail.sender, *mail.recipients) if not a.isascii()
                        ),
                        server=self.settings.host,
                    ),
                    permanent=True,
                    unsupported=True,
                    provider=self.name,
                )
            options = ("SMTPUTF8", "BODY=8BITMIME") if conn.has_extn("8bitmime") else ("SMTPUTF8",)
        refused = conn.sendmail(mail.sender, list(mail.recipients), mail.data, options)
        if refused:
            # Some recipients accepted, some not: report the refusal; the message went out.
            raise _PartlyRefused(refused)

    def check(self) -> None:
        """Connect and log in on a separate connection, then leave."""
        try:
            conn = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise classify_exception(exc, self.name) from None
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            _abandon(conn)

    def _drop(self) -> None:
        if self._conn is not None:
            _abandon(self._conn)
            self._conn = None

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                _abandon(conn)


def _abandon(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        conn.close()
