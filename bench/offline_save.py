"""A walk-in saved while Firestore cannot be reached: how long the desk's save takes.

The emulator is frozen with SIGSTOP (a dropped line, as a client sees it: nothing answers).
Once the offline desk's probe has noticed, each save is what the desk's form runs on its
store-write thread: the booking numbered from the desk's block and journalled (SQLite, synced
to the disk), the ticket signed and its QR drawn. Then the line comes back and the journal is
replayed; the time to sync is printed too. Also shown, for honesty: a save in the first
seconds of an outage, before the probe has noticed, waits for the client library's deadline.

    .venv/bin/python bench/offline_save.py [--saves 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import _harness as h

from parking_desk.errors import ParkingDeskError
from parking_desk.services.offline import OfflineDesk
from parking_desk.services.offline.journal import Journal
from parking_desk.services.qr import QrSigner, render_png
from parking_desk.services.store import open_firestore
from parking_desk.services.store.firestore.offline import FirestoreOffline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    h.header("offline save (Firestore frozen)")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-offline-"))
    signer = QrSigner.load_or_create(folder / "qr-key.pem")
    with h.emulator() as emu:
        store = open_firestore(emu.project)
        desk = OfflineDesk(
            store,
            Journal.in_folder(folder),
            FirestoreOffline(store.conn),  # type: ignore[attr-defined]
            machine="bench",
            probe_s=0.5,
            block_size=2 * args.saves + 2,
        )
        desk.start()
        if not desk.syncer.idle.wait(60):
            raise SystemExit("the desk never reached the emulator")

        def save(n: int) -> float:
            started = time.perf_counter()
            saved, _task = desk.create_booking(h.sample_booking(n))
            payload = signer.payload(
                saved.booking_number or "", saved.plate, saved.departure + timedelta(hours=12)
            )
            render_png(payload, error_correction="M")
            return time.perf_counter() - started

        emu.pause()
        try:
            started = time.perf_counter()
            try:
                save(0)
                outcome = "saved"
            except ParkingDeskError as exc:
                outcome = exc.code
            first = time.perf_counter() - started
            deadline = time.monotonic() + 30
            while desk.online and time.monotonic() < deadline:
                time.sleep(0.05)
            if desk.online:
                raise SystemExit("the probe never noticed the outage")
            times = [save(n) for n in range(1, args.saves + 1)]
        finally:
            emu.resume()
        started = time.perf_counter()
        desk.syncer.idle.clear()
        synced = desk.syncer.idle.wait(300)
        sync_s = time.perf_counter() - started
        desk.close()
    print(f"   a save as the line drops, before the probe noticed: {first:.1f} s ({outcome})")
    print(f"   offline saves (journal + signed ticket + QR): {h.summary_ms(times)}")
    print(
        f"   sync of {args.saves} journalled bookings after the line came back: "
        f"{sync_s:.1f} s{'' if synced else ' (NOT finished)'}"
    )


if __name__ == "__main__":
    main()
