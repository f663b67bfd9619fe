"""End-to-end latency: a booking saved at the desk until the SMTP server has its e-mail.

The desk's path exactly: ``create_booking`` (booking and queue task in one commit), then
the in-app engine is woken. The engine runs in this process as it does in the desk; the
mail server runs in a process of its own. Bookings are made one after another, as at a
desk, and the Firestore operations of the whole run are counted per delivered e-mail.

With Firestore, the same run then measures the naive baseline side by side: the same saves
(``create_booking``) picked up by the cron-like poller of ``_naive.NaivePoller`` (the
approach of ``_baseline.py``: one task at a time in a transaction, a new SMTP connection
per message, the queue looked at again every second when empty), the queue emptied in
between. In both, the next booking comes a random 0-1 s after the last e-mail arrived
(the same seeded gaps), so a save lands anywhere in the poller's second, as a desk's do.
``--rtt MS`` puts Firestore that far away (a loopback latency proxy); the SMTP
server stays on loopback.

    .venv/bin/python bench/e2e_latency.py [--bookings 200] [--store firestore|sqlite] [--quick]
        [--rtt MS] [--no-baseline]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

import _harness as h
from _naive import NaivePoller

from parking_desk.config import load_settings
from parking_desk.services.runtime import build_worker, open_store

GAP_S = 1.0  # the longest pause between one e-mail's arrival and the next booking


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--store", choices=("firestore", "sqlite"), default="firestore")
    parser.add_argument("--quick", action="store_true", help="40 bookings")
    parser.add_argument("--no-baseline", action="store_true", help="the product alone")
    h.add_rtt_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.bookings = 40
    logging.basicConfig(level=logging.WARNING)
    h.header(f"end-to-end latency ({args.store}), {args.bookings} bookings one after another")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-e2e-"))
    baseline: list[float] = []
    baseline_missing = 0
    with h.SmtpSink() as sink, h.emulator(rtt_ms=args.rtt) as emu:
        print(f"   {emu.describe_rtt()}")
        store_cfg = (
            {"kind": "firestore", "firestore_project": emu.project}
            if args.store == "firestore"
            else {"kind": "sqlite", "sqlite_path": str(folder / "desk.db")}
        )
        settings = load_settings(
            h.write_settings(folder, smtp_port=sink.port, store=store_cfg), env={}
        )
        counter = h.FirestoreCounter().install()
        store = open_store(settings)
        _worker, engine = build_worker(settings, store, "desk")
        engine.start()
        time.sleep(1.0)  # the first drain and heartbeat, as after the desk opens
        counter.reset()
        latencies, saves, missing = [], [], 0
        save_reads = save_writes = 0
        gaps = random.Random(0xE2E)
        try:
            for n in range(args.bookings):
                if n:
                    time.sleep(gaps.uniform(0.0, GAP_S))
                reads, writes = counter.reads, counter.writes
                started = time.monotonic()
                _booking, task = store.create_booking(h.sample_booking(n))
                saved = time.monotonic()
                # The engine is idle between bookings, so these are the save's own.
                save_reads += counter.reads - reads
                save_writes += counter.writes - writes
                engine.wake()
                arrived = sink.first_arrival(f"<task-{task.id}@lot.example>", timeout=30)
                if arrived is None:
                    missing += 1
                    continue
                saves.append(saved - started)
                latencies.append(arrived - started)
        finally:
            engine.stop(5.0)
            counter.uninstall()
        if args.store == "firestore" and not args.no_baseline:
            baseline, baseline_missing = _baseline(args.bookings, settings, store, emu, sink)
        store.close()
    print(f"   save (create_booking):         {h.summary_ms(saves)}")
    print(f"   saved -> SMTP server has it:   {h.summary_ms(latencies)}")
    print(f"   missing after 30 s: {missing}; duplicates: {sink.duplicates()}")
    delivered = len(latencies)
    if args.store == "firestore" and delivered:
        print(
            f"   Firestore per booking saved: {save_reads / delivered:.2f} reads, "
            f"{save_writes / delivered:.2f} writes"
        )
        print(
            f"   Firestore per e-mail delivered (the rest of the run: engine, listener, "
            f"heartbeats): {(counter.reads - save_reads) / delivered:.2f} reads, "
            f"{(counter.writes - save_writes) / delivered:.2f} writes; RPCs {dict(counter.rpcs)}"
        )
    if baseline:
        print(f"   naive baseline, saved -> SMTP: {h.summary_ms(baseline)}")
        print(f"   baseline missing after 30 s: {baseline_missing}")
    p50, p99 = h.percentile(latencies, 50), h.percentile(latencies, 99)
    if args.rtt > 0:
        print(f"   goal at {args.rtt:g} ms RTT p50 <= 600 ms: {'met' if p50 <= 0.6 else 'MISSED'}")
    else:
        print(
            f"   goal p50 <= 300 ms: {'met' if p50 <= 0.3 else 'MISSED'}; "
            f"p99 <= 1 s: {'met' if p99 <= 1.0 else 'MISSED'}"
        )
    return 0


def _baseline(bookings: int, settings, store, emu, sink) -> tuple[list[float], int]:
    """The same saves, sent by the naive poller instead of the engine."""
    emu.reset()
    sink.clear()
    poller = NaivePoller(settings).start()
    latencies, missing = [], 0
    gaps = random.Random(0xE2E)
    try:
        for n in range(bookings):
            if n:
                time.sleep(gaps.uniform(0.0, GAP_S))
            started = time.monotonic()
            _booking, task = store.create_booking(h.sample_booking(100_000 + n))
            arrived = sink.first_arrival(f"<task-{task.id}@lot.example>", timeout=30)
            if arrived is None:
                missing += 1
                continue
            latencies.append(arrived - started)
    finally:
        poller.stop()
    return latencies, missing


if __name__ == "__main__":
    sys.exit(main())
