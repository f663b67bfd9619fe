"""Undoing a scan within the shift, and the reads behind the shift report, on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contract_data import LEASE, T0, booking

from parking_desk.booking import BookingStatus, Source
from parking_desk.errors import InvalidTransition
from parking_desk.services import shift_report as sr
from parking_desk.services.store import Store
from parking_desk.task import LastError

SHIFT = T0 - timedelta(hours=1)  # the undo window's start: the shift began an hour before T0
ANA, DAN = "Ana (staff)", "Dan (supervisor)"
REJECTED = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)


def test_a_check_in_undone_is_confirmed_again_with_who_undid_it(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    number = saved.booking_number
    store.set_booking_status(number, BookingStatus.CHECKED_IN, operator=ANA, now=T0)

    undone = store.undo_scan(number, operator=DAN, not_before=SHIFT, now=T0 + timedelta(minutes=2))

    stored = store.get_booking(number)
    assert stored == undone
    assert stored.status == BookingStatus.CONFIRMED and stored.checked_in_at is None
    last = stored.history[-1]
    assert last["action"] == "undo" and last["by"] == DAN
    assert last["details"]["undid"] == "checked_in" and last["details"]["scanBy"] == ANA
    assert last["details"]["scanAt"] == T0
    audit = store.audit_log()
    assert [(e.action, e.operator) for e in audit] == [("undo", DAN)]
    assert audit[0].details["bookingNumber"] == number
    assert audit[0].details["undid"] == "checked_in" and audit[0].details["scanBy"] == ANA
    # Checked in again afterwards, as if the first scan had never been.
    again = store.set_booking_status(number, BookingStatus.CHECKED_IN, operator=ANA, now=T0)
    assert again.status == BookingStatus.CHECKED_IN


def test_a_check_out_undone_leaves_the_car_on_the_lot_then_its_check_in_may_go(
    store: Store,
) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    number = saved.booking_number
    store.set_booking_status(number, BookingStatus.CHECKED_IN, operator=ANA, now=T0)
    store.set_booking_status(
        number, BookingStatus.CHECKED_OUT, operator=ANA, now=T0 + timedelta(seconds=20)
    )

    back = store.undo_scan(number, operator=ANA, not_before=SHIFT, now=T0 + timedelta(minutes=1))
    assert back.status == BookingStatus.CHECKED_IN
    assert back.checked_out_at is None and back.checked_in_at == T0
    first = store.undo_scan(number, operator=ANA, not_before=SHIFT, now=T0 + timedelta(minutes=2))
    assert first.status == BookingStatus.CONFIRMED
    with pytest.raises(InvalidTransition) as refused:
        store.undo_scan(number, operator=ANA, not_before=SHIFT, now=T0 + timedelta(minutes=3))
    assert refused.value.code == "error.nothing_to_undo"


def test_a_scan_from_before_the_shift_cannot_be_undone(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    number = saved.booking_number
    store.set_booking_status(number, BookingStatus.CHECKED_IN, operator=ANA, now=T0)

    later = T0 + timedelta(hours=13)
    with pytest.raises(InvalidTransition) as refused:
        store.undo_scan(number, operator=ANA, not_before=later - timedelta(hours=12), now=later)

    assert refused.value.code == "error.undo_too_late"
    assert store.get_booking(number).status == BookingStatus.CHECKED_IN
    assert store.audit_log() == []


@pytest.mark.parametrize("status", [BookingStatus.CONFIRMED, BookingStatus.CANCELLED])
def test_nothing_to_undo_without_a_scan(store: Store, status: BookingStatus) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    if status == BookingStatus.CANCELLED:
        store.set_booking_status(saved.booking_number, status, operator=ANA, now=T0)
    with pytest.raises(InvalidTransition) as refused:
        store.undo_scan(saved.booking_number, operator=ANA, not_before=SHIFT, now=T0)
    assert refused.value.code == "error.nothing_to_undo"


def test_the_shift_report_counts_what_each_person_did(store: Store) -> None:
    end = T0 + timedelta(hours=8)
    walk_in, _ = store.create_booking(booking(created_by=ANA), now=T0)
    web, _ = store.create_booking(booking(source=Source.WEB, plate="CJ 01 WEB"), now=T0)
    before, _ = store.create_booking(booking(created_by=DAN), now=SHIFT - timedelta(hours=3))
    n1, n2, n3 = walk_in.booking_number, web.booking_number, before.booking_number
    at = T0 + timedelta(minutes=10)
    store.set_booking_status(n1, BookingStatus.CHECKED_IN, operator=ANA, now=at)
    store.set_booking_status(n2, BookingStatus.CHECKED_IN, operator=ANA, now=at)
    store.undo_scan(n2, operator=DAN, not_before=SHIFT, now=at + timedelta(minutes=1))
    store.set_booking_status(n1, BookingStatus.CHECKED_OUT, operator=DAN, now=at)
    store.amend_booking(n2, {"notes": "rack"}, operator=ANA, now=at)
    store.set_booking_status(n3, BookingStatus.CANCELLED, operator=DAN, now=at)
    # The walk-in's confirmation fails in the shift; the booking from before's a day later.
    tasks = store.claim_due("w1", 10, LEASE, now=at)
    by_number = {t.booking_number: t for t in tasks}
    store.fail_permanent(by_number[n1], "w1", REJECTED, now=at + timedelta(minutes=5))
    store.fail_permanent(by_number[n3], "w1", REJECTED, now=end + timedelta(days=1))
    # After the shift: not in the report.
    store.set_booking_status(n2, BookingStatus.CHECKED_IN, operator=ANA, now=end)

    everyone = sr.shift_report(store, SHIFT, end)
    ana = sr.shift_report(store, SHIFT, end, "Ana")
    dan = sr.shift_report(store, SHIFT, end, "dan")

    assert everyone.counts == {
        "walk_in": 1,
        "check_in": 1,
        "check_out": 1,
        "cancellation": 1,
        "amendment": 1,
        "undo": 1,
        "email_failed": 1,
        "queue_action": 0,
    }
    assert {k: v for k, v in ana.counts.items() if v} == {
        "walk_in": 1,
        "check_in": 1,
        "amendment": 1,
        "email_failed": 1,
    }
    assert {k: v for k, v in dan.counts.items() if v} == {
        "check_out": 1,
        "cancellation": 1,
        "undo": 1,
    }
    failed = [e for e in ana.events if e.kind == "email_failed"]
    assert [(e.booking_number, e.detail) for e in failed] == [(n1, "smtp.550")]
    assert [e.booking_number for e in dan.events if e.kind == "undo"] == [n2]


def test_the_shift_reads_are_bounded_by_the_span(store: Store) -> None:
    store.record_audit(ANA, "retry", ["t1"], now=SHIFT - timedelta(seconds=1))
    store.record_audit(ANA, "retry", ["t2"], now=SHIFT)
    store.record_audit(ANA, "cancel", ["t3"], now=T0)
    store.record_audit(ANA, "retry", ["t4"], now=T0 + timedelta(hours=1))
    old, _ = store.create_booking(booking(), now=SHIFT - timedelta(days=2))
    new, _ = store.create_booking(booking(), now=T0)

    audit = store.audit_between(SHIFT, T0 + timedelta(hours=1))
    changed = store.bookings_changed_since(SHIFT)

    assert [e.task_ids for e in audit] == [["t2"], ["t3"]]
    assert [b.booking_number for b in changed] == [new.booking_number]
    report = sr.shift_report(store, SHIFT, T0 + timedelta(hours=1), "Ana")
    assert report.counts["queue_action"] == 2
    assert old.booking_number not in {e.booking_number for e in report.events}


def test_the_export_takes_the_stays_that_touch_the_range(store: Store) -> None:
    from parking_desk.services.booking_export import bookings_in_range

    start, end = T0, T0 + timedelta(days=7)
    made = {}
    for name, arrive, leave in (
        ("inside", 1, 3),
        ("over_start", -2, 0.5),
        ("over_end", 6, 9),
        ("before", -5, -1),
        ("after", 7, 8),
    ):
        saved, _ = store.create_booking(
            booking(arrival=T0 + timedelta(days=arrive), departure=T0 + timedelta(days=leave)),
            now=T0,
        )
        made[name] = saved.booking_number

    found = [b.booking_number for b in bookings_in_range(store, start, end)]

    assert found == [made["over_start"], made["inside"], made["over_end"]]
