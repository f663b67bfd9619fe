"""UTC helpers: every timestamp in Parking Desk is an aware UTC ``datetime``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: Any) -> datetime | None:
    """Accept what another writer may have stored (datetime, ISO text, epoch ms) as UTC.

    Returns ``None`` for ``None``; raises ``ValueError``/``TypeError`` for anything else, so
    callers can turn it into a readable "malformed" reason.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        return as_utc(datetime.fromisoformat(text))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # JavaScript's Date.now(): milliseconds since the epoch.
        return datetime.fromtimestamp(value / 1000.0, UTC)
    raise TypeError(f"not a timestamp: {type(value).__name__}")
