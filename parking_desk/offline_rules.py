"""The offline desk's rules, written once: booking-number blocks, and what the replay of a
journalled booking or scan writes, or why it is a conflict for staff instead.

Number blocks. A desk that may lose its line reserves, while it is online, a block of
booking numbers (``numberBlocks/{first}``, create-only), and numbers its offline bookings
from it. Blocks live in a space of their own: seven digits, 1000000-9999999. Every other
writer draws six-digit numbers (the desk online, at random and create-only; the website),
so an online booking never needs to look at the blocks and a block never needs to check
the numbers inside it: the two spaces cannot meet. Inside the block space, create-only
reservation makes a block one desk's alone. A desk reserves a fresh block as soon as half
of what it holds is used, so it always has at least half a block in hand when the line
drops.

Replay. Each journal entry carries an id of its own (``desk id-sequence``): the booking is
written with it (``offlineEntry``) and its queue task under an id derived from it, both
create-only in one commit, so a replay cut short by a crash and run again writes nothing
twice. A scan's history entry carries it too, so a check-in replayed twice is seen as done.
What the store holds is never overwritten: a number someone else took, a booking cancelled
or checked in at another desk meanwhile, a scan of a booking the store does not know, each
becomes a ``Conflict`` for staff to resolve.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from parking_desk import booking_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.booking_rules import BookingChange

BLOCK_FIRST = 1_000_000
BLOCK_END = 10_000_000  # seven digits: no six-digit number is ever in a block
BLOCK_SIZE = 100

# The field a replayed booking carries, and the key its scans' history entries carry.
ENTRY_FIELD = "offlineEntry"


@dataclass(frozen=True)
class NumberBlock:
    """``size`` consecutive booking numbers from ``first``, one desk's alone."""

    first: int
    size: int = BLOCK_SIZE

    @property
    def block_id(self) -> str:
        return str(self.first)

    def number(self, offset: int) -> str:
        if not 0 <= offset < self.size:
            raise ValueError(f"offset {offset} outside a block of {self.size}")
        return str(self.first + offset)

    def holds(self, number: str) -> bool:
        return number.isdigit() and self.first <= int(number) < self.first + self.size


def block_count(size: int = BLOCK_SIZE) -> int:
    return (BLOCK_END - BLOCK_FIRST) // size


def random_block(rng: random.Random | None = None, size: int = BLOCK_SIZE) -> NumberBlock:
    """A block drawn at random, to be reserved create-only (a taken one: draw again). No
    counter every desk would fight over, as for the online numbers."""
    index = (rng or random.SystemRandom()).randrange(block_count(size))
    return NumberBlock(BLOCK_FIRST + index * size, size)


def is_block_number(number: str) -> bool:
    text = str(number).strip()
    return text.isdigit() and len(text) == 7


def needs_block(spare: int, size: int = BLOCK_SIZE) -> bool:
    """Reserve another block once half of a block's worth is used."""
    return spare <= size // 2


def block_document(
    block: NumberBlock, *, desk_id: str, machine: str, now: datetime
) -> dict[str, Any]:
    return {
        "first": block.first,
        "size": block.size,
        "deskId": desk_id,
        "machine": machine,
        "reservedAt": now,
    }


def entry_uid(desk_id: str, seq: int) -> str:
    return f"{desk_id}-{seq}"


def entry_task_id(uid: str) -> str:
    """The queue task's id for a journalled booking: the same on every replay."""
    return "off" + hashlib.sha256(uid.encode("utf-8")).hexdigest()[:17]


# --- conflicts ---------------------------------------------------------------------------


class ConflictCode(StrEnum):
    NUMBER_TAKEN = "number_taken"  # another booking holds the block number
    CANCELLED = "cancelled_elsewhere"  # cancelled at another desk or on the website
    SCANNED_ELSEWHERE = "scanned_elsewhere"  # checked in or out elsewhere meanwhile
    UNKNOWN_BOOKING = "unknown_booking"  # a scan of a booking the store does not have
    NOT_SYNCED = "booking_not_synced"  # a scan of an offline booking that did not go in


@dataclass(frozen=True)
class Conflict:
    code: ConflictCode
    details: dict[str, Any] = field(default_factory=dict)


def booking_is_ours(document: dict[str, Any] | None, uid: str, booking: Booking) -> bool:
    """After a create refused because the number exists: is it this entry, from an
    earlier replay cut short? Its tag says so; a writer that rewrote the document whole
    (a check-in elsewhere) may have dropped the tag, so its creation stamp and address
    say so too."""
    if not document:
        return False
    if document.get(ENTRY_FIELD) == uid:
        return True
    try:
        created = Booking.from_document(document).created_at
    except (TypeError, ValueError):
        return False
    return created == booking.created_at and document.get("clientEmail") == booking.client_email


def replayed_booking_document(booking: Booking, uid: str) -> dict[str, Any]:
    doc = booking.to_document()
    doc[ENTRY_FIELD] = uid
    return doc


def number_taken(number: str, document: dict[str, Any] | None) -> Conflict:
    other = document or {}
    return Conflict(
        ConflictCode.NUMBER_TAKEN,
        {"number": number, "source": str(other.get("source") or ""), "status": other.get("status")},
    )


def _scanned_already(booking: Booking, uid: str) -> bool:
    return any(
        isinstance(h.get("details"), dict) and h["details"].get(ENTRY_FIELD) == uid
        for h in booking.history
    )


def replay_scan(
    booking: Booking | None,
    number: str,
    to: BookingStatus,
    operator: str,
    at: datetime,
    uid: str,
    *,
    desk: str = "",
) -> BookingChange | Conflict | None:
    """A check-in or check-out made offline at *at*, as the store now holds the booking:
    the change to write, a ``Conflict``, or None when this very scan is already in."""
    if booking is None:
        return Conflict(ConflictCode.UNKNOWN_BOOKING, {"number": number, "to": str(to)})
    if _scanned_already(booking, uid):
        return None
    problem = booking_rules.refusal(number, booking.status, to)
    if problem is not None:
        code = (
            ConflictCode.CANCELLED
            if booking.status == BookingStatus.CANCELLED
            else ConflictCode.SCANNED_ELSEWHERE
        )
        return Conflict(
            code,
            {
                "number": number,
                "to": str(to),
                "current": str(booking.status),
                "error": problem.code,
            },
        )
    change = booking_rules.change_status(booking, to, operator, at)
    history = list(change.booking.history)
    last = dict(history[-1])
    last["details"] = {**last.get("details", {}), ENTRY_FIELD: uid, "offline": True, "desk": desk}
    history[-1] = last
    return BookingChange(change.booking.with_changes(history=history))


def offline_create(
    booking: Booking, number: str, operator: str, now: datetime, uid: str, task_type: Any
) -> BookingChange:
    """A walk-in saved to the journal: numbered from the block, its confirmation task under
    the id the replay will use."""
    change = booking_rules.create(booking, number, operator, now, task_type)
    assert change.queued is not None
    return BookingChange(change.booking, queued=change.queued.with_changes(id=entry_task_id(uid)))
