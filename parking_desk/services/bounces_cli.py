"""``parking-desk bounces list`` and ``bounces clear ADDRESS --as NAME``: the suppression
list from a terminal.

Listing is open, like ``queue list`` (which prints recipients whole too); clearing is a
supervisor's, signed in with ``--as`` and the PIN (``staff_cli.signed_in``) and audited by the
store in the same commit (``suppressions.clear_suppression``, the call the desk makes).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parking_desk.bounce import Suppression
from parking_desk.errors import ParkingDeskError
from parking_desk.services.roles import Role
from parking_desk.services.staff_cli import (
    FAILED,
    OK,
    USAGE,
    ReadPin,
    _prompt,
    add_sign_in,
    signed_in,
)
from parking_desk.services.suppressions import clear_suppression, list_suppressions


def add_bounces_parser(sub: Any) -> None:
    bounces = sub.add_parser("bounces", help="addresses not sent to since they bounced")
    bsub = bounces.add_subparsers(dest="bounces_command", metavar="ACTION", required=True)
    listing = bsub.add_parser("list", help="suppressed addresses, newest first, and why")
    listing.add_argument("--limit", type=int, default=500)
    clear = bsub.add_parser("clear", help="send to an address again (a supervisor's; audited)")
    clear.add_argument("address", metavar="ADDRESS")
    add_sign_in(clear)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ")


def suppression_lines(entries: list[Suppression]) -> list[str]:
    lines = [f"{'SINCE':<20} {'ADDRESS':<34} {'BOOKING':<10} {'TASK':<22} WHY"]
    for e in entries:
        why = f"{e.code}: {e.reason}" if e.code else e.reason
        lines.append(
            f"{_stamp(e.at):<20} {e.address:<34} {e.booking_number[:10]:<10} "
            f"{e.task_id[:22]:<22} {why[:120]}".rstrip()
        )
    if not entries:
        lines.append("(no suppressed addresses)")
    return lines


def run_bounces(
    args: argparse.Namespace,
    store: Any,
    env: Mapping[str, str],
    lang: str,
    *,
    read_pin: ReadPin = _prompt,
) -> int:
    if args.bounces_command == "list":
        if args.limit < 1:
            print("--limit must be at least 1", file=sys.stderr)
            return USAGE
        print("\n".join(suppression_lines(list_suppressions(store, args.limit))))
        return OK
    session = signed_in(
        args, store, env, lang, command="bounces clear", role=Role.SUPERVISOR, read_pin=read_pin
    )
    if session is None:
        return USAGE
    try:
        entry = clear_suppression(store, session, args.address)
    except ParkingDeskError as exc:
        if exc.code.startswith(("error.store", "error.database")):
            raise
        print(exc.translated(lang), file=sys.stderr)
        return FAILED
    print(f"{entry.address} cleared: it is sent to again (a retry of its task sends now)")
    return OK
