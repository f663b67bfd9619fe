"""Staff accounts and sign-in, on both stores: the first admin, the wrong-PIN lockout (with
the PIN left unchecked while locked), the audit trail, counts that two desks cannot lose,
and the admin's actions."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from contract_data import T0

from parking_desk.errors import ParkingDeskError, PermissionDenied
from parking_desk.services.roles import RoleSession, check_pin, hash_pin
from parking_desk.services.staff import SignInRefused, StaffService
from parking_desk.services.store import Store
from parking_desk.staff import Role, StaffMember, after_failure

PIN = "4821"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self):
        return self.now


class CountingCheck:
    """The real scrypt check, counting how often a PIN was actually looked at."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, pin: str, stored: str) -> bool:
        self.calls += 1
        return check_pin(pin, stored)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def checks() -> CountingCheck:
    return CountingCheck()


@pytest.fixture
def service(store: Store, clock: Clock, checks: CountingCheck) -> StaffService:
    return StaffService(store, clock=clock, check=checks)


def admin_session(service: StaffService) -> RoleSession:
    return RoleSession(service.sign_in("Maria Ionescu", PIN))


def actions(store: Store) -> Counter[str]:
    """How many entries of each action (entries written at one clock time have no order)."""
    return Counter(e.action for e in store.audit_log())


def test_a_fresh_site_needs_its_first_admin_then_signs_people_in(
    store: Store, service: StaffService
) -> None:
    assert service.needs_setup()
    with pytest.raises(SignInRefused):
        service.sign_in("Maria Ionescu", PIN)
    person = service.create_first_admin("Maria  Ionescu", PIN)
    assert (person.name, person.role) == ("Maria Ionescu", Role.ADMIN)
    assert not service.needs_setup()
    with pytest.raises(ParkingDeskError) as again:
        service.create_first_admin("Someone Else", "9999")
    assert again.value.code == "error.staff_already_set_up"

    assert service.sign_in("maria ionescu", PIN) == person  # names match whatever the case
    [stored] = store.staff.all()
    assert stored.pin_hash != PIN and check_pin(PIN, stored.pin_hash)
    assert stored.created_by == "Maria Ionescu" and stored.created_at == T0
    assert actions(store) == {"staff_first_admin": 1, "sign_in": 1, "sign_in_failed": 1}
    assert {e.operator for e in store.audit_log() if e.action == "sign_in"} == {
        "Maria Ionescu (admin)"
    }


def test_the_old_supervisor_pin_becomes_the_admins(store: Store, service: StaffService) -> None:
    service.create_first_admin("Maria Ionescu", pin_hash=hash_pin("7351"))
    assert service.sign_in("Maria Ionescu", "7351").role == Role.ADMIN
    with pytest.raises(SignInRefused):
        service.sign_in("Maria Ionescu", PIN)


def test_guessing_locks_the_account_and_locked_tries_never_check_the_pin(
    store: Store, service: StaffService, clock: Clock, checks: CountingCheck
) -> None:
    service.create_first_admin("Maria Ionescu", PIN)
    for attempt in range(1, 5):
        with pytest.raises(SignInRefused) as wrong:
            service.sign_in("Maria Ionescu", f"000{attempt}")
        assert wrong.value.wait_s == 0
        assert wrong.value.translated("en") == "Wrong name or PIN."
    with pytest.raises(SignInRefused) as fifth:
        service.sign_in("Maria Ionescu", "0005")
    assert fifth.value.wait_s == 30
    assert fifth.value.translated("en") == (
        "Too many wrong PINs for Maria Ionescu. Try again in 30 s."
    )
    assert "30 s" in fifth.value.translated("ro")

    looked_at = checks.calls
    clock.now += timedelta(seconds=10)
    for pin in (PIN, "0006", PIN):  # the right PIN too: it is not even looked at
        with pytest.raises(SignInRefused) as locked:
            service.sign_in("Maria Ionescu", pin)
        assert locked.value.wait_s == 20
    assert checks.calls == looked_at
    assert store.staff.by_name("Maria Ionescu").failed_attempts == 5  # locked tries do not count

    log = actions(store)
    assert log["sign_in_failed"] == 5
    assert log["sign_in_locked"] == 1
    assert log["sign_in_refused"] == 3
    locked_entry = next(e for e in store.audit_log() if e.action == "sign_in_locked")
    assert locked_entry.details["failedAttempts"] == 5 and locked_entry.details["waitS"] == 30

    clock.now += timedelta(seconds=20)  # the wait is over: one more wrong PIN doubles it
    with pytest.raises(SignInRefused) as sixth:
        service.sign_in("Maria Ionescu", "0007")
    assert sixth.value.wait_s == 60
    clock.now += timedelta(seconds=60)
    with pytest.raises(SignInRefused) as seventh:
        service.sign_in("Maria Ionescu", "0008")
    assert seventh.value.wait_s == 120
    assert "2 min" in seventh.value.translated("en")

    clock.now += timedelta(seconds=120)
    assert service.sign_in("Maria Ionescu", PIN).name == "Maria Ionescu"
    reset = store.staff.by_name("Maria Ionescu")
    assert reset.failed_attempts == 0 and reset.locked_until is None


def test_unknown_and_deactivated_names_get_the_same_answer_as_a_wrong_pin(
    store: Store, service: StaffService, checks: CountingCheck
) -> None:
    service.create_first_admin("Maria Ionescu", PIN)
    admin = admin_session(service)
    ion = service.add(admin, "Ion Pop", Role.STAFF, "1357")
    service.deactivate(admin, ion.id)
    before = checks.calls
    for name, pin in (("Nobody Here", PIN), ("Ion Pop", "1357"), ("Maria Ionescu", "0000")):
        with pytest.raises(SignInRefused) as refused:
            service.sign_in(name, pin)
        assert refused.value.translated("ro") == "Nume sau PIN greșit."
    assert checks.calls == before + 3  # each cost one scrypt check


class RacingStaff:
    """The store's staff part, with another desk's wrong PIN landing between this desk's
    read and its write the first time it writes."""

    def __init__(self, records: Any, other: StaffService) -> None:
        self._records = records
        self._other = other
        self.raced = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._records, name)

    def replace(self, member: StaffMember) -> StaffMember | None:
        if not self.raced:
            self.raced = True
            with pytest.raises(SignInRefused):
                self._other.sign_in(member.name, "9999")
        return self._records.replace(member)


class RacingStore:
    def __init__(self, store: Store, other: StaffService) -> None:
        self._store = store
        self.staff = RacingStaff(store.staff, other)

    def record_audit(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.record_audit(*args, **kwargs)


def test_two_desks_guessing_at_once_lose_no_count(
    store: Store, service: StaffService, clock: Clock
) -> None:
    service.create_first_admin("Maria Ionescu", PIN)
    racing = RacingStore(store, service)
    desk_b = StaffService(racing, clock=clock)
    with pytest.raises(SignInRefused):
        desk_b.sign_in("Maria Ionescu", "1111")
    assert racing.staff.raced
    assert store.staff.by_name("Maria Ionescu").failed_attempts == 2


def test_a_stale_write_is_refused_by_the_store(store: Store, service: StaffService) -> None:
    service.create_first_admin("Maria Ionescu", PIN)
    read = store.staff.by_name("Maria Ionescu")
    assert store.staff.replace(after_failure(read, T0)) is not None
    assert store.staff.replace(after_failure(read, T0)) is None
    assert store.staff.by_name("Maria Ionescu").failed_attempts == 1
    assert store.staff.create(read) is None  # the name is taken


def test_the_admin_adds_resets_changes_roles_and_deactivates(
    store: Store, service: StaffService, clock: Clock
) -> None:
    service.create_first_admin("Maria Ionescu", PIN)
    admin = admin_session(service)
    ion = service.add(admin, "Ion Pop", Role.STAFF, "1357")
    assert ion.created_by == "Maria Ionescu (admin)"
    with pytest.raises(ParkingDeskError) as taken:
        service.add(admin, "ION POP", Role.STAFF, "2468")
    assert taken.value.code == "error.staff_exists"
    with pytest.raises(ParkingDeskError) as short:
        service.add(admin, "Ana", Role.STAFF, "12")
    assert short.value.translated("en") == "The PIN needs at least 4 digits."

    staff = RoleSession(service.sign_in("Ion Pop", "1357"))
    assert staff.operator_name() == "Ion Pop (staff)"
    with pytest.raises(PermissionDenied) as denied:
        service.add(staff, "Ana", Role.ADMIN, "1234")
    assert denied.value.translated("en") == "This action requires the admin role."
    with pytest.raises(PermissionDenied):
        service.list_staff(staff)

    for _ in range(5):
        with pytest.raises(SignInRefused):
            service.sign_in("Ion Pop", "0000")
    service.reset_pin(admin, ion.id, "8642")  # also lifts the lockout
    assert service.sign_in("Ion Pop", "8642").role == Role.STAFF
    service.change_role(admin, ion.id, Role.SUPERVISOR)
    assert service.sign_in("Ion Pop", "8642").role == Role.SUPERVISOR
    assert [m.name for m in service.list_staff(admin)] == ["Ion Pop", "Maria Ionescu"]

    me = store.staff.by_name("Maria Ionescu")
    with pytest.raises(ParkingDeskError) as last:
        service.change_role(admin, me.id, Role.SUPERVISOR)
    assert last.value.code == "error.last_admin"
    with pytest.raises(ParkingDeskError):
        service.deactivate(admin, me.id)

    service.deactivate(admin, ion.id)
    with pytest.raises(SignInRefused):
        service.sign_in("Ion Pop", "8642")
    log = actions(store)
    for action in ("staff_add", "staff_reset_pin", "staff_role", "staff_deactivate"):
        assert action in log
    entry = next(e for e in store.audit_log() if e.action == "staff_role")
    assert entry.operator == "Maria Ionescu (admin)" and entry.details["role"] == "supervisor"
