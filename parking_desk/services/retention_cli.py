"""``parking-desk retention show`` and ``retention set … --as NAME``: the site's periods for
personal data from a terminal.

``show`` is open: the figures every machine applies, and whether they are the site's (an
admin set them) or still this machine's ``[retention]`` settings. ``set`` is an admin's,
signed in with ``--as`` and the PIN (``staff_cli.signed_in``); a figure not given keeps the
value that applies now, and ``retention.set_site_retention`` checks and audits the whole.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parking_desk.config import check_retention
from parking_desk.errors import ParkingDeskError
from parking_desk.services.retention import FIGURES, figures_of, set_site_retention
from parking_desk.services.roles import Role
from parking_desk.services.staff_cli import OK, USAGE, ReadPin, _prompt, add_sign_in, signed_in
from parking_desk.settings_model import RetentionSettings

# Each figure's option, and what it keeps.
OPTIONS = {
    "anonymise_after_days": ("--bookings-days", "bookings keep the client's details"),
    "finished_tasks_days": ("--finished-tasks-days", "sent and cancelled tasks are kept"),
    "dead_tasks_days": ("--dead-tasks-days", "dead tasks are kept"),
    "outbox_days": ("--outbox-days", "outbox .eml files are kept"),
}
if set(OPTIONS) != set(FIGURES):
    raise ImportError("retention_cli: the options no longer match RetentionSettings")


def add_retention_parser(sub: Any) -> None:
    retention = sub.add_parser("retention", help="how long the site keeps personal data")
    rsub = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    rsub.add_parser("show", help="the periods every machine of the site applies")
    change = rsub.add_parser("set", help="the site's periods, for every machine (admins only)")
    for key, (option, text) in OPTIONS.items():
        change.add_argument(option, dest=key, type=int, metavar="N", help=f"days {text}; 0: ever")
    add_sign_in(change)


def retention_lines(figures: RetentionSettings, *, site: dict[str, Any] | None) -> list[str]:
    """*site*: the store's document when the figures are the site's, else None."""
    if site is None:
        whose = "this machine's settings (none set for the site)"
    else:
        at = site.get("setAt")
        when = f" on {at:%Y-%m-%d %H:%M}Z" if isinstance(at, datetime) else ""
        whose = f"the site's, set by {site.get('setBy') or 'an admin'}{when}"
    lines = [f"periods     {whose}"]
    for key, (option, text) in OPTIONS.items():
        days = getattr(figures, key)
        shown = "kept for ever" if days == 0 else f"{days} days"
        lines.append(f"{option:<22} {shown:<14} {text}")
    return lines


def run_retention(
    args: argparse.Namespace,
    store: Any,
    local: RetentionSettings,
    env: Mapping[str, str],
    lang: str,
    *,
    read_pin: ReadPin = _prompt,
) -> int:
    doc = store.site_retention()
    site = figures_of(doc)
    current = site or local
    if args.retention_command == "show":
        print("\n".join(retention_lines(current, site=doc if site else None)))
        return OK
    given = {k: getattr(args, k) for k in FIGURES if getattr(args, k) is not None}
    if not given:
        print(
            "retention set needs at least one of " + ", ".join(o for o, _ in OPTIONS.values()),
            file=sys.stderr,
        )
        return USAGE
    negative = [OPTIONS[k][0] for k, v in given.items() if v < 0]
    if negative:
        print(f"{', '.join(negative)}: days must not be negative", file=sys.stderr)
        return USAGE
    figures = dataclasses.replace(current, **given)
    check_retention(figures, lambda key: OPTIONS[key][0])  # a ConfigError: exit 2, translated
    session = signed_in(
        args,
        store,
        env,
        lang,
        command="retention set",
        role=Role.ADMIN,
        read_pin=read_pin,
        needed="cli.sign_in_needed_site",
    )
    if session is None:
        return USAGE
    try:
        set_site_retention(store, session, figures)
    except ParkingDeskError as exc:
        if exc.code.startswith(("error.store", "error.database")):
            raise
        print(exc.translated(lang), file=sys.stderr)
        return USAGE
    print("\n".join(retention_lines(figures, site=store.site_retention())))
    return OK
