"""Times shown relative to now ("in 4 min", "3 h ago"): what a supervisor scanning the
queue wants to know is how soon, not at what clock time."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication


def _with(text: str, n: int) -> str:
    return text.replace("%1", str(n))


def relative_to_now(when: datetime | None, now: datetime) -> str:
    if when is None:
        return QCoreApplication.translate("RelativeTime", "now")
    seconds = (when - now).total_seconds()
    future = seconds > 0
    seconds = abs(seconds)
    if seconds < 60:
        secs = int(seconds)
        return (
            QCoreApplication.translate("RelativeTime", "now")
            if not future or seconds < 5
            else _with(QCoreApplication.translate("RelativeTime", "in %1 s"), secs)
        )
    minutes = int(seconds // 60)
    if minutes < 60:
        return (
            _with(QCoreApplication.translate("RelativeTime", "in %1 min"), minutes)
            if future
            else _with(QCoreApplication.translate("RelativeTime", "%1 min ago"), minutes)
        )
    hours = minutes // 60
    if hours < 48:
        return (
            _with(QCoreApplication.translate("RelativeTime", "in %1 h"), hours)
            if future
            else _with(QCoreApplication.translate("RelativeTime", "%1 h ago"), hours)
        )
    days = hours // 24
    return (
        _with(QCoreApplication.translate("RelativeTime", "in %1 days"), days)
        if future
        else _with(QCoreApplication.translate("RelativeTime", "%1 days ago"), days)
    )


def age_text(seconds: float) -> str:
    """A duration for the kiosk ("12 min", "2 h 5 min")."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _with(QCoreApplication.translate("RelativeTime", "%1 s"), seconds)
    minutes = seconds // 60
    if minutes < 60:
        return _with(QCoreApplication.translate("RelativeTime", "%1 min"), minutes)
    hours, rest = divmod(minutes, 60)
    return (
        QCoreApplication.translate("RelativeTime", "%1 h %2 min")
        .replace("%1", str(hours))
        .replace("%2", str(rest))
    )
