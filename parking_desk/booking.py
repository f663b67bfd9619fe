"""The booking, as the desk and the website share it in ``bookings/{bookingNumber}``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from parking_desk.timeutil import as_utc

HISTORY_LIMIT = 50


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
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any], number: str | None = None) -> Booking:
        """Read a booking document, tolerating the website's looser shapes.

        Raises ``ValueError`` when a required field is missing or unreadable.
        """

        def enum(kind: type[StrEnum], key: str, default: StrEnum) -> Any:
            try:
                return kind(doc.get(key) or default)
            except ValueError:
                return default

        arrival = as_utc(doc.get("arrival"))
        departure = as_utc(doc.get("departure"))
        if arrival is None or departure is None:
            raise ValueError("booking without arrival/departure")
        return cls(
            booking_number=str(doc.get("bookingNumber") or number or "") or None,
            client_name=str(doc.get("clientName") or ""),
            client_email=str(doc.get("clientEmail") or ""),
            phone=str(doc.get("phone") or ""),
            plate=str(doc.get("plate") or ""),
            arrival=arrival,
            departure=departure,
            passengers=int(doc.get("passengers") or 1),
            notes=str(doc.get("notes") or ""),
            language=str(doc.get("language") or "ro"),
            source=enum(Source, "source", Source.WEB),
            status=enum(BookingStatus, "status", BookingStatus.CONFIRMED),
            created_at=as_utc(doc.get("createdAt")),
            created_by=str(doc.get("createdBy") or ""),
            updated_at=as_utc(doc.get("updatedAt")),
            email_status=enum(EmailStatus, "emailStatus", EmailStatus.PENDING),
            email_sent_at=as_utc(doc.get("emailSentAt")),
            qr_code_generated=bool(doc.get("qrCodeGenerated")),
            checked_in_at=as_utc(doc.get("checkedInAt")),
            checked_out_at=as_utc(doc.get("checkedOutAt")),
            history=list(doc.get("history") or []),
        )


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
