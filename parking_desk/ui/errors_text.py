"""Turn an exception from a background job into a sentence for the person at the desk."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from parking_desk.errors import ParkingDeskError
from parking_desk.messages import message
from parking_desk.ui.local_time import shown_params


def error_text(error: BaseException, lang: str) -> str:
    """Errors raised on purpose carry a translated message; anything else means the store
    (or the network under it) failed, which the user can only retry."""
    if isinstance(error, ParkingDeskError):
        if any(isinstance(v, datetime) for v in error.params.values()):
            return message(error.text_code or error.code, lang, **shown_params(error.params))
        return error.translated(lang)
    detail = str(error) or type(error).__name__
    return QCoreApplication.translate(
        "errors", "The database did not answer ({detail}). Nothing was lost; try again."
    ).format(detail=detail)
