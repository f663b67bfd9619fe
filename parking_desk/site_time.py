"""The site's clock: the one time zone every desk, ticket and e-mail of a site speaks.

The store keeps aware UTC. People read local time, and "today" is the site's day, not
the UTC day nor the zone a desk's machine happens to be set to (a laptop brought from
abroad, a server left on UTC): a 01:30 arrival belongs to the day it is 01:30 in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "Europe/Bucharest"


@lru_cache(maxsize=8)
def site_zone(name: str = DEFAULT_TIME_ZONE) -> ZoneInfo:
    """The zone called *name* (IANA, ``Europe/Bucharest``); ``ValueError`` if there is none."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r}") from None


def is_time_zone(name: str) -> bool:
    try:
        site_zone(name)
    except ValueError:
        return False
    return True


def local(value: datetime, zone: str = DEFAULT_TIME_ZONE) -> datetime:
    return value.astimezone(site_zone(zone))


def today(zone: str = DEFAULT_TIME_ZONE, now: datetime | None = None) -> date:
    """The site's calendar day at *now* (default: this instant)."""
    return (now or datetime.now(UTC)).astimezone(site_zone(zone)).date()


def day_bounds(day: date, zone: str = DEFAULT_TIME_ZONE) -> tuple[datetime, datetime]:
    """The site's *day* as a half-open UTC range ``[start, end)``: 23 or 25 hours long on
    the days the clocks change."""
    tz = site_zone(zone)
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end
