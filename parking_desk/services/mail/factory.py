"""The transport chain the settings describe, and whether it may carry this site's mail.

A fresh chain per call, because a transport keeps one SMTP connection and is not
thread-safe: each sending thread of the worker builds its own.

The outbox folder is the embedded install's default: a desk on its own SQLite file can be
tried without an SMTP account. On a shared store it would be a trap: bookings marked sent
while the e-mails pile up in a folder on one machine. So there it must be chosen by name
(``mail.transport = "outbox"``), and a worker without SMTP refuses to start instead.
"""

from __future__ import annotations

import ssl

from parking_desk.config import Settings
from parking_desk.errors import ConfigError
from parking_desk.services.mail.base import Transport
from parking_desk.services.mail.chain import ChainLink, ChainTransport, QuotaCounter
from parking_desk.services.mail.outbox import OutboxTransport
from parking_desk.services.mail.smtp import SmtpTransport

OUTBOX = "outbox"
# Stores where the outbox folder is a fine default: the embedded one only.
OUTBOX_BY_DEFAULT = ("sqlite",)


def uses_outbox(settings: Settings) -> bool:
    """True when mail goes to the outbox folder: chosen, or no SMTP server configured."""
    if settings.mail.transport == OUTBOX:
        return True
    return settings.smtp is None and settings.smtp_backup is None


def check_mail_route(settings: Settings, store_kind: str | None = None) -> None:
    """Raise ``ConfigError`` when this worker would put a shared store's mail in a local
    folder without anyone having chosen it."""
    kind = store_kind or settings.store.kind
    chosen = settings.mail.transport == OUTBOX
    if uses_outbox(settings) and not chosen and kind not in OUTBOX_BY_DEFAULT:
        raise ConfigError(
            f"no SMTP server configured for the {kind} store",
            code="error.mail_unconfigured",
            store=kind,
            folder=str(settings.mail.outbox_dir),
        )


def describe_route(settings: Settings) -> str:
    """Which transports will carry mail, in order, for ``doctor`` and the worker's log."""
    if uses_outbox(settings):
        chosen = "chosen" if settings.mail.transport == OUTBOX else "no SMTP configured"
        return f"outbox folder {settings.mail.outbox_dir} ({chosen}; nothing is sent)"
    parts = []
    for smtp in (settings.smtp, settings.smtp_backup):
        if smtp is not None:
            quota = f", {smtp.daily_quota} in 24 h" if smtp.daily_quota else ""
            parts.append(f"{smtp.name or smtp.host} ({smtp.host}:{smtp.port}{quota})")
    return " then ".join(parts)


def build_transport(
    settings: Settings,
    quota: QuotaCounter | None,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> Transport:
    """SMTP primary and backup when configured; otherwise (or when chosen) the outbox
    folder. *quota* counts the SMTP quotas shared with every desk and worker."""
    if uses_outbox(settings):
        return ChainTransport([ChainLink(OutboxTransport(settings.mail.outbox_dir))], quota)
    language = settings.desk.language or "ro"  # of the reasons a supervisor reads
    links: list[ChainLink] = []
    for smtp in (settings.smtp, settings.smtp_backup):
        if smtp is not None:
            transport = SmtpTransport(smtp, ssl_context=ssl_context, language=language)
            links.append(ChainLink(transport, smtp.daily_quota))
    return ChainTransport(links, quota)
