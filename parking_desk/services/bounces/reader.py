"""The bounce reader: a scheduler job of the engine (desk and ``parking-desk worker``) that
reads the sending mailbox over IMAP and settles every bounce with its task.

One pass: log in, open the mailbox, list the messages above the store's cursor for this
mailbox and UIDVALIDITY, and take them one by one. Each is claimed in the store first
(``BounceLedger.claim``), so of several workers reading the same mailbox only one handles
a message; it is read without setting ``\\Seen``, recognised (``parse``), matched to its
task by the original ``Message-ID`` and the recipient, and settled: a permanent bounce
moves the task to ``bounced`` and suppresses the address, a delay notice is noted in the
task's history. A handled bounce is flagged (or moved to a folder) so that no reader, nor a
person, takes it for new; auto-replies and messages nobody can match are left as they are
and counted. The cursor then moves past every message settled, by whoever settled it.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from imapclient import IMAPClient

from parking_desk.bounce import Bounce
from parking_desk.config import ImapSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.bounces.parse import Kind, read_message
from parking_desk.services.store.bounces import BUSY, CLAIMED, DONE, BounceLedger
from parking_desk.services.worker_events import TaskBounced, WorkerEvent
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)
BATCH = 200  # messages per pass: a first pass over a full inbox must not outlive its lease

BOUNCED, DELAYED, STALE = "bounced", "delayed", "stale"
AUTO_REPLY, UNMATCHED, OTHER, MALFORMED = "auto_reply", "unmatched", "other", "malformed"


@dataclass
class ReadReport:
    """What one pass found, message by message (a message counts once, under its outcome);
    ``busy`` are messages another reader held."""

    bounced: int = 0
    delayed: int = 0
    stale: int = 0  # a bounce of a task that has changed since (fixed, retried, bounced)
    auto_replies: int = 0
    unmatched: int = 0
    other: int = 0
    malformed: int = 0
    busy: int = 0
    seen: int = 0
    bounced_tasks: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        name = {AUTO_REPLY: "auto_replies"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)


def connect(settings: ImapSettings, ssl_context: ssl.SSLContext | None = None) -> IMAPClient:
    """Logged in to the mailbox's server; raises ``imaplib``'s / ``OSError``'s errors."""
    context = ssl_context or ssl.create_default_context()
    client = IMAPClient(
        settings.host,
        port=settings.port,
        ssl=settings.security == "ssl",
        ssl_context=context if settings.security == "ssl" else None,
        timeout=settings.timeout_s,
    )
    try:
        if settings.security == "starttls":
            client.starttls(context)
        client.login(settings.user, settings.password)
    except Exception:
        _quietly(client.logout)
        raise
    return client


def check_login(settings: ImapSettings, ssl_context: ssl.SSLContext | None = None) -> str:
    """``doctor``'s check: log in, open the mailbox, leave. What it saw, as a line."""
    client = connect(settings, ssl_context)
    try:
        info = client.select_folder(settings.mailbox, readonly=True)
        count = int(info.get(b"EXISTS", 0))
    finally:
        _quietly(client.logout)
    return f"{settings.user}@{settings.host}:{settings.port} {settings.mailbox}: {count} message(s)"


def _quietly(call: Callable[[], Any]) -> None:
    try:
        call()
    except Exception:
        log.debug("IMAP logout failed", exc_info=True)


class BounceReader:
    """Reads *settings*' mailbox into *ledger*; *publish* hears each ``TaskBounced`` (the
    worker's listeners: the webhook, the desk's bridge)."""

    def __init__(
        self,
        settings: ImapSettings,
        ledger: BounceLedger,
        owner: str,
        publish: Callable[[WorkerEvent], None] | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        lease: timedelta = CLAIM_LEASE,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self._ledger = ledger
        self.owner = owner
        self._publish = publish
        self._ssl_context = ssl_context
        self._lease = lease
        self._clock = clock

    def read_once(self) -> ReadReport:
        """One pass over the messages above the cursor. IMAP and store errors are raised
        (the job logs them; nothing is half-settled: an unfinished claim runs out)."""
        report = ReadReport()
        client = connect(self.settings, self._ssl_context)
        try:
            info = client.select_folder(self.settings.mailbox)
            validity = int(info.get(b"UIDVALIDITY", 0))
            mailbox = (
                f"{self.settings.user}@{self.settings.host}:{self.settings.port}/"
                f"{self.settings.mailbox}/{validity}"
            )
            last = self._ledger.cursor(mailbox)
            uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)[:BATCH]
            settled_to = last
            blocked = False
            for uid in uids:
                report.seen += 1
                state = self._ledger.claim(
                    mailbox, uid, self.owner, lease=self._lease, now=self._clock()
                )
                if state == CLAIMED:
                    self._settle(client, mailbox, uid, report)
                elif state == BUSY:
                    report.busy += 1
                    blocked = True
                if state in (CLAIMED, DONE) and not blocked:
                    settled_to = uid
            if settled_to > last:
                self._ledger.advance(mailbox, settled_to, now=self._clock())
        finally:
            _quietly(client.logout)
        if report.seen:
            log.info(
                "Bounces: %d bounced, %d delayed, %d stale, %d auto-replies, %d unmatched, "
                "%d other, %d malformed (%d busy elsewhere)",
                report.bounced,
                report.delayed,
                report.stale,
                report.auto_replies,
                report.unmatched,
                report.other,
                report.malformed,
                report.busy,
            )
        return report

    # --- one message -------------------------------------------------------------------
    def _settle(self, client: IMAPClient, mailbox: str, uid: int, report: ReadReport) -> None:
        fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
        raw = fetched.get(b"BODY[]")
        outcome = self._outcome(raw, report) if isinstance(raw, bytes) else MALFORMED
        if outcome in (BOUNCED, DELAYED, STALE):
            self._mark(client, uid)
        report.count(outcome)
        self._ledger.finish(mailbox, uid, self.owner, outcome, now=self._clock())

    def _outcome(self, raw: bytes, report: ReadReport) -> str:
        try:
            reading = read_message(raw)
        except Exception:
            log.warning("A message in the mailbox cannot be read", exc_info=True)
            return MALFORMED
        if reading.kind == Kind.AUTO_REPLY:
            return AUTO_REPLY
        if reading.kind == Kind.OTHER:
            return OTHER
        outcomes = [self._one(b, report) for b in reading.bounces]
        for wanted in (BOUNCED, DELAYED, STALE):
            if wanted in outcomes:
                return wanted
        return UNMATCHED

    def _one(self, bounce: Bounce, report: ReadReport) -> str:
        if not bounce.message_id:
            return UNMATCHED
        task = self._ledger.find_task(bounce.message_id)
        if task is None:
            return UNMATCHED
        now = self._clock()
        if not bounce.permanent:
            return (
                DELAYED
                if self._ledger.record_delay(task.id, bounce, self.owner, now=now)
                else STALE
            )
        changed = self._ledger.record_bounce(task.id, bounce, self.owner, now=now)
        if changed is None:
            return STALE
        log.warning(
            "Task %s for booking %s bounced: %s", changed.id, changed.booking_number, bounce.reason
        )
        report.bounced_tasks.append(changed.id)
        if self._publish is not None and changed.last_error is not None:
            event = TaskBounced(
                changed.id, changed.booking_number, changed.last_error, changed.attempts, now
            )
            try:
                self._publish(event)
            except Exception:
                log.exception("A bounce listener failed")
        return BOUNCED

    def _mark(self, client: IMAPClient, uid: int) -> None:
        """Handled: flagged, or moved to the folder (created on first use)."""
        s = self.settings
        try:
            if s.handled == "move" and s.folder:
                if not client.folder_exists(s.folder):
                    client.create_folder(s.folder)
                client.move([uid], s.folder)
            else:
                client.add_flags([uid], [s.flag.encode("ascii", "replace")], silent=True)
        except StoreUnavailable:
            raise
        except Exception as exc:  # the claim in the store still says it is handled
            log.warning("Bounce %s not marked in the mailbox: %s", uid, exc)
