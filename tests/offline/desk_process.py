"""A Firestore desk without its window, driven line by line on stdin (for the offline tests):
the same store the desk holds (``OfflineDesk`` over ``FirestoreStore``), its journal in the
folder given, each answer one JSON line on stdout.

    book N            a walk-in (``walk_in(N)``); answers its number and whether it went
                      to the journal
    status NUMBER TO  a check-in ("checked_in") or check-out at this desk
    get NUMBER        look a booking up (online: copied for scans offline)
    wait STATE S      until the desk is "online", "offline" or "idle" (online, nothing
                      waiting), at most S seconds
    state             online, what waits, spare numbers
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))

from fault_tools import walk_in

from parking_desk.errors import ParkingDeskError
from parking_desk.services.offline import offline_desk
from parking_desk.services.store import open_firestore


def main() -> int:
    project, folder, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    desk = offline_desk(open_firestore(project), folder, machine=name, probe_s=0.3)
    assert desk is not None
    desk.start()

    def say(**answer: object) -> None:
        sys.stdout.write(json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()

    say(ready=True, desk_id=desk.journal.desk_id)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        try:
            if command == "book":
                started = time.perf_counter()
                saved, task = desk.create_booking(walk_in(int(args[0])))
                ms = (time.perf_counter() - started) * 1000
                say(number=saved.booking_number, task=task.id, offline=not desk.online, ms=ms)
            elif command == "status":
                done = desk.set_booking_status(args[0], args[1], operator=name)  # type: ignore[arg-type]
                say(number=done.booking_number, status=str(done.status))
            elif command == "get":
                found = desk.get_booking(args[0])
                say(number=found.booking_number if found else None)
            elif command == "wait":
                deadline = time.monotonic() + float(args[1])
                while time.monotonic() < deadline:
                    if args[0] == "online" and desk.online:
                        break
                    if args[0] == "offline" and not desk.online:
                        break
                    if args[0] == "idle" and desk.syncer.idle.is_set():
                        break
                    time.sleep(0.05)
                say(online=desk.online, idle=desk.syncer.idle.is_set())
            elif command == "state":
                waiting = desk.status()
                say(
                    online=desk.online,
                    bookings=waiting.bookings,
                    scans=waiting.scans,
                    conflicts=waiting.conflicts,
                    spare=desk.journal.spare_numbers(),
                )
            elif command == "quit":
                break
            else:
                say(error=f"unknown command {command}")
        except ParkingDeskError as exc:
            say(error=exc.code, text=exc.translated("en"))
    desk.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
