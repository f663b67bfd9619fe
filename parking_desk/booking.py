"""The booking, as the desk and the website share it in ``bookings/{bookingNumber}``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from parking_desk.errors import ParkingDeskError
from parking_desk.search_text import search_tokens
from parking_desk.timeutil import as_utc

HISTORY_LIMIT = 50
# The longest booking number a queue document may carry; the website's are six digits.
MAX_BOOKING_NUMBER = 64
# Dates a booking may have: anything else is a writer's bug (epoch seconds read as
# milliseconds, JavaScript's far-future sentinels) that no ticket or e-mail should print.
FIRST_YEAR, LAST_YEAR = 2000, 2099
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
MAX_PASSENGERS_READ = 99


class UnreadableBooking(ParkingDeskError, ValueError):
    """A booking field another writer (the website) left in a shape no retry will fix. A
    ``ValueError`` too, for callers that only need to know the booking did not read."""

    code = "booking.unreadable"

    def __str__(self) -> str:
        return self.translated("en")


def shown(value: Any, limit: int = 40) -> str:
    """A stored value as a supervisor may read it in a reason: one line, bounded."""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_booking_number(value: Any) -> str:
    """A booking number as the website may write it: text, or a JavaScript number (an
    integral double reads as the integer, ``867962.0`` as ``"867962"``). Raises
    ``ValueError`` with a readable reason for anything else."""
    if isinstance(value, bool) or value is None:
        raise ValueError("missing or invalid bookingNumber")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"bookingNumber {shown(value)} is not a whole number")
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("missing or invalid bookingNumber")
    text = value.strip()
    if len(text) > MAX_BOOKING_NUMBER:
        raise ValueError(
            f"bookingNumber is {len(text)} characters long (at most {MAX_BOOKING_NUMBER})"
        )
    if any(not ch.isprintable() for ch in text):
        raise ValueError("bookingNumber contains control characters")
    return text


def read_count(value: Any, key: str, default: int) -> int:
    """A whole number the website may have written as a number or as text (``"3"``)."""
    if value is None or value == "":
        return default
    number: float
    if isinstance(value, bool):
        raise UnreadableBooking(code="booking.number_unreadable", field=key, value=shown(value))
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            raise UnreadableBooking(
                code="booking.number_unreadable", field=key, value=shown(value)
            ) from None
    else:
        raise UnreadableBooking(code="booking.number_unreadable", field=key, value=shown(value))
    if not math.isfinite(number) or not float(number).is_integer() or number < 0:
        raise UnreadableBooking(code="booking.number_unreadable", field=key, value=shown(value))
    return int(number)


def read_date(value: Any, key: str) -> datetime | None:
    """A timestamp, ISO text or epoch milliseconds as UTC; ``UnreadableBooking`` if it is
    none of them."""
    try:
        return as_utc(value)
    except (TypeError, ValueError, OverflowError, OSError):
        raise UnreadableBooking(
            code="booking.date_unreadable", field=key, value=shown(value)
        ) from None


def date_in_range(value: datetime, key: str) -> None:
    """Refuse a date no ticket or e-mail should print (see ``EARLIEST``/``LATEST``)."""
    if not EARLIEST <= value < LATEST:
        raise UnreadableBooking(
            code="booking.date_out_of_range",
            field=key,
            value=shown(value),
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    CANCELLED = "cancelled"


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Source(StrEnum):
    DESK = "desk"
    WEB = "web"
    TEST_MODE = "test_mode"


@dataclass
class Booking:
    client_name: str
    client_email: str
    phone: str
    plate: str
    arrival: datetime
    departure: datetime
    passengers: int = 1
    notes: str = ""
    language: str = "ro"
    source: Source = Source.DESK
    status: BookingStatus = BookingStatus.CONFIRMED
    booking_number: str | None = None
    created_at: datetime | None = None
    created_by: str = ""
    updated_at: datetime | None = None
    email_status: EmailStatus = EmailStatus.PENDING
    email_sent_at: datetime | None = None
    qr_code_generated: bool = False
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    # Bounded list of {at, by, action, details}: amendments, check-in/out, resends.
    history: list[dict[str, Any]] = field(default_factory=list)

    def with_changes(self, **changes: Any) -> Booking:
        return replace(self, **changes)

    def booking_data(self) -> dict[str, Any]:
        """The ``bookingData`` snapshot a queue task carries, as the website's addToQueue does."""
        return {
            "bookingNumber": self.booking_number,
            "clientName": self.client_name,
            "clientEmail": self.client_email,
            "phone": self.phone,
            "plate": self.plate,
            "arrival": self.arrival,
            "departure": self.departure,
            "passengers": self.passengers,
            "notes": self.notes,
            "language": self.language,
        }

    def to_document(self) -> dict[str, Any]:
        return {
            "bookingNumber": self.booking_number,
            "clientName": self.client_name,
            "clientEmail": self.client_email,
            "phone": self.phone,
            "plate": self.plate,
            "arrival": self.arrival,
            "departure": self.departure,
            "passengers": self.passengers,
            "notes": self.notes,
            "language": self.language,
            "source": str(self.source),
            "status": str(self.status),
            "createdAt": self.created_at,
            "createdBy": self.created_by,
            "updatedAt": self.updated_at,
            "emailStatus": str(self.email_status),
            "emailSentAt": self.email_sent_at,
            "qrCodeGenerated": self.qr_code_generated,
            "checkedInAt": self.checked_in_at,
            "checkedOutAt": self.checked_out_at,
            "history": list(self.history[-HISTORY_LIMIT:]),
            # Lower-cased copy for prefix search by name (Firestore has no case-insensitive query).
            "clientNameLower": self.client_name.casefold(),
            # Folded runs of letters of every word, for search by any part (search_text.py).
            "searchTokens": search_tokens(self),
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any], number: str | None = None) -> Booking:
        """Read a booking document, tolerating the website's looser shapes: numbers as text,
        dates as ISO text or epoch milliseconds, unknown fields and fields of another type
        (ignored, or read as empty where the booking can do without them).

        Raises ``UnreadableBooking`` (a ``ValueError``) with a translatable code when the
        arrival, the departure or the passenger count cannot be read.
        """
        if not isinstance(doc, dict):
            raise UnreadableBooking(code="booking.unreadable")

        def enum(kind: type[StrEnum], key: str, default: StrEnum) -> Any:
            value = doc.get(key)
            try:
                return kind(value.strip().lower() if isinstance(value, str) else default)
            except ValueError:
                return default

        def text(key: str) -> str:
            value = doc.get(key)
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                return ""
            return str(value)

        def stamp(key: str) -> datetime | None:
            # Bookkeeping times nobody prints: one that does not read is left out.
            try:
                return read_date(doc.get(key), key)
            except UnreadableBooking:
                return None

        arrival = read_date(doc.get("arrival"), "arrival")
        departure = read_date(doc.get("departure"), "departure")
        if arrival is None or departure is None:
            raise UnreadableBooking(code="booking.no_dates", number=shown(number or ""))
        passengers = read_count(doc.get("passengers"), "passengers", 1) or 1
        if passengers > MAX_PASSENGERS_READ:
            raise UnreadableBooking(
                code="booking.number_unreadable", field="passengers", value=shown(passengers)
            )
        try:
            booking_number: str | None = read_booking_number(doc.get("bookingNumber"))
        except ValueError:
            booking_number = str(number).strip() if number is not None else None
        history = doc.get("history")
        language = text("language").strip().lower()
        return cls(
            booking_number=booking_number or None,
            client_name=text("clientName"),
            client_email=text("clientEmail"),
            phone=text("phone"),
            plate=text("plate"),
            arrival=arrival,
            departure=departure,
            passengers=passengers,
            notes=text("notes"),
            language=language if language in ("ro", "en") else "ro",
            source=enum(Source, "source", Source.WEB),
            status=enum(BookingStatus, "status", BookingStatus.CONFIRMED),
            created_at=stamp("createdAt"),
            created_by=text("createdBy"),
            updated_at=stamp("updatedAt"),
            email_status=enum(EmailStatus, "emailStatus", EmailStatus.PENDING),
            email_sent_at=stamp("emailSentAt"),
            qr_code_generated=bool(doc.get("qrCodeGenerated")),
            checked_in_at=stamp("checkedInAt"),
            checked_out_at=stamp("checkedOutAt"),
            history=[h for h in history if isinstance(h, dict)]
            if isinstance(history, list)
            else [],
        )

    def check_dates_printable(self) -> None:
        """Raise ``UnreadableBooking`` unless both dates are ones a ticket and an e-mail can
        print: a departure in year 9999 would otherwise overflow the ticket's validity."""
        date_in_range(self.arrival, "arrival")
        date_in_range(self.departure, "departure")


# Firestore's rules for a document id: not "." or "..", no "/", not "__…__", ≤ 1,500 bytes.
_MAX_ID_BYTES = 1500


def booking_document_id(number: str) -> str | None:
    """The id of the booking's document in ``bookings/``, or None when *number* cannot be
    one (the website may write any string): such a booking is not in the store, and a
    task naming it is still sent and settled."""
    text = str(number).strip()
    if (
        not text
        or text in (".", "..")
        or "/" in text
        or (text.startswith("__") and text.endswith("__"))
        or len(text.encode("utf-8", "surrogatepass")) > _MAX_ID_BYTES
    ):
        return None
    return text
