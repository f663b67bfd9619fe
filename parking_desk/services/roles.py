"""Who is working at this desk, and what they may do.

A person signs in (``services/staff.py`` checks the name and PIN) and the session holds them
until they lock the desk, another person signs in, or the desk relocks after inactivity.
Roles are ordered (kiosk < staff < supervisor < admin); service functions call ``require()``
themselves, so hiding a button is never the only guard, and the CLI meets the same checks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable

from parking_desk.errors import PermissionDenied
from parking_desk.staff import Person, Role

__all__ = ["Person", "Role", "RoleSession", "check_pin", "hash_pin"]

# scrypt parameters: ~50 ms on a desk PC, 16 MiB of memory; stored with the hash so they can
# be raised later without invalidating existing PINs.
_N, _R, _P = 2**14, 8, 1

_NEEDS = {
    Role.STAFF: "error.not_signed_in",
    Role.SUPERVISOR: "error.permission_denied",
    Role.ADMIN: "error.needs_admin",
}


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64); the PIN itself is never stored."""
    if not pin or not pin.strip():
        raise ValueError("empty PIN")
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


class RoleSession:
    """The signed-in person of one desk, shared by the GUI thread and background jobs.

    Nobody signed in (or the session expired) means read-only: ``role`` is ``KIOSK`` and
    ``require(STAFF)`` fails. A kiosk session never holds anyone."""

    def __init__(
        self,
        person: Person | None = None,
        *,
        relock_after_s: float = 300.0,
        kiosk: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._relock_after = relock_after_s
        self._kiosk = kiosk
        self._clock = clock
        # Guards _person and _active_at: read by service calls on pool threads, written by
        # the GUI thread (sign-in, lock, activity).
        self._lock = threading.Lock()
        self._person: Person | None = None
        self._active_at = 0.0
        if person is not None:
            self.sign_in(person)

    @property
    def relock_after_s(self) -> float:
        return self._relock_after

    def sign_in(self, person: Person) -> None:
        """Hold *person* (already checked by ``StaffService.sign_in``); replaces anyone
        signed in before, which is how the user is switched."""
        if self._kiosk:
            raise PermissionDenied("the kiosk is read-only")
        with self._lock:
            self._person = person
            self._active_at = self._clock()

    def lock(self) -> None:
        with self._lock:
            self._person = None

    def touch(self) -> None:
        """Activity keeps the person signed in; call it on user input."""
        with self._lock:
            if self._person is not None and not self._expired():
                self._active_at = self._clock()

    def _expired(self) -> bool:
        return self._clock() - self._active_at > self._relock_after

    @property
    def person(self) -> Person | None:
        """Who is signed in now, or None (locked, or relocked after inactivity)."""
        with self._lock:
            if self._person is not None and self._expired():
                self._person = None
            return self._person

    @property
    def role(self) -> Role:
        person = self.person
        return person.role if person is not None else Role.KIOSK

    def allows(self, role: Role) -> bool:
        return self.role.at_least(role)

    def require(self, role: Role) -> Person:
        """The signed-in person if their role is at least *role*; else ``PermissionDenied``."""
        person = self.person
        if person is None:
            raise PermissionDenied(f"requires {role}, nobody is signed in", code=_NEEDS[Role.STAFF])
        if not person.role.at_least(role):
            raise PermissionDenied(
                f"requires {role}, current role is {person.role}", code=_NEEDS[role]
            )
        return person

    def operator_name(self) -> str:
        """What the audit, ``createdBy`` and the history record: the person and their role."""
        return self.require(Role.STAFF).label()
