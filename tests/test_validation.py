"""Each validation rule, as the desk form relies on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parking_desk.booking import Booking
from parking_desk.errors import ValidationError
from parking_desk.validation import normalise_plate, validate_booking

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def booking(**changes) -> Booking:
    base = Booking(
        client_name="Ștefan Țăranu",
        client_email="stefan@example.ro",
        phone="0722 123 456",
        plate="B 123 ABC",
        arrival=NOW,
        departure=NOW + timedelta(days=7),
    )
    return base.with_changes(**changes)


def errors_of(b: Booking) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        validate_booking(b)
    return {e.field: e.code for e in info.value.errors}


def test_valid_booking_is_normalised() -> None:
    result = validate_booking(
        booking(client_name="  Ștefan   Țăranu ", client_email="Stefan@Example.RO")
    )
    b = result.booking
    assert b.client_name == "Ștefan Țăranu"
    assert b.plate == "B123ABC"
    assert b.phone == "+40722123456"
    assert b.client_email == "Stefan@example.ro"  # domain part normalised, local part kept
    assert result.warnings == []


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("cj-12 xyz", "CJ12XYZ"), ("b 101 abc", "B101ABC"), (" IF.05.AAA ", "IF05AAA")],
)
def test_plate_is_normalised(raw: str, normalised: str) -> None:
    assert normalise_plate(raw) == normalised


@pytest.mark.parametrize("plate", ["D 12345 X", "M AB 1234", "123456"])
def test_foreign_plate_is_a_warning_not_an_error(plate: str) -> None:
    result = validate_booking(booking(plate=plate))
    assert [(w.field, w.code, w.severity) for w in result.warnings] == [
        ("plate", "plate.not_romanian", "warning")
    ]


@pytest.mark.parametrize("plate", ["B12ABC", "CJ12XYZ", "B123ABC", "IF05AAA"])
def test_romanian_plates_give_no_warning(plate: str) -> None:
    assert validate_booking(booking(plate=plate)).warnings == []


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"client_name": ""}, "clientName", "field.required"),
        ({"client_name": "x" * 121}, "clientName", "field.too_long"),
        ({"client_name": "Ion\r\nBcc: victim@example.com"}, "clientName", "field.control_chars"),
        ({"client_email": ""}, "clientEmail", "field.required"),
        ({"client_email": "ion@"}, "clientEmail", "email.invalid"),
        ({"client_email": "ion popescu@example.ro"}, "clientEmail", "email.invalid"),
        ({"phone": "12"}, "phone", "phone.invalid"),
        ({"phone": "not a phone"}, "phone", "phone.invalid"),
        ({"plate": ""}, "plate", "field.required"),
        ({"plate": "B123ÄBC"}, "plate", "plate.invalid"),
        ({"plate": "B1/23"}, "plate", "plate.invalid"),
        ({"plate": "A" * 13}, "plate", "field.too_long"),
        ({"departure": NOW}, "departure", "dates.departure_before_arrival"),
        ({"departure": NOW - timedelta(hours=1)}, "departure", "dates.departure_before_arrival"),
        ({"departure": NOW + timedelta(days=400)}, "departure", "dates.too_long_stay"),
        ({"arrival": datetime(2026, 11, 28, 9, 0)}, "arrival", "dates.not_timezone_aware"),
        ({"passengers": 0}, "passengers", "passengers.range"),
        ({"passengers": 10}, "passengers", "passengers.range"),
        ({"notes": "n" * 1001}, "notes", "field.too_long"),
        ({"notes": "line\x00"}, "notes", "field.control_chars"),
        ({"language": "de"}, "language", "language.invalid"),
    ],
)
def test_each_rule_names_its_field(changes: dict, field: str, code: str) -> None:
    assert errors_of(booking(**changes)).get(field) == code


def test_all_errors_reported_at_once() -> None:
    found = errors_of(booking(client_name="", client_email="bad", phone="1", passengers=0))
    assert set(found) == {"clientName", "clientEmail", "phone", "passengers"}


def test_notes_may_span_lines() -> None:
    assert validate_booking(booking(notes="Scaun copil\nBagaj mare")).booking.notes


def test_errors_are_translated() -> None:
    with pytest.raises(ValidationError) as info:
        validate_booking(booking(departure=NOW - timedelta(days=1)))
    err = info.value.for_field("departure")[0]
    assert err.text("ro") == "Plecarea trebuie să fie după sosire."
    assert err.text("en") == "Departure must be after arrival."


def test_romanian_texts_use_comma_below() -> None:
    from parking_desk.messages import MESSAGES

    for code, texts in MESSAGES.items():
        assert not set(texts["ro"]) & set("şţŞŢ"), code
