"""``parking-desk keys list`` and ``keys revoke KID --as NAME``: the site's key ring from a
terminal, for a server with no desk.

Listing is open (the ring is public keys and machine names); revoking is a supervisor's,
signed in with ``--as`` and the PIN as every changing command is (``staff_cli.signed_in``),
and audited by ``key_ring.revoke_key``, the same call the desk's Signing keys tab makes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parking_desk.errors import ParkingDeskError
from parking_desk.services.key_ring import SigningKey, key_store, revoke_key
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


def add_keys_parser(sub: Any) -> None:
    keys = sub.add_parser("keys", help="the site's ticket-signing keys")
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    ksub.add_parser("list", help="every machine's key, trusted and revoked")
    revoke = ksub.add_parser("revoke", help="refuse a key's tickets at every desk and gate")
    revoke.add_argument("kid", metavar="KID")
    add_sign_in(revoke)


def _stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def key_lines(keys: list[SigningKey]) -> list[str]:
    lines = [f"{'KID':<18} {'MACHINE':<28} {'CREATED':<20} REVOKED"]
    for key in keys:
        revoked = f"{_stamp(key.revoked_at)} by {key.revoked_by or '?'}" if key.revoked else "-"
        lines.append(f"{key.kid:<18} {key.machine[:28]:<28} {_stamp(key.created_at):<20} {revoked}")
    if len(keys) == 0:
        lines.append("(no keys)")
    return lines


def run_keys(
    args: argparse.Namespace,
    store: Any,
    env: Mapping[str, str],
    lang: str,
    *,
    read_pin: ReadPin = _prompt,
) -> int:
    if args.keys_command == "list":
        print("\n".join(key_lines(key_store(store).signing_keys())))
        return OK
    session = signed_in(
        args,
        store,
        env,
        lang,
        command="keys revoke",
        role=Role.SUPERVISOR,
        read_pin=read_pin,
        needed="cli.sign_in_needed_site",
    )
    if session is None:
        return USAGE
    try:
        key = revoke_key(store, session, args.kid)
    except ParkingDeskError as exc:
        if exc.code.startswith(("error.store", "error.database")):
            raise
        print(exc.translated(lang), file=sys.stderr)
        return FAILED
    print(f"key {key.kid} ({key.machine}) revoked {_stamp(key.revoked_at)} by {key.revoked_by}")
    return OK
