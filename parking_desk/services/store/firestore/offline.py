"""The offline desk's side of Firestore: reserving number blocks, and replaying a desk's
journal, each entry in one commit that can run twice without writing twice.

Queries: none. Blocks, bookings and tasks are read and written by document id.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc

from parking_desk import offline_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import StoreUnavailable
from parking_desk.offline_rules import Conflict, NumberBlock
from parking_desk.services.store.firestore.docs import BOOKINGS, QUEUE, RPC, Conn, guarded

log = logging.getLogger(__name__)

BLOCKS = "numberBlocks"
# Random draws from 90,000 blocks: a run of taken ones this long means something is wrong.
BLOCK_TRIES = 20


class FirestoreOffline:
    """Number blocks and the journal's replay (``services/offline``)."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._db = conn.db

    @guarded
    def reserve_number_block(
        self, *, desk_id: str, machine: str, size: int = offline_rules.BLOCK_SIZE
    ) -> NumberBlock:
        """A block no other desk holds, created in ``numberBlocks/{first}``; create-only, so
        two desks drawing the same block cannot both have it."""
        now = self._conn.now(None)
        for _ in range(BLOCK_TRIES):
            block = offline_rules.random_block(size=size)
            doc = offline_rules.block_document(block, desk_id=desk_id, machine=machine, now=now)
            try:
                self._db.collection(BLOCKS).document(block.block_id).create(doc, **RPC)
            except gexc.AlreadyExists:
                continue
            return block
        raise StoreUnavailable(f"no free number block after {BLOCK_TRIES} draws")

    @guarded
    def replay_offline_booking(
        self, uid: str, booking: Booking, task_id: str, task_document: dict[str, Any]
    ) -> Conflict | None:
        """The booking and its confirmation task, create-only in one commit. None when they
        are in (now, or by an earlier replay of the same entry); a ``Conflict`` when the
        number belongs to another booking."""
        number = booking.booking_number or ""
        ref = self._db.collection(BOOKINGS).document(number)
        batch = self._db.batch()
        batch.create(ref, offline_rules.replayed_booking_document(booking, uid))
        batch.create(self._db.collection(QUEUE).document(task_id), task_document)
        try:
            batch.commit(**RPC)
            return None
        except gexc.AlreadyExists:
            pass
        snap = ref.get(**RPC)
        existing = snap.to_dict() if snap.exists else None
        if offline_rules.booking_is_ours(existing, uid, booking):
            return None  # an earlier replay got through before the journal heard
        if existing is None:
            # Our booking is not there, yet the commit was refused: the task id is taken.
            # It is derived from this entry, so only an earlier replay wrote it.
            log.error("offline entry %s: task %s exists without its booking", uid, task_id)
        return offline_rules.number_taken(number, existing)

    @guarded
    def replay_offline_scan(
        self,
        uid: str,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        at: datetime,
        desk: str = "",
    ) -> Conflict | None:
        """A check-in or check-out made offline, applied in a transaction on the booking as
        it is now, or the conflict that stops it."""

        def apply(tx: Any) -> Conflict | None:
            ref = self._db.collection(BOOKINGS).document(number)
            snap = ref.get(transaction=tx)
            booking = None
            if snap.exists:
                try:
                    booking = Booking.from_document(snap.to_dict(), snap.id)
                except (TypeError, ValueError):
                    booking = None
            done = offline_rules.replay_scan(booking, number, to, operator, at, uid, desk=desk)
            if done is None or isinstance(done, Conflict):
                return done
            tx.set(ref, done.booking.to_document(), merge=True)
            return None

        return self._conn.transact(apply)
