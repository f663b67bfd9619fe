"""The journal and the replay rules on their own: numbers from the blocks, entries kept
across a restart, and what a replayed scan does with the booking as the store holds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fault_tools import walk_in

from parking_desk import offline_rules
from parking_desk.booking import BookingStatus
from parking_desk.errors import ValidationError
from parking_desk.offline_rules import Conflict, ConflictCode, NumberBlock
from parking_desk.services.offline.journal import EntryState, Journal, OutOfNumbers
from parking_desk.task import TaskType

NOW = datetime(2026, 12, 1, 10, 5, tzinfo=UTC)


def book(journal: Journal, n: int, when: datetime = NOW) -> str:
    booking = walk_in(n)

    def build(number: str, uid: str):
        change = offline_rules.offline_create(booking, number, "ana", when, uid, TaskType.BOTH)
        return change.booking, change.queued.id, change.queued.to_document()

    return journal.add_booking("ana", when, build).number


def test_numbers_come_from_the_blocks_in_order_and_survive_a_restart(tmp_path: Path) -> None:
    journal = Journal.in_folder(tmp_path)
    journal.add_block(NumberBlock(1_234_500, 3), NOW)
    journal.add_block(NumberBlock(7_000_000, 3), NOW + timedelta(seconds=1))
    first = [book(journal, n) for n in range(4)]
    assert first == ["1234500", "1234501", "1234502", "7000000"]
    desk_id = journal.desk_id
    journal.close()

    again = Journal.in_folder(tmp_path)
    assert again.desk_id == desk_id
    assert [e.number for e in again.entries(EntryState.WAITING)] == first
    assert [book(again, n) for n in range(4, 6)] == ["7000001", "7000002"]
    with pytest.raises(OutOfNumbers):
        book(again, 6)
    waiting = again.waiting()
    assert (waiting.bookings, waiting.scans) == (6, 0)
    # What the ticket showed is what the journal will replay.
    entry = again.entries()[0]
    assert entry.body["booking"]["bookingNumber"] == "1234500"
    assert entry.body["booking"]["createdAt"] == NOW
    assert entry.body["taskId"] == offline_rules.entry_task_id(entry.uid)


def test_a_booking_that_does_not_validate_takes_no_number(tmp_path: Path) -> None:
    journal = Journal.in_folder(tmp_path)
    journal.add_block(NumberBlock(2_000_000, 5), NOW)
    bad = walk_in(1).with_changes(client_email="not an address")

    def build(number: str, uid: str):
        change = offline_rules.offline_create(bad, number, "ana", NOW, uid, TaskType.BOTH)
        return change.booking, change.queued.id, change.queued.to_document()

    with pytest.raises(ValidationError):
        journal.add_booking("ana", NOW, build)
    assert book(journal, 2) == "2000000"
    assert journal.spare_numbers() == 4


def test_blocks_are_seven_digits_and_a_new_one_is_wanted_at_half() -> None:
    block = offline_rules.random_block()
    assert all(offline_rules.is_block_number(block.number(i)) for i in (0, block.size - 1))
    assert not offline_rules.is_block_number("867962")
    assert offline_rules.needs_block(50, 100) and not offline_rules.needs_block(51, 100)


def stored(status: BookingStatus):
    return walk_in(3).with_changes(booking_number="1000003", status=status)


def test_a_replayed_scan_applies_once_and_never_over_another_desks_change() -> None:
    uid = "desk1-7"
    done = offline_rules.replay_scan(
        stored(BookingStatus.CONFIRMED), "1000003", BookingStatus.CHECKED_IN, "ana", NOW, uid
    )
    assert not isinstance(done, Conflict) and done is not None
    assert done.booking.status == BookingStatus.CHECKED_IN
    assert done.booking.checked_in_at == NOW  # when the car came in, not when it synced
    # The same scan again (a replay cut short): nothing to do.
    twice = offline_rules.replay_scan(
        done.booking, "1000003", BookingStatus.CHECKED_IN, "ana", NOW, uid
    )
    assert twice is None
    cancelled = offline_rules.replay_scan(
        stored(BookingStatus.CANCELLED), "1000003", BookingStatus.CHECKED_IN, "ana", NOW, uid
    )
    assert isinstance(cancelled, Conflict) and cancelled.code == ConflictCode.CANCELLED
    elsewhere = offline_rules.replay_scan(
        stored(BookingStatus.CHECKED_IN), "1000003", BookingStatus.CHECKED_IN, "ana", NOW, uid
    )
    assert isinstance(elsewhere, Conflict) and elsewhere.code == ConflictCode.SCANNED_ELSEWHERE
    unknown = offline_rules.replay_scan(None, "1000003", BookingStatus.CHECKED_IN, "ana", NOW, uid)
    assert isinstance(unknown, Conflict) and unknown.code == ConflictCode.UNKNOWN_BOOKING
