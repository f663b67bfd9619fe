"""Messages per second to a local SMTP server: one reused connection vs a new one each time.

Run: .venv/bin/python bench/smtp_connection_reuse.py [count]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from _harness import SmtpSink, header

from parking_desk.config import SmtpSettings
from parking_desk.services.mail.render import render_confirmation
from parking_desk.services.mail.smtp import SmtpTransport
from parking_desk.services.qr import QrSigner, render_png
from parking_desk.task import NotificationTask, TaskType


def messages(count: int, signer: QrSigner) -> list:
    departure = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    out = []
    for n in range(count):
        number = str(500000 + n)
        task = NotificationTask(
            id=f"bench{n}",
            type=TaskType.BOTH,
            booking_number=number,
            client_email=f"client{n}@example.com",
            booking_data={
                "clientName": "Ion Popescu",
                "plate": "B123ABC",
                "arrival": departure - timedelta(days=4),
                "departure": departure,
            },
        )
        png = render_png(signer.payload(number, "B123ABC", departure + timedelta(hours=12)))
        out.append(
            render_confirmation(
                task, booking=None, qr_png=png, mail_from="desk@parking.example", site_name="Bench"
            )
        )
    return out


def run(sink: SmtpSink, batch: list, reuse: bool) -> float:
    settings = SmtpSettings(host="127.0.0.1", port=sink.port, security="none", name="bench")
    transport = SmtpTransport(settings, local_hostname="bench.local")
    started = time.perf_counter()
    for msg in batch:
        transport.send(msg)
        if not reuse:
            transport.close()
    transport.close()
    return len(batch) / (time.perf_counter() - started)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    header(f"SMTP: {count} rendered confirmations (QR inline + attached) to aiosmtpd")
    with TemporaryDirectory() as tmp:
        batch = messages(count, QrSigner.load_or_create(Path(tmp) / "key.pem"))
    print(f"   message size: {len(batch[0].as_bytes())} bytes")
    with SmtpSink() as sink:
        run(sink, batch[:20], True)  # warm-up
        # Alternate the two modes so a neighbour's load spike hurts both alike.
        rates: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(3):
            for reuse in (True, False):
                rates[reuse].append(run(sink, batch, reuse))
        for label, reuse in (("one reused connection", True), ("new connection each", False)):
            each = ", ".join(f"{r:.0f}" for r in rates[reuse])
            print(f"   {label}: {max(rates[reuse]):.0f} msg/s (best of 3: {each})")


if __name__ == "__main__":
    main()
