"""Dead-letter alerts: a signed JSON POST when a task goes ``dead``.

Best effort by design: the alert goes out on its own small executor with a short timeout, so
a slow or broken receiver never holds up a send. The body names the task and the booking
number but no e-mail address or name (a chat channel or ticket system is not the place for
a client's personal data); addresses inside SMTP error texts are masked too. The receiver
checks ``X-Parking-Desk-Signature`` (HMAC-SHA256 of the exact body bytes with the shared
secret) and may refuse stale ``X-Parking-Desk-Timestamp`` values.
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
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from parking_desk.services.worker_events import TaskDead, WorkerEvent

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Parking-Desk-Signature"
TIMESTAMP_HEADER = "X-Parking-Desk-Timestamp"
EVENT_HEADER = "X-Parking-Desk-Event"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does; here so tests and receivers agree on one definition."""
    return hmac.compare_digest(sign(body, secret), header or "")


def mask_addresses(text: str) -> str:
    return _EMAIL.sub("<address>", text or "")


def dead_task_body(event: TaskDead) -> dict[str, Any]:
    return {
        "event": "task.dead",
        "taskId": event.task_id,
        "bookingNumber": event.booking_number,
        "error": {
            "code": event.error.code,
            "message": mask_addresses(event.error.message),
            "permanent": event.error.permanent,
        },
        "attempts": event.attempts,
        "at": event.at.isoformat(timespec="seconds"),
    }


class WebhookNotifier:
    """Posts ``TaskDead`` events; subscribe ``notifier.on_event`` to a ``DrainWorker``."""

    def __init__(self, url: str, secret: str = "", *, timeout_s: float = 5.0) -> None:
        self.url = url
        self._secret = secret
        self._timeout = timeout_s
        # Alert posts only, two at a time: a burst of dead tasks queues here, not in the drain.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="webhook")
        # Protects the set of alerts not yet finished, which close() waits for.
        self._lock = threading.Lock()
        self._pending: set[Future[bool]] = set()
        self.sent = 0
        self.failed = 0

    def on_event(self, event: WorkerEvent) -> None:
        if isinstance(event, TaskDead):
            self.post(dead_task_body(event))

    def post(self, payload: dict[str, Any]) -> Future[bool]:
        future = self._pool.submit(self._post, payload)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[bool]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _post(self, payload: dict[str, Any]) -> bool:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "parking-desk-webhook/1",
            EVENT_HEADER: str(payload.get("event", "")),
            TIMESTAMP_HEADER: str(int(time.time())),
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(body, self._secret)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            log.warning("Webhook for task %s refused: HTTP %s", payload.get("taskId"), exc.code)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            log.warning("Webhook for task %s not delivered: %s", payload.get("taskId"), reason)
        else:
            self.sent += 1
            log.info("Dead-letter webhook sent for task %s", payload.get("taskId"))
            return True
        self.failed += 1
        return False

    def close(self, timeout_s: float = 10.0) -> None:
        """Give alerts already queued up to *timeout_s* to go out, then drop the rest."""
        with self._lock:
            pending = set(self._pending)
        _done, late = wait(pending, timeout=timeout_s)
        if late:
            log.warning("%d dead-letter alert(s) not sent before shutdown", len(late))
        self._pool.shutdown(wait=False, cancel_futures=True)
