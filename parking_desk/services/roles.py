"""Who may do what at this desk.

Staff enter and find bookings; a supervisor (unlocked by a PIN, relocking after inactivity)
may act on the queue; a kiosk only reads. Service functions call ``require()`` themselves,
so hiding a button is never the only guard.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable
from enum import StrEnum

from parking_desk.errors import PermissionDenied

# scrypt parameters: ~50 ms on a desk PC, 16 MiB of memory; stored with the hash so they can
# be raised later without invalidating existing PINs.
_N, _R, _P = 2**14, 8, 1


class Role(StrEnum):
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    KIOSK = "kiosk"


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
    """The current role of one desk, shared by the GUI thread and background jobs."""

    def __init__(
        self,
        pin_hash: str | None,
        *,
        relock_after_s: float = 300.0,
        base_role: Role = Role.STAFF,
        operator: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pin_hash = pin_hash
        self._relock_after = relock_after_s
        self._base = base_role
        self.operator = operator
        self._clock = clock
        # Guards _unlocked_at: read by service calls on pool threads, written by the GUI.
        self._lock = threading.Lock()
        self._unlocked_at: float | None = None

    @property
    def has_pin(self) -> bool:
        return bool(self._pin_hash)

    def set_pin_hash(self, pin_hash: str | None) -> None:
        with self._lock:
            self._pin_hash = pin_hash
            self._unlocked_at = None

    def unlock(self, pin: str) -> bool:
        if self._base == Role.KIOSK or not self._pin_hash or not check_pin(pin, self._pin_hash):
            return False
        with self._lock:
            self._unlocked_at = self._clock()
        return True

    def lock(self) -> None:
        with self._lock:
            self._unlocked_at = None

    def touch(self) -> None:
        """Activity keeps the supervisor unlocked; call it on user input."""
        with self._lock:
            if self._unlocked_at is not None and not self._expired():
                self._unlocked_at = self._clock()

    def _expired(self) -> bool:
        return (
            self._unlocked_at is not None and self._clock() - self._unlocked_at > self._relock_after
        )

    @property
    def role(self) -> Role:
        with self._lock:
            if self._unlocked_at is not None and self._expired():
                self._unlocked_at = None
            return Role.SUPERVISOR if self._unlocked_at is not None else self._base

    def require(self, role: Role) -> None:
        current = self.role
        if role == Role.SUPERVISOR and current != Role.SUPERVISOR:
            raise PermissionDenied(f"requires {role}, current role is {current}")
        if role == Role.STAFF and current == Role.KIOSK:
            raise PermissionDenied("the kiosk is read-only")

    def operator_name(self) -> str:
        return f"{self.operator or 'desk'} ({self.role})"
