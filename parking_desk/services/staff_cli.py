"""The command line's sign-in: ``--as NAME`` and the PIN, checked by ``StaffService``.

Commands that change something (``queue retry``, ``queue cancel``, ``staff …``) name a person
and prove it with their PIN, read from a prompt or, for scripts, from ``PARKING_DESK_PIN``.
The check is the desk's own, lockout included, so the command line is no way around it.
Read-only commands stay open.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Mapping
from typing import Any, cast

from parking_desk.errors import ParkingDeskError
from parking_desk.messages import message
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.staff import StaffService, StaffStore
from parking_desk.staff import ACCOUNT_ROLES

PIN_ENV = "PARKING_DESK_PIN"
NEW_PIN_ENV = "PARKING_DESK_NEW_PIN"
OK, FAILED, USAGE = 0, 1, 2

ReadPin = Callable[[str], str]


def add_sign_in(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        help=f"who you are (a staff account); the PIN is asked for, or read from {PIN_ENV}",
    )


def add_staff_parser(sub: Any) -> None:
    staff = sub.add_parser("staff", help="staff accounts (admins only)")
    ssub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add_sign_in(ssub.add_parser("list", help="everyone with an account"))
    first = ssub.add_parser(
        "create-admin",
        help=f"a fresh site's first account, an admin; its PIN is asked for, or {NEW_PIN_ENV}",
    )
    first.add_argument("name")
    add = ssub.add_parser("add", help=f"a new account; its PIN is asked for, or {NEW_PIN_ENV}")
    add.add_argument("name")
    add.add_argument("--role", choices=[str(r) for r in ACCOUNT_ROLES], default="staff")
    for action, text in (
        ("deactivate", "the person can no longer sign in"),
        ("reset-pin", f"a new PIN (asked for, or {NEW_PIN_ENV}); lifts a lockout"),
    ):
        parser = ssub.add_parser(action, help=text)
        parser.add_argument("name")
    for parser in ssub.choices.values():
        if parser.prog.split()[-1] not in ("list", "create-admin"):
            add_sign_in(parser)


def _prompt(text: str) -> str:
    return getpass.getpass(text)


def signed_in(
    args: argparse.Namespace,
    store: Any,
    env: Mapping[str, str],
    lang: str,
    *,
    command: str,
    role: Role = Role.SUPERVISOR,
    read_pin: ReadPin = _prompt,
    needed: str = "cli.sign_in_needed",
) -> RoleSession | None:
    """The session of the person named by ``--as``, or None after printing why not (no
    name, no PIN, a refused sign-in or too low a role: the command then exits 2). *needed*
    is the message for a missing name or PIN (the queue's, or ``cli.sign_in_needed_site``)."""
    name = (getattr(args, "as_name", None) or "").strip()
    pin = env.get(PIN_ENV, "")
    if name and not pin and sys.stdin.isatty():
        pin = read_pin(f"PIN ({name}): ")
    if not name or not pin:
        print(message(needed, lang, command=command), file=sys.stderr)
        return None
    try:
        person = StaffService(cast(StaffStore, store), where="cli").sign_in(name, pin)
        session = RoleSession(person)
        session.require(role)
    except ParkingDeskError as exc:
        if exc.code.startswith("error.store") or exc.code.startswith("error.database"):
            raise
        print(exc.translated(lang), file=sys.stderr)
        return None
    return session


def run_staff(
    args: argparse.Namespace,
    store: Any,
    env: Mapping[str, str],
    lang: str,
    *,
    read_pin: ReadPin = _prompt,
) -> int:
    action = args.staff_command
    if action == "create-admin":
        return create_admin(args.name, store, env, lang, read_pin=read_pin)
    session = signed_in(
        args, store, env, lang, command=f"staff {action}", role=Role.ADMIN, read_pin=read_pin
    )
    if session is None:
        return USAGE
    service = StaffService(cast(StaffStore, store), where="cli")
    try:
        if action == "list":
            for m in service.list_staff(session):
                state = "active" if m.active else "deactivated"
                print(f"{m.name:<30} {m.role:<11} {state:<12} {m.created_by}")
            return OK
        if action in ("add", "reset-pin"):
            new_pin = env.get(NEW_PIN_ENV, "")
            if not new_pin and sys.stdin.isatty():
                new_pin = read_pin(f"New PIN ({args.name}): ")
            if action == "add":
                service.add(session, args.name, Role(args.role), new_pin)
                print(f"{args.name} ({args.role}) can sign in now")
                return OK
        member = store.staff.by_name(args.name)
        if member is None:
            print(message("error.staff_not_found", lang), file=sys.stderr)
            return FAILED
        if action == "reset-pin":
            service.reset_pin(session, member.id, new_pin)
            print(f"{member.name} has a new PIN")
        else:
            service.deactivate(session, member.id)
            print(f"{member.name} can no longer sign in")
        return OK
    except ParkingDeskError as exc:
        if exc.code.startswith("error.store") or exc.code.startswith("error.database"):
            raise
        print(exc.translated(lang), file=sys.stderr)
        return FAILED


def _new_pin(name: str, env: Mapping[str, str], read_pin: ReadPin) -> str:
    pin = env.get(NEW_PIN_ENV, "")
    if not pin and sys.stdin.isatty():
        pin = read_pin(f"New PIN ({name}): ")
        if pin and read_pin(f"New PIN again ({name}): ") != pin:
            return ""
    return pin


def create_admin(
    name: str, store: Any, env: Mapping[str, str], lang: str, *, read_pin: ReadPin = _prompt
) -> int:
    """A fresh site's first account, from a server with no desk: an admin, whose PIN comes
    from a prompt (asked twice) or ``PARKING_DESK_NEW_PIN``. Refused once anyone has an
    account: from then on only an admin adds people (``staff add``)."""
    service = StaffService(cast(StaffStore, store), where="cli")
    try:
        if not service.needs_setup():
            raise ParkingDeskError(code="error.staff_already_set_up")
        pin = _new_pin(name, env, read_pin)
        if not pin:
            print(message("cli.new_pin_needed", lang, name=name, env=NEW_PIN_ENV), file=sys.stderr)
            return USAGE
        person = service.create_first_admin(name, pin)
    except ParkingDeskError as exc:
        if exc.code.startswith("error.store") or exc.code.startswith("error.database"):
            raise
        print(exc.translated(lang), file=sys.stderr)
        return FAILED
    print(f"{person.name} (admin) can sign in now; add the others with 'staff add --as'")
    return OK
