"""Turn an exception from a background job into a sentence for the person at the desk."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from parking_desk.errors import ParkingDeskError


def error_text(error: BaseException, lang: str) -> str:
    """Errors raised on purpose carry a translated message; anything else means the store
    (or the network under it) failed, which the user can only retry."""
    if isinstance(error, ParkingDeskError):
        return error.translated(lang)
    detail = str(error) or type(error).__name__
    return QCoreApplication.translate(
        "errors", "The database did not answer ({detail}). Nothing was lost; try again."
    ).format(detail=detail)
