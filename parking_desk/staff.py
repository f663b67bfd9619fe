"""The people of a site: staff accounts, their roles, and the rule for wrong PINs.

A person signs in with a name and a PIN. Roles are ordered (a kiosk reads, staff work the
desk, a supervisor also acts on the queue, an admin also manages the staff), so a check is
"at least this role". Wrong PINs lock the account for a growing time; the rule is here, once,
and the stores only read, condition and write what it returns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from parking_desk.timeutil import as_utc


class Role(StrEnum):
    KIOSK = "kiosk"  # also the role of a desk nobody is signed in to: read-only
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANKS = {Role.KIOSK: 0, Role.STAFF: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}
# The roles an account can hold (a kiosk is a screen, not a person).
ACCOUNT_ROLES = (Role.STAFF, Role.SUPERVISOR, Role.ADMIN)
MIN_PIN_LENGTH = 4
MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class LockoutPolicy:
    """After *after* wrong PINs in a row the account waits *first_delay_s*; each further
    wrong PIN doubles the wait, up to *max_delay_s*."""

    after: int = 5
    first_delay_s: float = 30.0
    max_delay_s: float = 3600.0

    def delay_after(self, failures: int) -> timedelta | None:
        if failures < self.after:
            return None
        seconds = self.first_delay_s * 2 ** min(failures - self.after, 30)
        return timedelta(seconds=min(seconds, self.max_delay_s))


DEFAULT_LOCKOUT = LockoutPolicy()


@dataclass(frozen=True)
class Person:
    """Who is signed in: what a session, an audit entry and ``createdBy`` need."""

    id: str
    name: str
    role: Role

    def label(self) -> str:
        return f"{self.name} ({self.role})"


@dataclass
class StaffMember:
    id: str
    name: str
    role: Role
    pin_hash: str
    active: bool = True
    created_at: datetime | None = None
    created_by: str = ""
    failed_attempts: int = 0
    locked_until: datetime | None = None
    # The store's version of the document (SQLite counter, Firestore update time in ns):
    # a write conditioned on it fails if another desk wrote in between.
    version: int = 0

    @property
    def person(self) -> Person:
        return Person(self.id, self.name, self.role)

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "nameKey": name_key(self.name),
            "role": str(self.role),
            "pinHash": self.pin_hash,
            "active": self.active,
            "createdAt": self.created_at,
            "createdBy": self.created_by,
            "failedAttempts": self.failed_attempts,
            "lockedUntil": self.locked_until,
        }

    @classmethod
    def from_document(cls, doc_id: str, data: dict[str, Any], version: int = 0) -> StaffMember:
        try:
            role = Role(str(data.get("role", "staff")))
        except ValueError:
            role = Role.STAFF
        if role not in ACCOUNT_ROLES:
            role = Role.STAFF
        failed = data.get("failedAttempts")
        locked = data.get("lockedUntil")
        created = data.get("createdAt")
        return cls(
            id=doc_id,
            name=str(data.get("name") or ""),
            role=role,
            pin_hash=str(data.get("pinHash") or ""),
            active=bool(data.get("active", True)),
            created_at=as_utc(created) if isinstance(created, datetime) else None,
            created_by=str(data.get("createdBy") or ""),
            failed_attempts=failed if isinstance(failed, int) and failed > 0 else 0,
            locked_until=as_utc(locked) if isinstance(locked, datetime) else None,
            version=version,
        )


def name_key(name: str) -> str:
    """How names are compared: case, accents' forms and spacing do not make two people."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def staff_id(name: str) -> str:
    """The ``staff/`` document id of *name*: one per name key, so creating an account is a
    create-only write that two desks cannot both win with the same name."""
    return hashlib.sha256(name_key(name).encode()).hexdigest()[:20]


def wait_left(member: StaffMember, now: datetime) -> timedelta | None:
    """How long *member* must still wait before a PIN is even looked at, or None."""
    if member.locked_until is None or member.locked_until <= now:
        return None
    return member.locked_until - now


def after_failure(
    member: StaffMember, now: datetime, policy: LockoutPolicy = DEFAULT_LOCKOUT
) -> StaffMember:
    failures = member.failed_attempts + 1
    delay = policy.delay_after(failures)
    return dataclasses.replace(
        member,
        failed_attempts=failures,
        locked_until=(now + delay) if delay is not None else member.locked_until,
    )


def after_success(member: StaffMember) -> StaffMember | None:
    """The account with its failures forgotten, or None when there is nothing to forget."""
    if member.failed_attempts == 0 and member.locked_until is None:
        return None
    return dataclasses.replace(member, failed_attempts=0, locked_until=None)


def wait_seconds(wait: timedelta) -> int:
    """A wait as whole seconds, rounded up, so "0 s" is never shown while still locked."""
    return max(1, math.ceil(wait.total_seconds()))
