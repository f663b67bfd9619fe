"""The naive drain the queue engine is measured against, run as its own process.

What a first version of the website's cron endpoint does: take the next pending task in a
transaction, read its booking, make the QR and the e-mail (the same renderer the product
uses, so only the queue and transport design differ), open a new SMTP connection for the
one message, then mark task and booking done. One task at a time.

``python bench/_baseline.py CONFIG LIMIT`` prints ``done N`` when it stops.
"""

from __future__ import annotations

import smtplib
import sys
from pathlib import Path

from _harness import ROOT  # noqa: F401 (puts the project on sys.path)
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.booking import Booking
from parking_desk.config import load_settings
from parking_desk.services.mail.render import render_confirmation
from parking_desk.services.qr import QrSigner, render_png
from parking_desk.task import NotificationTask
from parking_desk.timeutil import utcnow


def main(config: str, limit: int) -> int:
    settings = load_settings(Path(config), env={})
    db = firestore.Client(project=settings.store.firestore_project)
    signer = QrSigner.load_or_create(settings.qr.key_path)
    queue, bookings = db.collection("emailQueue"), db.collection("bookings")
    done = 0
    while done < limit:
        head = list(queue.where(filter=FieldFilter("status", "==", "pending")).limit(1).stream())
        if not head:
            break
        ref = head[0].reference

        @firestore.transactional
        def claim(tx, ref=ref):
            snap = ref.get(transaction=tx)
            doc = snap.to_dict() or {}
            if doc.get("status") != "pending":
                return None
            tx.update(ref, {"status": "processing", "updatedAt": utcnow()})
            return doc

        doc = claim(db.transaction())
        if doc is None:
            continue
        task = NotificationTask.from_document(ref.id, doc)
        booking = Booking.from_document(
            bookings.document(task.booking_number).get().to_dict(), task.booking_number
        )
        payload = signer.payload(task.booking_number, booking.plate, booking.departure)
        png = render_png(payload, error_correction="M")
        message = render_confirmation(
            task,
            booking=booking,
            qr_png=png,
            mail_from=settings.mail.mail_from,
            site_name=settings.mail.site_name,
        )
        smtp = settings.smtp
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as conn:
            conn.sendmail(message.sender, list(message.recipients), message.data)
        now = utcnow()
        ref.update({"status": "completed", "completedAt": now, "updatedAt": now})
        bookings.document(task.booking_number).update(
            {"emailStatus": "sent", "emailSentAt": now, "qrCodeGenerated": True}
        )
        done += 1
    print(f"done {done}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
