"""Staff accounts: sign-in by name and PIN, the wrong-PIN lockout, and the admin's actions.

The desk and the CLI both sign people in here, so the lockout cannot be bypassed by either.
While an account is locked a try is refused before its PIN is looked at, so how long the
refusal takes says nothing about the PIN. Unknown and deactivated names cost one scrypt
check too, against a throwaway hash. Every sign-in, failure, lockout and admin action goes
to the audit log.

The counter is written conditioned on the version read (see the store parts), so two desks
guessing at the same account at once cannot lose a count: the one that loses the race reads
again and counts on top.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from parking_desk.errors import NotFound, ParkingDeskError, PermissionDenied
from parking_desk.services.roles import RoleSession, check_pin, hash_pin
from parking_desk.services.store.base import AuditEntry
from parking_desk.staff import (
    ACCOUNT_ROLES,
    DEFAULT_LOCKOUT,
    MAX_NAME_LENGTH,
    MIN_PIN_LENGTH,
    LockoutPolicy,
    Person,
    Role,
    StaffMember,
    after_failure,
    after_success,
    staff_id,
    wait_left,
    wait_seconds,
)
from parking_desk.timeutil import utcnow

# How often a conditioned write is tried again after losing to another desk's write.
WRITE_TRIES = 50
SHOW_MINUTES_FROM_S = 120


class StaffRecords(Protocol):
    """The store part that keeps ``staff/{id}`` (``SqliteStaff``, ``FirestoreStaff``)."""

    def get(self, staff_id: str) -> StaffMember | None: ...
    def by_name(self, name: str) -> StaffMember | None: ...
    def all(self) -> list[StaffMember]: ...
    def any(self) -> bool: ...
    def create(self, member: StaffMember) -> StaffMember | None: ...
    def replace(self, member: StaffMember) -> StaffMember | None: ...


class StaffStore(Protocol):
    """What this service needs of a store: its staff part and the audit log."""

    @property
    def staff(self) -> StaffRecords: ...

    def record_audit(
        self,
        operator: str,
        action: str,
        task_ids: Iterable[str] = (),
        *,
        filter: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry: ...


class SignInRefused(PermissionDenied):
    """Wrong name or PIN, or the account is waiting out a lockout (``wait_s`` > 0)."""

    code = "error.sign_in_failed"

    def __init__(self, message: str = "", *, wait_s: int = 0, **params: Any) -> None:
        if wait_s:
            minutes = -(-wait_s // 60)
            code = (
                "error.sign_in_locked"
                if wait_s < SHOW_MINUTES_FROM_S
                else ("error.sign_in_locked_minutes")
            )
            super().__init__(message, code=code, seconds=wait_s, minutes=minutes, **params)
        else:
            super().__init__(message, **params)
        self.wait_s = wait_s


@functools.cache
def _throwaway_hash() -> str:
    """Checked against for a name with no usable account, so it costs what a real one does."""
    return hash_pin("not-a-pin")


def checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ParkingDeskError(code="error.staff_name_required")
    if len(name) > MAX_NAME_LENGTH:
        raise ParkingDeskError(code="error.staff_name_too_long", max=MAX_NAME_LENGTH)
    return name


def checked_pin(pin: str) -> str:
    pin = pin.strip()
    if len(pin) < MIN_PIN_LENGTH:
        raise ParkingDeskError(code="error.pin_too_short", min=MIN_PIN_LENGTH)
    return pin


class StaffService:
    def __init__(
        self,
        store: StaffStore,
        *,
        policy: LockoutPolicy = DEFAULT_LOCKOUT,
        check: Callable[[str, str], bool] = check_pin,
        clock: Callable[[], datetime] = utcnow,
        where: str = "desk",
    ) -> None:
        """*check* is the PIN check (scrypt); *where* ("desk", "cli") goes into the audit."""
        self.store = store
        self.policy = policy
        self._check = check
        self._clock = clock
        self.where = where

    @property
    def _records(self) -> StaffRecords:
        return self.store.staff

    def _audit(self, operator: str, action: str, details: dict[str, Any]) -> None:
        self.store.record_audit(
            operator, action, details={**details, "where": self.where}, now=self._clock()
        )

    # --- first start --------------------------------------------------------------------
    def needs_setup(self) -> bool:
        """True on a fresh site: nobody can sign in until the first admin is created."""
        return not self._records.any()

    def create_first_admin(self, name: str, pin: str = "", *, pin_hash: str = "") -> Person:
        """The site's first account, an admin. With no *pin*, *pin_hash* (the desk's old
        supervisor PIN, from its settings) becomes the admin's PIN."""
        name = checked_name(name)
        if pin or not pin_hash:
            pin_hash = hash_pin(checked_pin(pin))
        if not self.needs_setup():
            raise ParkingDeskError(code="error.staff_already_set_up")
        member = self._new(name, Role.ADMIN, pin_hash, created_by=name)
        created = self._records.create(member)
        if created is None:
            raise ParkingDeskError(code="error.staff_exists", name=name)
        self._audit(
            created.person.label(),
            "staff_first_admin",
            {"staffId": created.id, "pinFrom": "new" if pin else "settings"},
        )
        return created.person

    def _new(self, name: str, role: Role, pin_hash: str, *, created_by: str) -> StaffMember:
        return StaffMember(
            id=staff_id(name),
            name=name,
            role=role,
            pin_hash=pin_hash,
            created_at=self._clock(),
            created_by=created_by,
        )

    # --- signing in ---------------------------------------------------------------------
    def sign_in(self, name: str, pin: str) -> Person:
        """The person, if *name* and *pin* match an active account that is not locked.

        Raises ``SignInRefused``: for a wrong name or PIN (one message for both, so a
        refusal does not tell which names exist), or with ``wait_s`` while locked."""
        name = " ".join(name.split())
        now = self._clock()
        member = self._records.by_name(name) if name else None
        if member is None or not member.active or not member.pin_hash:
            self._check(pin, _throwaway_hash())
            reason = "unknown" if member is None else "inactive"
            self._audit(name[:MAX_NAME_LENGTH] or "?", "sign_in_failed", {"reason": reason})
            raise SignInRefused("unknown or inactive account")
        wait = wait_left(member, now)
        if wait is not None:
            seconds = wait_seconds(wait)
            self._audit(
                member.person.label(), "sign_in_refused", {"staffId": member.id, "waitS": seconds}
            )
            raise SignInRefused("locked", wait_s=seconds, name=member.name)
        ok = bool(pin) and self._check(pin, member.pin_hash)
        member = self._count(member, ok, now)
        if ok:
            self._audit(member.person.label(), "sign_in", {"staffId": member.id})
            return member.person
        details: dict[str, Any] = {"staffId": member.id, "failedAttempts": member.failed_attempts}
        self._audit(member.person.label(), "sign_in_failed", {**details, "reason": "pin"})
        wait = wait_left(member, now)
        if wait is None:
            raise SignInRefused("wrong PIN")
        seconds = wait_seconds(wait)
        self._audit(
            member.person.label(),
            "sign_in_locked",
            {**details, "waitS": seconds, "lockedUntil": member.locked_until},
        )
        raise SignInRefused("wrong PIN, now locked", wait_s=seconds, name=member.name)

    def _count(self, member: StaffMember, ok: bool, now: datetime) -> StaffMember:
        """Write the outcome of one try, on top of whatever another desk wrote meanwhile."""
        for _ in range(WRITE_TRIES):
            changed = after_success(member) if ok else after_failure(member, now, self.policy)
            if changed is None:
                return member
            stored = self._records.replace(changed)
            if stored is not None:
                return stored
            fresh = self._records.get(member.id)
            if fresh is None:
                raise SignInRefused("account removed")
            member = fresh
        raise ParkingDeskError(code="error.store_unavailable")

    # --- the admin's screen ---------------------------------------------------------------
    def list_staff(self, session: RoleSession) -> list[StaffMember]:
        session.require(Role.ADMIN)
        return self._records.all()

    def add(self, session: RoleSession, name: str, role: Role, pin: str) -> StaffMember:
        admin = session.require(Role.ADMIN)
        name = checked_name(name)
        if role not in ACCOUNT_ROLES:
            raise ValueError(f"not an account role: {role}")
        member = self._new(name, role, hash_pin(checked_pin(pin)), created_by=admin.label())
        created = self._records.create(member)
        if created is None:
            raise ParkingDeskError(code="error.staff_exists", name=name)
        self._audit(
            admin.label(), "staff_add", {"staffId": created.id, "name": name, "role": str(role)}
        )
        return created

    def deactivate(self, session: RoleSession, staff_id: str) -> StaffMember:
        return self._change(session, staff_id, "staff_deactivate", active=False)

    def activate(self, session: RoleSession, staff_id: str) -> StaffMember:
        return self._change(session, staff_id, "staff_activate", active=True)

    def reset_pin(self, session: RoleSession, staff_id: str, pin: str) -> StaffMember:
        """A new PIN; it also lifts a lockout (the admin has checked who is asking)."""
        pin_hash = hash_pin(checked_pin(pin))
        return self._change(
            session,
            staff_id,
            "staff_reset_pin",
            pin_hash=pin_hash,
            failed_attempts=0,
            locked_until=None,
        )

    def change_role(self, session: RoleSession, staff_id: str, role: Role) -> StaffMember:
        if role not in ACCOUNT_ROLES:
            raise ValueError(f"not an account role: {role}")
        return self._change(session, staff_id, "staff_role", role=role)

    def _change(
        self, session: RoleSession, staff_id: str, action: str, **changes: Any
    ) -> StaffMember:
        admin = session.require(Role.ADMIN)
        with _ADMIN_CHANGES:
            for _ in range(WRITE_TRIES):
                member = self._records.get(staff_id)
                if member is None:
                    raise NotFound(code="error.staff_not_found")
                changed = dataclasses.replace(member, **changes)
                if self._removes_last_admin(member, changed):
                    raise ParkingDeskError(code="error.last_admin")
                stored = self._records.replace(changed)
                if stored is not None:
                    break
            else:
                raise ParkingDeskError(code="error.store_unavailable")
        shown = {k: str(v) for k, v in changes.items() if k in ("active", "role")}
        self._audit(admin.label(), action, {"staffId": staff_id, "name": member.name, **shown})
        return stored

    def _removes_last_admin(self, before: StaffMember, after: StaffMember) -> bool:
        def counts(m: StaffMember) -> bool:
            return m.active and m.role == Role.ADMIN

        if not counts(before) or counts(after):
            return False
        return not any(counts(m) for m in self._records.all() if m.id != before.id)


# One admin action at a time from this process, so the last-admin check is not raced by a
# second click; two desks racing it remain possible but need two admins at once.
_ADMIN_CHANGES = threading.Lock()
