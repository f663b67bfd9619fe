"""What the store holds is never overwritten by a desk's journal: a booking cancelled at
another desk while this one checked it in offline, a block number someone else wrote, a
genuine ticket for a booking the store does not know. Each ends in the desk's list for
staff and in the audit log; everything else of the journal goes in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fault_tools import walk_in

from parking_desk.booking import BookingStatus
from parking_desk.errors import StoreUnavailable
from parking_desk.services.offline import offline_desk, ticket_booking
from parking_desk.services.offline.journal import EntryState
from parking_desk.services.store import open_firestore
from parking_desk.timeutil import utcnow

pytestmark = [pytest.mark.firestore, pytest.mark.timeout(300)]


def test_conflicts_go_to_the_staff_list_and_the_audit_log(tmp_path: Path, firestore_db) -> None:
    other = open_firestore(firestore_db.project)  # another desk, always online
    desk = offline_desk(
        open_firestore(firestore_db.project), tmp_path, machine="desk A", probe_s=0.2
    )
    assert desk is not None
    desk.start()
    try:
        assert desk.syncer.idle.wait(60)
        stale, _ = other.create_booking(walk_in(1))
        assert desk.get_booking(stale.booking_number) is not None  # desk A's copy: confirmed
        other.set_booking_status(stale.booking_number, BookingStatus.CANCELLED, operator="bob")
        # A number of desk A's block written by someone who ignores blocks.
        block, used = desk.journal.blocks()[0]
        squatted = block.number(used + 1)
        squatter = walk_in(2).with_changes(booking_number=squatted)
        other.bookings._db.collection("bookings").document(squatted).set(squatter.to_document())

        firestore_db.pause()
        try:
            desk.went_offline("test")
            first, _ = desk.create_booking(walk_in(3))  # the number before the squatted one
            taken, _ = desk.create_booking(walk_in(4))
            assert taken.booking_number == squatted
            checked = desk.set_booking_status(
                stale.booking_number, BookingStatus.CHECKED_IN, operator="ana"
            )
            assert checked.status == BookingStatus.CHECKED_IN
            # The desk's scan of its own booking whose number turns out taken.
            desk.set_booking_status(squatted, BookingStatus.CHECKED_IN, operator="ana")
            # A genuine ticket for a booking the desk never saw.
            stand_in = ticket_booking(desk, "1999999", "B777XYZ", utcnow() + timedelta(days=2))
            assert stand_in is not None
            desk.set_booking_status("1999999", BookingStatus.CHECKED_IN, operator="ana")
            with pytest.raises(StoreUnavailable):
                desk.amend_booking(first.booking_number, {"notes": "x"}, operator="ana")
        finally:
            firestore_db.resume()
        desk.syncer.idle.clear()
        assert desk.syncer.idle.wait(120)

        kinds = sorted((e.kind, e.conflict) for e in desk.journal.entries(EntryState.CONFLICT))
        assert kinds == [
            ("booking", "number_taken"),
            ("scan", "booking_not_synced"),
            ("scan", "cancelled_elsewhere"),
            ("scan", "unknown_booking"),
        ]
        assert desk.status().conflicts == 4
        # Nothing overwritten: the cancellation and the other booking stand.
        assert other.get_booking(stale.booking_number).status == BookingStatus.CANCELLED
        assert other.get_booking(squatted).client_name == squatter.client_name
        assert other.get_booking("1999999") is None
        # The rest went in.
        assert other.get_booking(first.booking_number).client_name == "Client 3"
        audit = [a for a in other.audit_log() if a.action == "offline_conflict"]
        assert sorted(a.details["conflict"] for a in audit) == sorted(k for _, k in kinds)
        assert all(a.details["desk"] == "desk A" for a in audit)
    finally:
        desk.close()
        other.close()
