"""Booking save at the desk: what the booking form's Save does below the widget, timed.

``save_booking`` (the form's service call, run on the store-write thread in the desk):
the lot's capacity check, the plate's other bookings, ``create_booking`` (booking and queue
task in one commit), then the ticket signed and drawn. Measured side by side, one save of
each after the other, with the naive first version of ``_naive.naive_save`` (the plate, the
open bookings and a transaction reading and writing booking, task and counter one by one),
on a lot with *--lot* open bookings and ``desk.capacity`` set so the check reads them.

    .venv/bin/python bench/booking_save.py [--saves 100] [--lot 300] [--rtt MS]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import _harness as h
from _naive import naive_save
from google.cloud import firestore

from parking_desk.config import load_settings
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import RoleSession
from parking_desk.services.runtime import open_store
from parking_desk.timeutil import utcnow

GOAL_P95_S = 0.4


def _desk_save(settings, signer):
    """The form's service call as ``save(store, booking)``: ``services.desk_actions`` with
    the desk's ``SavePolicy``, or, in a tree from before it moved, the form module's."""
    session = RoleSession()
    try:
        from parking_desk.services.desk_actions import SavePolicy, save_booking
    except ImportError:
        from parking_desk.ui.desk.booking_form import save_booking as form_save

        hours = timedelta(hours=settings.qr.validity_hours_after_departure)
        ctx = SimpleNamespace(
            settings=settings,
            session=session,
            signer=signer,
            ticket_valid_until=lambda d: d + hours,
        )
        return lambda store, booking: form_save(ctx, store, booking)
    policy = SavePolicy.of(settings, session, signer)
    return lambda store, booking: save_booking(store, booking, policy)


def _stay(n: int):
    now = utcnow().replace(microsecond=0)
    arrival = now + timedelta(hours=1 + n % 48)
    return h.sample_booking(50_000 + n).with_changes(
        arrival=arrival, departure=arrival + timedelta(days=2)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument("--lot", type=int, default=300, help="open bookings on the lot")
    parser.add_argument("--quick", action="store_true", help="30 saves")
    h.add_rtt_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.saves = 30
    logging.basicConfig(level=logging.WARNING)
    h.header(f"booking save, {args.saves} saves each, a lot of {args.lot} open bookings")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-save-"))
    with h.emulator() as emu:
        settings = load_settings(
            h.write_settings(
                folder,
                smtp_port=h.free_port(),
                store={"kind": "firestore", "firestore_project": emu.project},
            ),
            env={},
        )
        settings.desk.capacity = args.lot + args.saves * 4
        seeding = open_store(settings)  # direct: laying down the lot is not measured
        h.seed_firestore(seeding, args.lot)
        seeding.close()
        with emu.via(args.rtt):
            print(f"   {emu.describe_rtt()}")
            store = open_store(settings)
            db = firestore.Client(project=emu.project)
            save_booking = _desk_save(settings, QrSigner.load_or_create(settings.qr.key_path))
            counter = h.FirestoreCounter().install()
            zone, capacity = settings.desk.time_zone, settings.desk.capacity
            # One of each first: channels open, the lot's bookings once through each client.
            save_booking(store, _stay(0))
            naive_save(db, _stay(1), capacity, zone)
            counter.reset()
            product, naive = [], []
            product_rpcs = 0
            try:
                for n in range(2, 2 + args.saves):
                    rpcs = sum(counter.rpcs.values())
                    started = time.monotonic()
                    save_booking(store, _stay(2 * n))
                    product.append(time.monotonic() - started)
                    product_rpcs += sum(counter.rpcs.values()) - rpcs
                    started = time.monotonic()
                    naive_save(db, _stay(2 * n + 1), capacity, zone)
                    naive.append(time.monotonic() - started)
            finally:
                counter.uninstall()
                store.close()
            naive_rpcs = sum(counter.rpcs.values()) - product_rpcs
    print(f"   save_booking (the desk):  {h.summary_ms(product)}")
    print(
        f"     p95={h.percentile([v * 1000 for v in product], 95):.1f} ms; "
        f"RPCs per save {product_rpcs / args.saves:.2f}"
    )
    print(f"   naive save (baseline):    {h.summary_ms(naive)}")
    print(
        f"     p95={h.percentile([v * 1000 for v in naive], 95):.1f} ms; "
        f"RPCs per save {naive_rpcs / args.saves:.2f}"
    )
    p95 = h.percentile(product, 95)
    print(
        f"   goal p95 <= 400 ms: {'met' if p95 <= GOAL_P95_S else 'MISSED'} ({p95 * 1000:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
