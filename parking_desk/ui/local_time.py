"""The desk shows and edits local time; the store keeps aware UTC. Conversions live here."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QLocale

DISPLAY_FORMAT = "dd.MM.yyyy HH:mm"


def to_utc(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def to_qdatetime(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def show(value: datetime | None) -> str:
    """Local time, day first, as Romanian and English desks both read it."""
    if value is None:
        return ""
    return QLocale.c().toString(to_qdatetime(value), DISPLAY_FORMAT)
