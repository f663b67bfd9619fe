"""Bookings for the worker tests: Romanian names with diacritics, valid phone and plate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from parking_desk.booking import Booking


def booking(name: str = "Ștefan Țurcanu", email: str = "stefan@client.example", **kw: Any):
    arrival = kw.pop("arrival", datetime.now(UTC).replace(microsecond=0) + timedelta(days=1))
    return Booking(
        client_name=name,
        client_email=email,
        phone="+40 722 123 456",
        plate=kw.pop("plate", "B 123 ABC"),
        arrival=arrival,
        departure=arrival + timedelta(days=5),
        **kw,
    )
