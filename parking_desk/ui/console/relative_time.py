"""Times shown relative to now ("in 4 min", "3 h ago"): what a supervisor scanning the
queue wants to know is how soon, not at what clock time."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication


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
            else QCoreApplication.translate("RelativeTime", "in %n s", "", secs)
        )
    minutes = int(seconds // 60)
    if minutes < 60:
        return (
            QCoreApplication.translate("RelativeTime", "in %n min", "", minutes)
            if future
            else QCoreApplication.translate("RelativeTime", "%n min ago", "", minutes)
        )
    hours = minutes // 60
    if hours < 48:
        return (
            QCoreApplication.translate("RelativeTime", "in %n h", "", hours)
            if future
            else QCoreApplication.translate("RelativeTime", "%n h ago", "", hours)
        )
    days = hours // 24
    return (
        QCoreApplication.translate("RelativeTime", "in %n days", "", days)
        if future
        else QCoreApplication.translate("RelativeTime", "%n days ago", "", days)
    )


def age_text(seconds: float) -> str:
    """A duration for the kiosk ("12 min", "2 h 5 min")."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return QCoreApplication.translate("RelativeTime", "%n s", "", seconds)
    minutes = seconds // 60
    if minutes < 60:
        return QCoreApplication.translate("RelativeTime", "%n min", "", minutes)
    hours, rest = divmod(minutes, 60)
    return (
        QCoreApplication.translate("RelativeTime", "%1 h %2 min")
        .replace("%1", str(hours))
        .replace("%2", str(rest))
    )
