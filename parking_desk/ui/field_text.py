"""A field problem as one sentence in the UI language, wherever a screen shows it."""

from __future__ import annotations

from parking_desk.errors import FieldError
from parking_desk.messages import message
from parking_desk.ui.local_time import shown_params


def field_text(problem: FieldError, lang: str) -> str:
    """The problem in *lang*. email_validator explains itself only in English, so outside
    English the sentence stops before its reason rather than switching language mid-way."""
    text = message(problem.code, lang, **shown_params(problem.params))
    if lang != "en" and problem.code == "email.invalid" and ":" in text:
        text = text.split(":", 1)[0].rstrip() + "."
    return text
