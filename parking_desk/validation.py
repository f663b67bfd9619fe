"""Field-by-field validation of a booking, before it ever reaches a store.

Returns every problem at once (a form marks them all in one pass). A plate that does not
look Romanian is a *warning*: foreign and temporary plates are common at airports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from parking_desk.booking import EARLIEST, FIRST_YEAR, LAST_YEAR, LATEST, Booking, Source
from parking_desk.errors import FieldError, ValidationError

MAX_NAME = 120
MAX_EMAIL = 254
MAX_PHONE = 32
MAX_PLATE = 12
MAX_NOTES = 1000
MIN_PASSENGERS, MAX_PASSENGERS = 1, 9
MAX_STAY_DAYS = 366

# County code (B or two letters) + 2–3 digits + 3 letters; Bucharest also has B + 3 digits.
ROMANIAN_PLATE = re.compile(
    r"^(?:B\d{2,3}|(?:AB|AR|AG|BC|BH|BN|BT|BV|BR|BZ|CS|CL|CJ|CT|CV|DB|DJ|GL|GR|GJ|HR|HD|IL|IS|IF|"
    r"MM|MH|MS|NT|OT|PH|SM|SJ|SB|SV|TR|TM|TL|VS|VL|VN)\d{2})[A-Z]{3}$"
)


def normalise_plate(text: str) -> str:
    """Upper case, no spaces, hyphens or dots: "cj-12 xyz" → "CJ12XYZ"."""
    return re.sub(r"[\s\-.·]+", "", text or "").upper()


def has_control_chars(text: str) -> bool:
    """True for CR, LF, NUL and other control or format characters (header injection)."""
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


@dataclass(frozen=True)
class ValidatedBooking:
    booking: Booking
    warnings: list[FieldError]


def validate_booking(booking: Booking) -> ValidatedBooking:
    """Normalise *booking* and check every field; raise ``ValidationError`` listing all errors."""
    errors: list[FieldError] = []
    warnings: list[FieldError] = []

    def text_field(
        name: str, value: str, max_len: int, required: bool, multiline: bool = False
    ) -> str:
        value = (value or "").strip()
        if required and not value:
            errors.append(FieldError(name, "field.required"))
        elif len(value) > max_len:
            errors.append(FieldError(name, "field.too_long", {"max": max_len}))
        elif has_control_chars(value.replace("\n", "").replace("\t", "") if multiline else value):
            errors.append(FieldError(name, "field.control_chars"))
        return value

    name = " ".join(text_field("clientName", booking.client_name, MAX_NAME, True).split())

    email = text_field("clientEmail", booking.client_email, MAX_EMAIL, True)
    if email and not any(e.field == "clientEmail" for e in errors):
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors.append(FieldError("clientEmail", "email.invalid", {"reason": str(exc)}))

    phone = text_field("phone", booking.phone, MAX_PHONE, True)
    if phone and not any(e.field == "phone" for e in errors):
        try:
            parsed = phonenumbers.parse(phone, "RO")
            if not phonenumbers.is_valid_number(parsed):
                raise phonenumbers.NumberParseException(0, "invalid")
            phone = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            errors.append(FieldError("phone", "phone.invalid"))

    plate = normalise_plate(text_field("plate", booking.plate, MAX_PLATE + 6, True))
    if plate and not any(e.field == "plate" for e in errors):
        if len(plate) > MAX_PLATE:
            errors.append(FieldError("plate", "field.too_long", {"max": MAX_PLATE}))
        elif not plate.isalnum() or not plate.isascii():
            errors.append(FieldError("plate", "plate.invalid"))
        elif not ROMANIAN_PLATE.match(plate):
            warnings.append(FieldError("plate", "plate.not_romanian", severity="warning"))

    notes = text_field("notes", booking.notes, MAX_NOTES, False, multiline=True)

    arrival, departure = booking.arrival, booking.departure
    for field_name, value in (("arrival", arrival), ("departure", departure)):
        if not isinstance(value, datetime):
            errors.append(FieldError(field_name, "field.required"))
        elif value.tzinfo is None:
            errors.append(FieldError(field_name, "dates.not_timezone_aware"))
    for field_name, value in (("arrival", arrival), ("departure", departure)):
        if field_name not in {e.field for e in errors} and not EARLIEST <= value < LATEST:
            # The same years a website booking must keep to (``Booking.check_dates_printable``).
            errors.append(
                FieldError(
                    field_name, "dates.out_of_range", {"first": FIRST_YEAR, "last": LAST_YEAR}
                )
            )
    if not any(e.field in ("arrival", "departure") for e in errors):
        if departure <= arrival:
            errors.append(FieldError("departure", "dates.departure_before_arrival"))
        elif departure - arrival > timedelta(days=MAX_STAY_DAYS):
            errors.append(
                FieldError("departure", "dates.too_long_stay", {"max_days": MAX_STAY_DAYS})
            )

    passengers = booking.passengers
    if (
        isinstance(passengers, bool)
        or not isinstance(passengers, int)
        or not (MIN_PASSENGERS <= passengers <= MAX_PASSENGERS)
    ):
        errors.append(
            FieldError(
                "passengers", "passengers.range", {"min": MIN_PASSENGERS, "max": MAX_PASSENGERS}
            )
        )

    if booking.language not in ("ro", "en"):
        errors.append(FieldError("language", "language.invalid", {"value": booking.language}))
    try:
        source = Source(booking.source)
    except ValueError:
        errors.append(FieldError("source", "source.invalid", {"value": booking.source}))
        source = Source.DESK

    if errors:
        raise ValidationError(errors)
    clean = booking.with_changes(
        client_name=name, client_email=email, phone=phone, plate=plate, notes=notes, source=source
    )
    return ValidatedBooking(clean, warnings)
