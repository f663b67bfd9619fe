"""The sending quota's rolling window, reckoned the same way by both stores and the chain.

Gmail allows 500 messages in any 24 hours, not per calendar day, and counts only what it
accepted. So a unit is held just before a send and given back if the server did not take
the message: a refused connection, a failed login, a timeout or a 4xx spends nothing, and
after an outage sending resumes at once instead of at midnight.

Units are counted per hour ("bucket"), which keeps the shared counter a handful of numbers
per transport whatever the limit. A unit counted in an hour stays in the window until 24
hours after that hour *ends*: the count is never below what the provider sees (a send at
10:59 is still counted at 10:30 the next day), at the price of holding a unit up to an hour
longer than the provider does. Undercounting would mean the provider refusing sends the
counter allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

WINDOW = timedelta(hours=24)
BUCKET = timedelta(hours=1)


@dataclass(frozen=True)
class QuotaUnit:
    """One unit held for a send: given back through the store if the send fails."""

    transport: str
    bucket: datetime  # the start of the hour it is counted in (UTC)


def bucket_of(at: datetime) -> datetime:
    """The start of the hour *at* falls in, in UTC."""
    at = at.astimezone(UTC)
    return at.replace(minute=0, second=0, microsecond=0)


def leaves_at(bucket: datetime) -> datetime:
    """When the units counted in *bucket* stop counting."""
    return bucket + BUCKET + WINDOW


def window_start(now: datetime) -> datetime:
    """The oldest bucket still counted at *now*: the current hour and the 24 before it."""
    return bucket_of(now) - WINDOW


def in_window(counts: Mapping[datetime, int], now: datetime) -> dict[datetime, int]:
    """The buckets of *counts* still counted at *now* that hold at least one unit."""
    start, end = window_start(now), bucket_of(now)
    return {b: n for b, n in counts.items() if start <= b <= end and n > 0}


def frees_at(counts: Mapping[datetime, int], limit: int, now: datetime) -> datetime:
    """When a unit of *limit* is free: *now* if one is, else when enough old units have left
    the window."""
    held = in_window(counts, now)
    used = sum(held.values())
    for bucket in sorted(held):
        if used < limit:
            break
        used -= held[bucket]
        now = leaves_at(bucket)
    return now


def oldest_leaves_at(counts: Mapping[datetime, int], now: datetime) -> datetime | None:
    """When the oldest counted send leaves the window; None if nothing is counted."""
    held = in_window(counts, now)
    return leaves_at(min(held)) if held else None
