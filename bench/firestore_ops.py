"""Firestore operations per delivered e-mail while a backlog drains.

The worker runs in this process so the generated Firestore client can be wrapped with
counters (``_harness.FirestoreCounter``): every RPC the store makes is seen, however it is
built, and documents are counted as Firestore bills them. Product code is untouched.

    .venv/bin/python bench/firestore_ops.py [--tasks 1000] [--workers 1] [--quick] [--rtt MS]

With ``--rtt MS`` the workers reach Firestore through a loopback latency proxy that far
away (the backlog is laid down direct, before it): the operation counts do not change
with the round trip, the drain rate does.

With ``--workers N`` the N workers (each with its own client) drain in threads of this
process, and claims lost to one another are counted: a BatchWrite write refused alone, or
a claim commit refused (and split) because another worker took one of its tasks.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

import _harness as h

from parking_desk.config import load_settings
from parking_desk.services.runtime import build_worker, open_store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="200 tasks")
    h.add_rtt_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.tasks = 200
    logging.basicConfig(level=logging.WARNING)
    h.header(f"Firestore operations per delivered e-mail, backlog of {args.tasks}")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-ops-"))
    with h.SmtpSink() as sink, h.emulator() as emu:
        store_cfg = {"kind": "firestore", "firestore_project": emu.project}
        settings = load_settings(
            h.write_settings(folder, smtp_port=sink.port, store=store_cfg), env={}
        )
        seeding = open_store(settings)
        h.seed_firestore(seeding, args.tasks)
        seeding.close()
        with emu.via(args.rtt):
            print(f"   {emu.describe_rtt()}")
            stores = [open_store(settings) for _ in range(args.workers)]
            counter = h.FirestoreCounter().install()
            workers = [
                build_worker(settings, s, "worker", worker_id=f"ops-{n}")[0]
                for n, s in enumerate(stores)
            ]
            reports: list = [None] * len(workers)

            def drain(n: int) -> None:
                reports[n] = workers[n].drain_until_empty()

            threads = [threading.Thread(target=drain, args=(n,)) for n in range(len(workers))]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            sink.wait_for(args.tasks, timeout=30)
            counter.uninstall()
            for s in stores:
                s.close()
    sent = sum(r.completed for r in reports)
    print(
        f"   {sent} e-mails delivered in {elapsed:.1f} s ({sent / elapsed:.1f}/s, "
        f"{args.workers} worker(s)); {sink.total - sent} duplicates; "
        f"{counter.lost} claims lost to another worker in a BatchWrite, "
        f"{counter.rpcs.get('commit[refused]', 0)} commits refused (a claim lost)"
    )
    if sent:
        reads, writes = counter.reads / sent, counter.writes / sent
        print(f"   per e-mail: {reads:.2f} reads, {writes:.2f} writes (goal <= 1 read + 2 writes)")
        print(
            "   RPCs per e-mail: "
            + ", ".join(
                f"{name} {count / sent:.2f}" for name, count in sorted(counter.rpcs.items())
            )
        )
        print(
            "   reads per e-mail by RPC: "
            + ", ".join(
                f"{name} {count / sent:.2f}" for name, count in sorted(counter.reads_by_rpc.items())
            )
        )
        verdict = "met" if reads <= 1 and writes <= 2 else "MISSED"
        print(f"   goal: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
