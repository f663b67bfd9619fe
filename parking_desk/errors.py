"""Errors the domain and the services raise.

Every error that may reach a person carries a message *code* and its parameters rather than
a finished sentence, so the desk can show it in the user's language (see ``messages.py``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


class ParkingDeskError(Exception):
    """Base of every error raised on purpose by Parking Desk."""

    code = "error.generic"
    # The sentence's code when it is not the error's own: the same refusal (one code for
    # callers to test) told with more of what is known, e.g. when the earlier scan was.
    text_code: str | None = None

    def __init__(self, message: str = "", *, code: str | None = None, **params: Any) -> None:
        super().__init__(message or (code or self.code))
        if code:
            self.code = code
        self.params = params

    def translated(self, lang: str = "ro") -> str:
        from parking_desk.messages import message

        return message(self.text_code or self.code, lang, **self.params)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field; ``severity`` is "error" (blocks saving) or "warning"."""

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    severity: str = "error"

    def text(self, lang: str = "ro") -> str:
        from parking_desk.messages import message

        return message(self.code, lang, **self.params)


class ValidationError(ParkingDeskError):
    """Raised with every field error at once, so a form can mark all of them in one pass."""

    code = "error.validation"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in errors))
        self.errors = errors

    def for_field(self, name: str) -> list[FieldError]:
        return [e for e in self.errors if e.field == name]


class StoreUnavailable(ParkingDeskError):
    """The store could not be reached; nothing was written."""

    code = "error.store_unavailable"


class NotFound(ParkingDeskError):
    code = "error.not_found"


class InvalidTransition(ParkingDeskError):
    """A state change that the current state does not allow (e.g. a second check-in)."""

    code = "error.invalid_transition"


class LeaseLost(ParkingDeskError):
    """The worker no longer holds the task's lease; another worker owns it now."""

    code = "error.lease_lost"


class MalformedTask(ParkingDeskError):
    """A queue document that cannot be understood (written by someone else)."""

    code = "error.malformed_task"


class PermissionDenied(ParkingDeskError):
    code = "error.permission_denied"


class ConfigError(ParkingDeskError):
    """An invalid setting; the message names it."""

    code = "error.config"


class PrinterError(ParkingDeskError):
    """A ticket did not reach its printer (unreachable, unplugged, refused by CUPS)."""

    code = "error.printer"
