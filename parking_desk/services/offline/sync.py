"""The offline desk's background thread: is the store reachable, and if so, replay the
journal into it in order and keep a block of numbers in hand.

The probe is the store's short ping (one read, a 3 s deadline, no retries) every
``probe_s``: a save never waits on the network to learn the line is down. Each entry goes in
with one commit that may run twice (``offline_rules``); the journal marks it done after the
store took it, so a replay cut short by a crash or a dropped line simply runs again. A
conflict is marked, recorded in the audit log, and left for staff; the entries after it go
on, except this desk's own scans of a booking that did not go in.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import StoreUnavailable
from parking_desk.offline_rules import Conflict, ConflictCode, needs_block
from parking_desk.services.offline.journal import Entry, EntryKind, EntryState
from parking_desk.services.store.base import BookingQuery
from parking_desk.timeutil import utcnow

if TYPE_CHECKING:
    from parking_desk.services.offline.desk import OfflineDesk, OfflineReplay

log = logging.getLogger(__name__)

AUDIT_CONFLICT = "offline_conflict"
AUDIT_RESOLVED = "offline_conflict_resolved"
SYSTEM = "offline sync"
# How often the bookings arriving today and tomorrow are copied for scans offline.
PREFETCH_EVERY = timedelta(minutes=5)


class Syncer:
    def __init__(self, desk: OfflineDesk, replay: OfflineReplay, *, probe_s: float = 2.0) -> None:
        self.desk = desk
        self.replay = replay
        self.probe_s = probe_s
        self._online = False
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._thread = threading.Thread(target=self._run, name="offline-sync", daemon=True)
        self._prefetched_at: Any = None
        # Set after each round in which the store answered and nothing was left waiting
        # (tests and the bench wait on it).
        self.idle = threading.Event()

    @property
    def online(self) -> bool:
        return self._online

    def set_online(self, online: bool) -> None:
        self._online = online
        if online:
            return
        self.idle.clear()

    def start(self) -> None:
        """One probe before the thread starts, so the desk's first save and heartbeat know
        where they stand (at most the ping's deadline, on the caller's background thread)."""
        try:
            self.desk.inner.ping()
            self._online = True
        except StoreUnavailable as exc:
            self.desk.went_offline(exc)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._kick.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10.0)

    def kick(self) -> None:
        """Run a round now (a save, a staff action)."""
        self._kick.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
            except Exception:  # the thread must outlive any one bad round
                log.exception("offline sync round failed")
            self._kick.wait(self.probe_s)
            self._kick.clear()

    # --- one round ------------------------------------------------------------------------
    def round(self) -> bool:
        """Probe, replay, top up the blocks. True when the store answered throughout."""
        desk = self.desk
        try:
            desk.inner.ping()
        except StoreUnavailable as exc:
            desk.went_offline(exc)
            return False
        if not self._online:
            log.info("Store reachable again")
        self._online = True
        try:
            self.replay_waiting()
            self.audit_settled()
            self.top_up_blocks()
            self.prefetch()
        except StoreUnavailable as exc:
            desk.went_offline(exc)
            return False
        desk.journal.back_online()
        desk.changed()
        if not desk.journal.waiting().total:
            self.idle.set()
        return True

    def replay_waiting(self) -> int:
        """Every waiting entry, oldest first; stops (raising) at the first one the store
        cannot take now. Returns how many went in."""
        desk, done = self.desk, 0
        for entry in desk.journal.entries(EntryState.WAITING):
            conflict = self._replay(entry)
            if conflict is None:
                desk.journal.synced(entry.seq)
                done += 1
            else:
                details = {**conflict.details, "number": entry.number, "entry": entry.uid}
                desk.journal.conflicted(entry.seq, str(conflict.code), details)
                self._audit(entry, AUDIT_CONFLICT, str(conflict.code), details)
                log.warning(
                    "Offline %s of %s: conflict %s", entry.kind, entry.number, conflict.code
                )
            desk.changed()
        return done

    def _replay(self, entry: Entry) -> Conflict | None:
        desk = self.desk
        if entry.kind == EntryKind.BOOKING:
            booking = Booking.from_document(entry.body["booking"], entry.number)
            return self.replay.replay_offline_booking(
                entry.uid, booking, entry.body["taskId"], entry.body["task"]
            )
        if desk.journal.booking_failed(entry.number):
            return Conflict(ConflictCode.NOT_SYNCED, {"to": entry.body.get("to", "")})
        return self.replay.replay_offline_scan(
            entry.uid,
            entry.number,
            BookingStatus(entry.body["to"]),
            operator=entry.operator,
            at=entry.made_at,
            desk=desk.machine,
        )

    def _audit(self, entry: Entry, action: str, code: str, details: dict[str, Any]) -> None:
        operator = entry.settled_by if action == AUDIT_RESOLVED else entry.operator
        self.desk.inner.record_audit(
            operator or SYSTEM,
            action,
            (),
            details={
                **details,
                "kind": str(entry.kind),
                "conflict": code,
                "madeAt": entry.made_at.isoformat(),
                "desk": self.desk.machine,
            },
        )
        self.desk.journal.audited(entry.seq)

    def audit_settled(self) -> None:
        """Conflicts found and resolutions made while the audit log could not be written."""
        journal = self.desk.journal
        for state, action in (
            (EntryState.CONFLICT, AUDIT_CONFLICT),
            (EntryState.RESOLVED, AUDIT_RESOLVED),
        ):
            for entry in journal.entries(state):
                if not entry.audited and entry.conflict:
                    self._audit(entry, action, entry.conflict, {**entry.details})

    def top_up_blocks(self) -> None:
        desk = self.desk
        while needs_block(desk.journal.spare_numbers(), desk.block_size):
            block = self.replay.reserve_number_block(
                desk_id=desk.journal.desk_id, machine=desk.machine, size=desk.block_size
            )
            desk.journal.add_block(block)
            log.info(
                "Number block %s-%s reserved for offline bookings",
                block.first,
                block.first + block.size - 1,
            )

    def prefetch(self) -> None:
        """Copy the bookings arriving today and tomorrow, so a ticket booked on the website
        is found at this desk's gate while the line is down."""
        now = utcnow()
        if self._prefetched_at is not None and now - self._prefetched_at < PREFETCH_EVERY:
            return
        found: list[Booking] = []
        for day in (now.date(), (now + timedelta(days=1)).date()):
            found += self.desk.inner.search_bookings(BookingQuery(arrival_day=day, limit=2000))
        self.desk.journal.remember(found)
        self._prefetched_at = now
