"""Where one task's time goes: each step of a delivery measured alone, one thread, in CPU
time of the calling thread and in wall time, against the emulator and a local SMTP server.

The sum of the CPU column is what one worker process spends per task under the GIL, so it
bounds a process's rate whatever its thread count: 1000 ms / CPU ms per task.

``--against REV`` also measures the QR, the rendering and the send as they were at git
revision REV, loaded from git into this process, on the same data right after the current
ones: a before/after ratio from one run.

    .venv/bin/python bench/task_cost.py [--reps 200] [--quick] [--against REV]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import logging
import subprocess
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


ROOT = Path(__file__).resolve().parent.parent
EARLIER = {
    "qr": "parking_desk/services/qr.py",
    "render": "parking_desk/services/mail/render.py",
    "smtp": "parking_desk/services/mail/smtp.py",
}


def load_earlier(rev: str) -> dict[str, object]:
    """The QR, renderer and SMTP modules as they were at *rev* (they import today's versions
    of everything else, which must still offer what they used)."""
    modules: dict[str, object] = {}
    for key, path in EARLIER.items():
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        name = f"_earlier_{key}"
        spec = importlib.util.spec_from_loader(name, loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while being made
        exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)
        modules[key] = module
    return modules


def compare(rev: str, reps: int, payloads, tasks, bookings, settings, rows) -> None:
    """The same three steps with the code at *rev*, on the same data, for a side-by-side."""
    try:
        old = load_earlier(rev)
    except (subprocess.CalledProcessError, ImportError) as exc:
        print(f"   (no side-by-side with {rev}: {exc})")
        return
    pngs = [b""] * reps
    messages = [None] * reps

    def qr(i: int) -> None:
        pngs[i] = old["qr"].render_png(payloads[i], error_correction="M")

    measure(f"QR to PNG at {rev}", reps, qr, rows)
    render = functools.partial(
        old["render"].render_confirmation, mail_from=settings.mail.mail_from, site_name="Bench"
    )

    def mail(i: int) -> None:
        messages[i] = render(tasks[i], booking=bookings[i], qr_png=pngs[i])

    measure(f"render the e-mail at {rev}", reps, mail, rows)
    transport = old["smtp"].SmtpTransport(settings.smtp)
    measure(f"send, reused connection, at {rev}", reps, lambda i: transport.send(messages[i]), rows)
    transport.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="50 repetitions")
    parser.add_argument("--against", metavar="REV", help="also measure these steps at REV")
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

        measure("QR to PNG (zxing-cpp + zlib)", reps, qr, rows)
        render = functools.partial(
            render_confirmation, mail_from=settings.mail.mail_from, site_name="Bench"
        )
        messages = [None] * reps

        def mail(i: int) -> None:
            messages[i] = render(tasks[i], booking=bookings[i], qr_png=pngs[i])

        measure("render the e-mail (Jinja2 + MIME bytes)", reps, mail, rows)
        transport = build_transport(settings, None)
        measure(
            "send over one reused SMTP connection",
            reps,
            lambda i: transport.send(messages[i]),
            rows,
        )
        transport.close()
        earlier: list[tuple[str, float, float]] = []
        if args.against:
            compare(args.against, reps, payloads, tasks, bookings, settings, earlier)
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
    if earlier:
        print(f"   side by side, the same data at {args.against}:")
        for label, cpu, wall in earlier:
            print(f"   {label:<44} {cpu:8.2f} {wall:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
