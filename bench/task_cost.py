"""Where one task's time goes: each step of a delivery measured alone, one thread, in CPU
time of the calling thread and in wall time, against the emulator and a local SMTP server.

The sum of the CPU column is what one worker process spends per task under the GIL, so it
bounds a process's rate whatever its thread count: 1000 ms / CPU ms per task.

    .venv/bin/python bench/task_cost.py [--reps 200] [--quick]
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import _harness as h

from parking_desk.config import load_settings
from parking_desk.services.mail.factory import build_transport
from parking_desk.services.mail.render import render_confirmation
from parking_desk.services.qr import QrSigner, render_png
from parking_desk.services.runtime import open_store
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.task_content import booking_for


def measure(label: str, reps: int, step, rows: list) -> None:
    cpu, wall = [], []
    for i in range(reps):
        c, w = time.thread_time(), time.perf_counter()
        step(i)
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - w)
    rows.append((label, sum(cpu) / reps * 1000, sum(wall) / reps * 1000))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="50 repetitions")
    args = parser.parse_args()
    reps = 50 if args.quick else args.reps
    logging.basicConfig(level=logging.WARNING)
    h.header(f"cost of one task, step by step ({reps} repetitions each)")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-cost-"))
    rows: list[tuple[str, float, float]] = []
    with h.SmtpSink() as sink, h.emulator() as emu:
        settings = load_settings(
            h.write_settings(
                folder,
                smtp_port=sink.port,
                store={"kind": "firestore", "firestore_project": emu.project},
            ),
            env={},
        )
        store = open_store(settings)
        h.seed_firestore(store, reps + 50)
        signer = QrSigner.load_or_create(settings.qr.key_path)
        tasks = store.claim_due("cost", reps, timedelta(minutes=10))
        rows.append(("claim_due (its share, batch of 50)", 0.0, 0.0))  # measured last
        bookings = [booking_for(store, t) for t in tasks]
        measure(
            "read the booking (get_booking)", reps, lambda i: booking_for(store, tasks[i]), rows
        )
        payloads = [
            signer.payload(t.booking_number, b.plate, b.departure)
            for t, b in zip(tasks, bookings, strict=True)
        ]
        measure(
            "sign the QR payload (Ed25519)",
            reps,
            lambda i: signer.payload(
                tasks[i].booking_number, bookings[i].plate, bookings[i].departure
            ),
            rows,
        )
        pngs = [b""] * reps

        def qr(i: int) -> None:
            pngs[i] = render_png(payloads[i], error_correction="M")

        measure("QR to PNG (qrcode + Pillow)", reps, qr, rows)
        render = functools.partial(
            render_confirmation, mail_from=settings.mail.mail_from, site_name="Bench"
        )
        messages = [None] * reps

        def mail(i: int) -> None:
            messages[i] = render(tasks[i], booking=bookings[i], qr_png=pngs[i])

        measure("render the e-mail (Jinja2 + MIME)", reps, mail, rows)
        transport = build_transport(settings, None)
        measure(
            "send over one reused SMTP connection",
            reps,
            lambda i: transport.send(messages[i]),
            rows,
        )
        transport.close()
        outcome = DeliveryOutcome(provider="smtp", message_id="<x>", email_sent=True)
        measure(
            "complete (task + booking, one commit)",
            reps,
            lambda i: store.complete(tasks[i], "cost", outcome),
            rows,
        )
        from parking_desk.services.logs import secrets_of, setup_logging

        # As ``parking-desk worker`` logs: INFO to a rotating file, secrets redacted.
        setup_logging(log_dir=folder / "logs", secrets=secrets_of(settings), console=False)
        log = logging.getLogger("parking_desk.services.worker")
        measure(
            "two INFO log lines (as the worker writes)",
            reps,
            lambda i: (
                log.info("QR code generated for booking %s", i),
                log.info("Email sent successfully to %s for booking %s via %s", "a", i, "smtp"),
            ),
            rows,
        )
        # The claim: one call for a batch, measured as its share per task.
        c, w = time.thread_time(), time.perf_counter()
        claimed = store.claim_due("cost-3", 50, timedelta(minutes=10))
        rows[0] = (
            "claim_due (its share, batch of 50)",
            (time.thread_time() - c) / max(1, len(claimed)) * 1000,
            (time.perf_counter() - w) / max(1, len(claimed)) * 1000,
        )
        store.close()
    print(f"   {'step':<44} {'CPU ms':>8} {'wall ms':>8}")
    for label, cpu, wall in rows:
        print(f"   {label:<44} {cpu:8.2f} {wall:8.2f}")
    total_cpu = sum(r[1] for r in rows)
    print(f"   {'total':<44} {total_cpu:8.2f} {sum(r[2] for r in rows):8.2f}")
    print(f"   bound for one process from its own CPU alone: {1000 / total_cpu:.0f} tasks/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
