"""The transport chain the settings describe.

A fresh chain per call, because a transport keeps one SMTP connection and is not
thread-safe: each sending thread of the worker builds its own.
"""

from __future__ import annotations

import ssl

from parking_desk.config import Settings
from parking_desk.services.mail.base import Transport
from parking_desk.services.mail.chain import ChainLink, ChainTransport, QuotaCounter
from parking_desk.services.mail.outbox import OutboxTransport
from parking_desk.services.mail.smtp import SmtpTransport


def build_transport(
    settings: Settings,
    quota: QuotaCounter | None,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> Transport:
    """SMTP primary and backup when configured; otherwise the outbox folder."""
    language = settings.desk.language or "ro"  # of the reasons a supervisor reads
    links: list[ChainLink] = []
    for smtp in (settings.smtp, settings.smtp_backup):
        if smtp is not None:
            transport = SmtpTransport(smtp, ssl_context=ssl_context, language=language)
            links.append(ChainLink(transport, smtp.daily_quota))
    if not links:
        links.append(ChainLink(OutboxTransport(settings.mail.outbox_dir)))
    return ChainTransport(links, quota)
