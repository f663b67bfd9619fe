"""Alerts: a signed JSON POST when a task goes ``dead`` (or ``bounced``), kept until delivered.

Why kept in the store and not posted from memory: an alert matters most when things go
wrong, which is also when a receiver is down or the process is being restarted. So the
drain only hands the alert over (no network, no store call on its thread); the notifier's
own thread writes it to ``alerts/{id}`` first and posts it from there, retrying on the
task retry schedule until a receiver answers 2xx. Whatever is not delivered at exit stays
in the store, and the next start of this or any other worker on the site posts it. A claim
is a lease on the alert, so two workers never post the same one at once; a worker that
dies mid-post leaves a lease that runs out. Delivery is at least once: receivers fold
duplicates by ``id`` (also in ``X-Parking-Desk-Delivery``).

Why an allowlist: a chat channel or a ticket system is not the place for a client's personal
data. The body carries the event, ids, the error's code and class and counts, built field
by field; nothing free-form. An SMTP reply text can quote the recipient's address, so it is
never sent (its code is).

Signature, Stripe's scheme: ``X-Parking-Desk-Signature: t=<unix>,v1=<hex>`` where the hex is
HMAC-SHA256 of ``f"{t}.{body}"`` with the shared secret. Signing the timestamp with the body
lets a receiver refuse an old request replayed with a new timestamp; ``verify`` is that
check, here so receivers and tests agree on one definition.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from parking_desk.config import Settings
from parking_desk.retry import RetryPolicy
from parking_desk.services.mail.classify import is_quota_reply
from parking_desk.services.store.alerts import Alert, AlertQueue
from parking_desk.services.worker import DrainWorker
from parking_desk.services.worker_events import TaskDead, WorkerEvent
from parking_desk.task import LastError
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Parking-Desk-Signature"
EVENT_HEADER = "X-Parking-Desk-Event"
DELIVERY_HEADER = "X-Parking-Desk-Delivery"
TOLERANCE_S = 300

# Worker events that raise an alert, by class name. ``TaskBounced`` does not exist yet: the
# bounce reader will emit it with ``task_id``, ``booking_number``, ``error`` and ``attempts``
# like ``TaskDead``, and it is alerted as ``task.bounced`` with no change here.
EVENTS = {"TaskDead": "task.dead", "TaskBounced": "task.bounced"}

# What an id, a booking number or an error code may look like in an alert; anything else
# (the website may write any string) is left out rather than passed through.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_SMTP_CODE = re.compile(r"smtp-(\d{3})")
SITE_LIMIT = 80

DELIVERED_KEPT = timedelta(days=7)
PURGE_EVERY_S = 24 * 3600.0
POLL_S = 30.0
MIN_DELAY = timedelta(seconds=1)


# --- signature ---------------------------------------------------------------------------
def _digest(secret: str, t: int, body: bytes) -> str:
    signed = str(t).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, *, t: int | None = None) -> str:
    """The ``X-Parking-Desk-Signature`` value for *body* sent at unix time *t* (now)."""
    t = int(time.time()) if t is None else int(t)
    return f"t={t},v1={_digest(secret, t, body)}"


def verify(
    body: bytes,
    header: str | None,
    secret: str,
    tolerance_s: float = TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """The receiver's check: True only for a signature of *body* at a timestamp within
    *tolerance_s* of *now* (unix seconds). A missing part, an unreadable timestamp, a
    signature over another body or timestamp, or a request older (or further in the future)
    than the window is refused. Several ``v1`` entries are allowed (a secret being rotated)."""
    if not secret or not header:
        return False
    t: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            t = int(value)
        elif key == "v1" and value:
            candidates.append(value.strip())
    if t is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - t) > tolerance_s:
        return False
    expected = _digest(secret, t, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)


# --- payload -----------------------------------------------------------------------------
def _token(value: Any) -> str | None:
    text = str(value) if value is not None else ""
    return text if _TOKEN.fullmatch(text) else None


def error_class(error: LastError | None) -> str:
    """``permanent``, ``quota`` (the transport's day is spent) or ``transient``."""
    if error is None:
        return "unknown"
    if error.permanent:
        return "permanent"
    found = _SMTP_CODE.fullmatch(error.code or "")
    if found and is_quota_reply(int(found.group(1)), error.message or ""):
        return "quota"
    return "transient"


def alert_payload(event: object, *, alert_id: str, site: str = "") -> dict[str, Any] | None:
    """The alert for a worker *event*, field by field from the allowlist; None for events
    that raise no alert. The error's message is read only to tell its class, never sent."""
    name = EVENTS.get(type(event).__name__)
    if name is None:
        return None
    error = getattr(event, "error", None)
    error = error if isinstance(error, LastError) else None
    at = getattr(event, "at", None)
    attempts = getattr(event, "attempts", None)
    return {
        "id": alert_id,
        "event": name,
        "taskId": _token(getattr(event, "task_id", None)),
        "bookingNumber": _token(getattr(event, "booking_number", None)),
        "error": {
            "code": _token(error.code) if error else None,
            "class": error_class(error),
        },
        "attempts": attempts if isinstance(attempts, int) and attempts >= 0 else None,
        "site": " ".join(str(site or "").split())[:SITE_LIMIT],
        "at": at.isoformat(timespec="seconds") if isinstance(at, datetime) else None,
    }


def dead_task_body(event: TaskDead, *, site: str = "") -> dict[str, Any]:
    payload = alert_payload(event, alert_id=uuid.uuid4().hex, site=site)
    assert payload is not None
    return payload


def encode(payload: dict[str, Any]) -> str:
    """The body text, posted and signed byte for byte as stored."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":"))


# --- delivery ----------------------------------------------------------------------------
class WebhookNotifier:
    """Alerts for a ``DrainWorker``: subscribe ``on_event``, ``start()`` the delivery thread,
    ``close()`` with the worker. ``deliver_due()`` runs one delivery pass on the caller's
    thread (tests, and ``close()``'s last pass)."""

    def __init__(
        self,
        url: str,
        secret: str,
        alerts: AlertQueue,
        *,
        owner: str = "",
        site: str = "",
        policy: RetryPolicy | None = None,
        lease_s: float = 120.0,
        timeout_s: float = 5.0,
        poll_s: float = POLL_S,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.url = url
        self._secret = secret
        self._alerts = alerts
        self.owner = owner or f"webhook-{uuid.uuid4().hex[:8]}"
        self._site = site
        self._policy = policy or RetryPolicy()
        self._lease = timedelta(seconds=max(lease_s, 4 * timeout_s))
        self._timeout = timeout_s
        self._poll_s = poll_s
        self._clock = clock
        # Protects _inbox: alerts handed over by the drain's threads, not yet in the store.
        self._inbox_lock = threading.Lock()
        self._inbox: list[tuple[str, str, str]] = []
        # One delivery pass at a time in this process (the thread's, or close()'s last one).
        self._pass_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged_at = float("-inf")
        self.sent = 0
        self.failed = 0

    # --- handing over ----------------------------------------------------------------------
    def on_event(self, event: WorkerEvent | object) -> None:
        """On a drain thread: take the alert in memory and wake the delivery thread."""
        alert_id = uuid.uuid4().hex
        payload = alert_payload(event, alert_id=alert_id, site=self._site)
        if payload is None:
            return
        with self._inbox_lock:
            self._inbox.append((alert_id, str(payload["event"]), encode(payload)))
        self._wake.set()

    def record_handed_over(self) -> int:
        """Write the handed-over alerts to the store; those it refuses stay for next time."""
        with self._inbox_lock:
            waiting, self._inbox = self._inbox, []
        kept = 0
        for i, (alert_id, event, body) in enumerate(waiting):
            try:
                self._alerts.add(alert_id, event, body, now=self._clock())
            except Exception as exc:
                log.warning("Alert %s not recorded yet (%s); will try again", alert_id, exc)
                with self._inbox_lock:
                    self._inbox[:0] = waiting[i:]
                break
            kept += 1
        return kept

    # --- delivering ------------------------------------------------------------------------
    def deliver_due(self, now: datetime | None = None, *, deadline: float | None = None) -> int:
        """Record what was handed over, then post every alert due at *now*, one claim at a
        time (so a stop leaves at most the alert in flight leased). A failed alert's next
        try is after *now*, so a pass tries each alert once. Returns how many it delivered."""
        with self._pass_lock:
            self.record_handed_over()
            at = now or self._clock()
            delivered = 0
            while deadline is None or time.monotonic() < deadline:
                if deadline is None and self._stop.is_set():
                    break  # stopping: close() makes the last pass, within its bound
                claimed = self._alerts.claim_due(self.owner, now=at, lease=self._lease, limit=1)
                if not claimed:
                    break
                alert = claimed[0]
                timeout = self._timeout
                if deadline is not None:
                    timeout = max(0.1, min(timeout, deadline - time.monotonic()))
                error = self._post(alert, timeout)
                if self._settle(alert, error, now or self._clock()) and error is None:
                    delivered += 1
            return delivered

    def _settle(self, alert: Alert, error: str | None, at: datetime) -> bool:
        if error is None:
            return self._alerts.delivered(alert.id, self.owner, now=at)
        attempt = alert.attempts + 1
        next_at = at + max(self._policy.delay(attempt), MIN_DELAY)
        log.warning(
            "Webhook alert %s (%s) not delivered, try %d: %s; next try at %s",
            alert.id,
            alert.event,
            attempt,
            error,
            next_at.isoformat(timespec="seconds"),
        )
        return self._alerts.failed(alert.id, self.owner, error, next_attempt_at=next_at)

    def _post(self, alert: Alert, timeout: float) -> str | None:
        """Post *alert*; None when the receiver took it, else why not (no personal data:
        an HTTP status or the network's reason)."""
        body = alert.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "parking-desk-webhook/2",
            EVENT_HEADER: alert.event,
            DELIVERY_HEADER: alert.id,
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(body, self._secret)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            self.failed += 1
            return f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            self.failed += 1
            return str(getattr(exc, "reason", exc)) or type(exc).__name__
        self.sent += 1
        log.info("Webhook alert %s (%s) delivered", alert.id, alert.event)
        return None

    # --- the thread ------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="webhook", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.deliver_due()
                self._purge()
            except Exception as exc:  # the store is away: alerts wait in it (or in memory)
                log.warning("Webhook delivery pass failed: %s", exc)
            self._wake.wait(self._poll_s)

    def _purge(self) -> None:
        if time.monotonic() - self._purged_at < PURGE_EVERY_S:
            return
        self._purged_at = time.monotonic()
        purged = self._alerts.purge_delivered(self._clock() - DELIVERED_KEPT)
        if purged:
            log.info("Purged %d delivered alert(s)", purged)

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop the thread; record what is still in memory and post what is due within
        *timeout_s*. The rest stays in the store for the next start or another worker."""
        deadline = time.monotonic() + timeout_s
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread is None or not self._thread.is_alive():
            try:
                self.deliver_due(deadline=deadline)
            except Exception as exc:
                log.warning("Last webhook delivery pass failed: %s", exc)
        with self._inbox_lock:
            lost = len(self._inbox)
        if lost:
            log.error("%d alert(s) could not be recorded before shutdown", lost)
        try:
            owed = len(self._alerts.undelivered())
        except Exception:
            owed = 0
        if owed:
            log.warning("%d webhook alert(s) kept in the store for the next start", owed)


def attach_webhook(
    settings: Settings, store: object, worker: DrainWorker, *, start: bool = True
) -> WebhookNotifier | None:
    """Subscribe a notifier for *settings*' webhook to *worker* (closed with it), posting
    from *store*'s ``alerts``; None when no webhook is configured."""
    if not settings.webhook.url:
        return None
    alerts = getattr(store, "alerts", None)
    if alerts is None:
        log.error("This store keeps no alerts; the webhook is off")
        return None
    worker_settings = settings.worker
    notifier = WebhookNotifier(
        settings.webhook.url,
        settings.webhook.secret,
        alerts,
        owner=worker.worker_id,
        site=settings.desk.site_name or settings.mail.site_name,
        policy=RetryPolicy(
            base_seconds=worker_settings.retry_base_s, cap_seconds=worker_settings.retry_cap_s
        ),
        lease_s=worker_settings.lease_s,
    )
    worker.subscribe(notifier.on_event)
    worker.on_close(lambda: notifier.close(worker_settings.shutdown_grace_s))
    if start:
        notifier.start()
    return notifier
