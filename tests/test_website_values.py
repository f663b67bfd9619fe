"""The domain's reading of what the website writes: numbers as text, dates in any shape,
booking numbers of any kind, each either read or refused with a translatable reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parking_desk.booking import (
    MAX_BOOKING_NUMBER,
    Booking,
    UnreadableBooking,
    booking_document_id,
    read_booking_number,
)
from parking_desk.errors import MalformedTask, ValidationError
from parking_desk.messages import MESSAGES
from parking_desk.retry import RetryPolicy, claimed_too_often_error
from parking_desk.task import NotificationTask
from parking_desk.validation import validate_booking

ARRIVAL = datetime(2026, 12, 1, 10, tzinfo=UTC)


def data(**changes: object) -> dict:
    return {
        "clientName": "Ana",
        "plate": "B123ABC",
        "arrival": ARRIVAL,
        "departure": ARRIVAL + timedelta(days=3),
    } | changes


@pytest.mark.parametrize(
    ("number", "doc_id"),
    [
        ("867962", "867962"),
        ("12/34", None),
        (".", None),
        ("..", None),
        ("...", "..."),
        ("__x__", None),
        ("", None),
        ("7" * 1500, "7" * 1500),
        ("7" * 1501, None),
        ("ș" * 750, "ș" * 750),  # 1,500 bytes in UTF-8
        ("ș" * 751, None),
    ],
)
def test_booking_document_id_follows_firestore_rules(number: str, doc_id: str | None) -> None:
    assert booking_document_id(number) == doc_id


@pytest.mark.parametrize(
    ("value", "number"), [(867962, "867962"), (867962.0, "867962"), (" 12/34 ", "12/34")]
)
def test_booking_numbers_as_the_website_writes_them(value: object, number: str) -> None:
    assert read_booking_number(value) == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "bookingNumber"),
        (True, "bookingNumber"),
        ({"n": 1}, "bookingNumber"),
        (12.5, "not a whole number"),
        (float("nan"), "not a whole number"),
        ("7" * (MAX_BOOKING_NUMBER + 1), f"at most {MAX_BOOKING_NUMBER}"),
        ("12\n34", "control characters"),
    ],
)
def test_unusable_booking_numbers_make_a_malformed_task(value: object, reason: str) -> None:
    doc = {"type": "both", "bookingNumber": value, "clientEmail": "ana@client.example"}
    with pytest.raises(MalformedTask) as info:
        NotificationTask.from_document("t1", doc)
    assert reason in info.value.translated("en") and reason in info.value.translated("ro")


def test_numbers_and_names_written_as_text_are_read() -> None:
    doc = {
        "type": " Email ",
        "bookingNumber": 867962,
        "clientEmail": "ana@client.example",
        "attempts": "2",
        "maxAttempts": "5",
        "status": "PENDING",
    }
    task = NotificationTask.from_document("t1", doc)
    assert (task.type, task.booking_number, task.attempts, task.max_attempts) == (
        "email",
        "867962",
        2,
        5,
    )
    booking = Booking.from_document(data(passengers="3", arrival=ARRIVAL.isoformat()))
    assert booking.passengers == 3 and booking.arrival == ARRIVAL


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"passengers": "two"}, "booking.number_unreadable"),
        ({"passengers": -1}, "booking.number_unreadable"),
        ({"passengers": 2.5}, "booking.number_unreadable"),
        ({"arrival": "mâine"}, "booking.date_unreadable"),
        ({"departure": 8.64e18}, "booking.date_unreadable"),
        ({"departure": None}, "booking.no_dates"),
    ],
)
def test_unreadable_booking_fields_carry_a_translated_code(changes: dict, code: str) -> None:
    with pytest.raises(UnreadableBooking) as info:
        Booking.from_document(data(**changes), "867962")
    assert info.value.code == code and code in MESSAGES
    assert info.value.translated("ro") != info.value.translated("en")
    assert "invalid literal" not in str(info.value)


def test_dates_a_ticket_cannot_print_are_refused_but_the_booking_still_reads() -> None:
    far = Booking.from_document(data(departure=datetime(9999, 12, 31, tzinfo=UTC)))
    with pytest.raises(UnreadableBooking) as info:
        far.check_dates_printable()
    assert info.value.code == "booking.date_out_of_range"
    assert "9999" in info.value.translated("en") and "2099" in info.value.translated("ro")


def test_the_desk_refuses_the_same_years() -> None:
    booking = Booking(
        client_name="Ana Pădurean",
        client_email="ana@client.example",
        phone="+40722123456",
        plate="B123ABC",
        arrival=ARRIVAL,
        departure=datetime(9999, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(ValidationError) as info:
        validate_booking(booking)
    assert [e.code for e in info.value.for_field("departure")] == ["dates.out_of_range"]


def test_a_task_claimed_past_its_budget_is_not_sent_again() -> None:
    policy = RetryPolicy(max_attempts=10)
    assert not policy.claimed_too_often(10, 10)  # the tenth claim is the tenth try
    assert policy.claimed_too_often(11, 10)
    assert policy.claimed_too_often(4, 3)  # the task's own budget, below the setting
    assert policy.claimed_too_often(11, 20)  # capped by the setting: 10
    error = claimed_too_often_error(11)
    assert error.code in MESSAGES and error.message == "Claimed 11 times without finishing."
