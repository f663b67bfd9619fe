"""The desk shows and edits the site's local time; the store keeps aware UTC. Conversions
live here, in the site's time zone (``desk.time_zone``), never the machine's: a desk whose
clock is set to another zone still shows, prints and takes the times the site lives by."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QByteArray, QDateTime, QLocale, QTimeZone

from parking_desk import site_time

DISPLAY_FORMAT = "dd.MM.yyyy HH:mm"

_zone_name = site_time.DEFAULT_TIME_ZONE


def use_time_zone(name: str) -> None:
    """Make *name* (an IANA zone the settings checked) the zone every screen speaks."""
    global _zone_name
    site_time.site_zone(name)  # refuse an unknown zone here, not at the first display
    _zone_name = name


def time_zone() -> str:
    return _zone_name


def qt_zone() -> QTimeZone:
    return QTimeZone(QByteArray(_zone_name.encode("ascii")))


def to_utc(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def to_qdatetime(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()), qt_zone())


def now() -> QDateTime:
    """This instant on the site's clock, for an editor's default."""
    return QDateTime.currentDateTime().toTimeZone(qt_zone())


def local(value: datetime) -> datetime:
    """*value* on the site's clock."""
    return site_time.local(value, _zone_name)


def today() -> date:
    return site_time.today(_zone_name)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The site's *day* as a UTC range, for a store query (``BookingQuery.*_from/_before``)."""
    return site_time.day_bounds(day, _zone_name)


def show(value: datetime | None) -> str:
    """Local time, day first, as Romanian and English desks both read it."""
    if value is None:
        return ""
    return QLocale.c().toString(to_qdatetime(value), DISPLAY_FORMAT)


def shown_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A message's parameters with its times written as the desk shows them: errors from
    the domain carry UTC datetimes, and only the desk knows how its people read them."""
    return {k: show(v) if isinstance(v, datetime) else v for k, v in params.items()}
