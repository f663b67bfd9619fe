"""Whether a booking answers a ``BookingQuery``: the one definition both stores check their
candidates against, so a store's query only has to narrow, never to decide."""

from __future__ import annotations

from datetime import UTC, datetime

from parking_desk.booking import Booking, booking_document_id
from parking_desk.search_text import matches_text
from parking_desk.services.store.base import BookingQuery
from parking_desk.validation import normalise_plate


def number_text(text: str) -> str | None:
    """The booking number *text* may be, for a direct read by document id."""
    text = text.strip()
    return booking_document_id(text) if text.isalnum() else None


def matches_prefix_text(booking: Booking, text: str) -> bool:
    """The search box's first meanings, found even in a booking without search tokens (the
    website's): its number, a plate prefix, a name prefix."""
    text = text.strip()
    if not text:
        return True
    if booking.booking_number == text:
        return True
    plate = normalise_plate(text)
    if plate and booking.plate.startswith(plate):
        return True
    name = " ".join(text.split()).casefold()
    return " ".join(booking.client_name.split()).casefold().startswith(name)


def matches_search_text(booking: Booking, text: str) -> bool:
    """The whole search box: any of the prefix meanings, or any part of any word."""
    return matches_prefix_text(booking, text) or matches_text(booking, text)


def _in(value: datetime, start: datetime | None, before: datetime | None) -> bool:
    return (start is None or value >= start) and (before is None or value < before)


def matches_criteria(booking: Booking, query: BookingQuery) -> bool:
    """Every criterion but the search text."""
    if query.number and booking.booking_number != query.number.strip():
        return False
    if query.statuses and booking.status not in query.statuses:
        return False
    if query.plate and not booking.plate.startswith(normalise_plate(query.plate)):
        return False
    if query.name_prefix and query.name_prefix.strip():
        prefix = " ".join(query.name_prefix.split()).casefold()
        if not " ".join(booking.client_name.split()).casefold().startswith(prefix):
            return False
    if query.arrival_day and booking.arrival.astimezone(UTC).date() != query.arrival_day:
        return False
    if query.departure_day and booking.departure.astimezone(UTC).date() != query.departure_day:
        return False
    return _in(booking.arrival, query.arrival_from, query.arrival_before) and _in(
        booking.departure, query.departure_from, query.departure_before
    )


def matches(booking: Booking, query: BookingQuery) -> bool:
    return matches_criteria(booking, query) and matches_search_text(booking, query.text)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def newest_first(bookings: list[Booking]) -> list[Booking]:
    """The order every search answers in: newest first, then by number."""
    bookings = sorted(bookings, key=lambda b: b.booking_number or "")
    return sorted(bookings, key=lambda b: b.created_at or _EPOCH, reverse=True)
