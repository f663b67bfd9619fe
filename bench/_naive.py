"""The naive first versions the desk's Firestore paths are measured against, in process.

``naive_save``: what a first version of the desk's save does, one round trip after another:
look up the plate, read the lot's open bookings for the capacity check, then a transaction
that reads a booking counter and the new number's document and writes booking, queue task
and counter.

``NaivePoller``: the website's cron approach of ``_baseline.py`` as a loop that polls: take
the next pending task in a transaction, read its booking, render it with the product's
renderer, send it on a new SMTP connection, mark task and booking done, one task at a time;
when the queue is empty, look again after ``interval_s``.

``naive_kiosk``: the kiosk's figures read as a first version would: every queue task and
every worker document streamed and counted here.
"""

from __future__ import annotations

import smtplib
import threading
from datetime import datetime, timedelta
from typing import Any

from _harness import ROOT  # noqa: F401 (puts the project on sys.path)
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.occupancy import over_capacity
from parking_desk.services.mail.render import render_confirmation
from parking_desk.services.qr import QrSigner, render_png
from parking_desk.site_time import day_bounds, today
from parking_desk.task import NotificationTask, TaskState
from parking_desk.timeutil import as_utc, utcnow

COUNTER = ("counters", "bookings")
FIRST_NUMBER = 900_000  # clear of the numbers ``_harness.seed_firestore`` gives


def naive_save(db: Any, booking: Booking, capacity: int, zone: str) -> Booking:
    now = utcnow()
    bookings = db.collection("bookings")
    list(bookings.where(filter=FieldFilter("plate", "==", booking.plate)).stream())
    start, _ = day_bounds(today(zone, now), zone)
    ahead = [
        Booking.from_document(s.to_dict(), s.id)
        for s in bookings.where(filter=FieldFilter("departure", ">=", start)).stream()
    ]
    checked_in = bookings.where(filter=FieldFilter("status", "==", str(BookingStatus.CHECKED_IN)))
    ahead += [Booking.from_document(s.to_dict(), s.id) for s in checked_in.stream()]
    if over_capacity(ahead, booking, capacity, zone, now) is not None:
        raise RuntimeError("the lot is full")
    counter = db.collection(COUNTER[0]).document(COUNTER[1])

    @firestore.transactional
    def create(tx: Any) -> Booking:
        snap = counter.get(transaction=tx)
        last = int((snap.to_dict() or {}).get("last", 0)) + 1
        number = str(FIRST_NUMBER + last)
        ref = bookings.document(number)
        if ref.get(transaction=tx).exists:
            raise RuntimeError(f"booking {number} exists")
        change = booking_rules.create(booking, number, "", now)
        assert change.queued is not None
        tx.set(ref, change.booking.to_document())
        tx.set(db.collection("emailQueue").document(change.queued.id), change.queued.to_document())
        tx.set(counter, {"last": last})
        return change.booking

    return create(db.transaction())


class NaivePoller:
    """The cron-like drain of ``_baseline.py``, polling every *interval_s* when idle, in a
    thread of its own; ``stop()`` ends it."""

    def __init__(self, settings: Any, *, interval_s: float = 1.0) -> None:
        self._settings = settings
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.sent = 0

    def start(self) -> NaivePoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        settings = self._settings
        db = firestore.Client(project=settings.store.firestore_project)
        signer = QrSigner.load_or_create(settings.qr.key_path)
        queue, bookings = db.collection("emailQueue"), db.collection("bookings")
        pending = queue.where(filter=FieldFilter("status", "==", "pending")).limit(1)
        while not self._stop.is_set():
            head = list(pending.stream())
            if not head:
                self._stop.wait(self._interval)
                continue
            ref = head[0].reference

            @firestore.transactional
            def claim(tx: Any, ref: Any = ref) -> dict | None:
                doc = ref.get(transaction=tx).to_dict() or {}
                if doc.get("status") != "pending":
                    return None
                tx.update(ref, {"status": "processing", "updatedAt": utcnow()})
                return doc

            doc = claim(db.transaction())
            if doc is None:
                continue
            task = NotificationTask.from_document(ref.id, doc)
            booking_ref = bookings.document(task.booking_number)
            booking = Booking.from_document(booking_ref.get().to_dict(), task.booking_number)
            payload = signer.payload(task.booking_number, booking.plate, booking.departure)
            message = render_confirmation(
                task,
                booking=booking,
                qr_png=render_png(payload, error_correction="M"),
                mail_from=settings.mail.mail_from,
                site_name=settings.mail.site_name,
            )
            smtp = settings.smtp
            with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as conn:
                conn.sendmail(message.sender, list(message.recipients), message.data)
            now = utcnow()
            ref.update({"status": "completed", "completedAt": now, "updatedAt": now})
            booking_ref.update({"emailStatus": "sent", "emailSentAt": now, "qrCodeGenerated": True})
            self.sent += 1


def naive_kiosk(db: Any, now: datetime, since: datetime, window: timedelta) -> dict[str, Any]:
    """Every task and worker document read and counted here: the counts by state, the
    retrying, the oldest due, the sent since *since* and the failures in *window*."""
    counts = {str(s): 0 for s in TaskState}
    retrying, oldest, sent, failed = 0, None, 0, 0
    for snap in db.collection("emailQueue").stream():
        d = snap.to_dict() or {}
        status = str(d.get("status") or "pending")
        counts[status] = counts.get(status, 0) + 1
        if status == "pending":
            retrying += int(d.get("attempts") or 0) > 0
            due = as_utc(d.get("nextAttemptAt"))
            if due is not None and due <= now:
                oldest = max(oldest or timedelta(0), now - due)
        elif status == "completed":
            at = as_utc(d.get("completedAt"))
            sent += at is not None and at >= since
        elif status == "dead":
            at = as_utc(d.get("updatedAt"))
            failed += at is not None and at >= now - window
    workers = [s.to_dict() for s in db.collection("workers").stream()]
    return {
        "counts": counts,
        "retrying": retrying,
        "oldest": oldest,
        "sent": sent,
        "failed": failed,
        "workers": len(workers),
    }
