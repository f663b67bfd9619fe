"""What a failed send means for the task: retry later, give up, or wait for the quota.

A wrong answer is costly both ways: calling a full mailbox permanent loses a client's
confirmation; calling an unknown recipient transient retries it for hours and hides it from
the supervisor. The rules follow RFC 5321 reply classes plus the answers Gmail and common
relays give when a daily sending limit is reached, which are 4xx or 5xx depending on the
provider but always mean "this transport, not this recipient, and not for today".
"""

from __future__ import annotations

import re
import smtplib
import ssl

from parking_desk.services.mail.base import DeliveryError

MESSAGE_LIMIT = 300

# Replies that name a spent sending quota (Gmail, Google Workspace, common relays). Plain
# rate limiting is not among them: the worker parks quota failures until the next UTC day.
_QUOTA_TEXT = re.compile(
    r"daily (user )?sending (quota|limit)|sending (quota|limit) exceeded|quota exceeded|"
    r"daily (message |sending )?limit",
    re.IGNORECASE,
)


def _text(reply: bytes | str | None) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join((reply or "").split())[:MESSAGE_LIMIT]


def is_quota_reply(code: int, text: str) -> bool:
    """Gmail: ``550 5.4.5`` daily sending quota, ``454 4.7.0`` too many logins/sends; a
    ``421 4.7.0`` only when it speaks of a limit (it also means "try later" in general)."""
    if code == 550 and "5.4.5" in text:
        return True
    if code == 454 and "4.7.0" in text:
        return True
    return code >= 400 and bool(_QUOTA_TEXT.search(text))


def classify_reply(
    code: int, reply: bytes | str | None, provider: str, *, stage: str = "rcpt"
) -> DeliveryError:
    """Classify an SMTP reply. *stage* is where it came: "connect", "auth", "mail" (sender),
    "rcpt" (recipient) or "data"; only recipient and data refusals can be permanent, since a
    refused login or sender is this transport's problem and another transport may succeed."""
    text = _text(reply)
    label = f"smtp-{code}"
    if is_quota_reply(code, text):
        return DeliveryError(label, text or "quota exceeded", quota=True, provider=provider)
    permanent = 500 <= code < 600 and stage in ("rcpt", "data")
    return DeliveryError(label, text or f"reply {code}", permanent=permanent, provider=provider)


def timed_out(exc: BaseException) -> bool:
    """smtplib reports a read timeout as "Connection unexpectedly closed: timed out"."""
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def classify_exception(exc: BaseException, provider: str) -> DeliveryError:
    """Turn anything smtplib, ssl or the socket raised into a ``DeliveryError``."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (451, b"recipient refused"))
        return classify_reply(code, reply, provider, stage="rcpt")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return classify_reply(exc.smtp_code, exc.smtp_error, provider, stage="mail")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        error = classify_reply(exc.smtp_code, exc.smtp_error, provider, stage="auth")
        if not error.quota:
            error.code = "smtp-auth"
            error.message = f"login refused ({exc.smtp_code}): {error.message}"
        return error
    if isinstance(exc, smtplib.SMTPDataError):
        return classify_reply(exc.smtp_code, exc.smtp_error, provider, stage="data")
    if isinstance(exc, smtplib.SMTPConnectError):
        return classify_reply(exc.smtp_code, exc.smtp_error, provider, stage="connect")
    if isinstance(exc, smtplib.SMTPResponseException):
        return classify_reply(exc.smtp_code, exc.smtp_error, provider, stage="connect")
    if timed_out(exc):
        return DeliveryError("timeout", _text(str(exc)) or "timed out", provider=provider)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError("smtp-disconnected", _text(str(exc)), provider=provider)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError("smtp-unsupported", _text(str(exc)), provider=provider)
    if isinstance(exc, ssl.SSLError):
        return DeliveryError("tls", _text(str(exc)), provider=provider)
    if isinstance(exc, (ConnectionError, OSError, smtplib.SMTPException)):
        return DeliveryError("network", _text(f"{type(exc).__name__}: {exc}"), provider=provider)
    raise TypeError(f"not a delivery failure: {exc!r}")
