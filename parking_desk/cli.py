"""``parking-desk``: the desk (default), the kiosk, the headless worker and queue tools.

Exit codes: 0 done, 1 something failed (a store error, a doctor check), 2 the command line
or a setting is wrong. Setting errors name the setting, in English unless
``PARKING_DESK_LANG=ro``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from parking_desk import __version__
from parking_desk.config import Settings, default_settings_path, load_settings
from parking_desk.errors import ConfigError, ParkingDeskError, StoreUnavailable
from parking_desk.file_modes import settings_warning
from parking_desk.task import TaskFilter, TaskState

if TYPE_CHECKING:
    from parking_desk.services.store.base import Store

log = logging.getLogger("parking_desk.cli")

OK, FAILED, USAGE = 0, 1, 2
STATE_CHOICES = [str(s) for s in TaskState] + ["retrying"]


def _parser() -> argparse.ArgumentParser:
    from parking_desk.services.bounces_cli import add_bounces_parser
    from parking_desk.services.keys_cli import add_keys_parser
    from parking_desk.services.retention_cli import add_retention_parser
    from parking_desk.services.staff_cli import add_sign_in, add_staff_parser

    p = argparse.ArgumentParser(prog="parking-desk", description="Parking Desk")
    p.add_argument("--version", action="version", version=f"parking-desk {__version__}")
    p.add_argument("--config", type=Path, help="settings file (default: user config folder)")
    p.add_argument(
        "--self-test",
        action="store_true",
        help="build the desk window, close it and exit (0: it works); for installers and CI",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("desk", help="the desk window (default)")
    sub.add_parser("kiosk", help="the read-only queue screen")
    worker = sub.add_parser("worker", help="run the queue worker without a display")
    worker.add_argument("--once", action="store_true", help="drain everything due, then exit")

    queue = sub.add_parser("queue", help="inspect and manage the notification queue")
    qsub = queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    qsub.add_parser("stats", help="counts per state")
    listing = qsub.add_parser("list", help="tasks, newest first")
    listing.add_argument("--state", choices=STATE_CHOICES)
    listing.add_argument("--search", default="", help="booking number, address or error text")
    listing.add_argument("--limit", type=int, default=50)
    retry = qsub.add_parser("retry", help="send again now with a fresh attempt budget")
    retry.add_argument("ids", nargs="*")
    which = retry.add_mutually_exclusive_group()
    which.add_argument("--state", choices=["dead", "cancelled", "pending", "retrying"])
    which.add_argument("--all-failed", action="store_true", help="dead and retrying tasks")
    add_sign_in(retry)
    cancel = qsub.add_parser("cancel", help="cancel pending or dead tasks")
    cancel.add_argument("ids", nargs="+")
    add_sign_in(cancel)
    add_staff_parser(sub)
    add_keys_parser(sub)
    add_bounces_parser(sub)
    add_retention_parser(sub)

    sub.add_parser("doctor", help="check settings, store, SMTP login and the signing key")
    demo = sub.add_parser("demo", help="fill the embedded store with demo bookings")
    demo.add_argument("--count", type=int, default=40)
    export = sub.add_parser(
        "export-public-key", help="the site's key ring for gates (PEM; JSON for a .json file)"
    )
    export.add_argument("file", nargs="?", type=Path)
    ticket = sub.add_parser("ticket", help="check tickets, as a gate does")
    tsub = ticket.add_subparsers(dest="ticket_command", metavar="ACTION", required=True)
    check = tsub.add_parser("verify", help="verdict and booking number; exit 0 only if valid")
    check.add_argument("text", nargs="?", help="the ticket's text (default: standard input)")
    check.add_argument("--keys", type=Path, help="the ring from export-public-key")
    return p


def _lang(env: Mapping[str, str]) -> str:
    return "ro" if env.get("PARKING_DESK_LANG", "").lower().startswith("ro") else "en"


def _setup_logging(settings: Settings, env: Mapping[str, str], console: bool) -> None:
    from parking_desk.services.logs import secrets_of, setup_logging

    log_dir = env.get("PARKING_DESK_LOG_DIR") or None
    try:
        setup_logging(
            log_dir=Path(log_dir) if log_dir else None,
            secrets=secrets_of(settings),
            console=console,
        )
    except OSError as exc:  # an unwritable log folder must not stop the worker
        logging.basicConfig(level=logging.INFO)
        log.warning("Log file unavailable (%s); logging to the console only", exc)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return exc.code if isinstance(exc.code, int) else USAGE
    command = args.command or "desk"

    if command == "doctor":
        from parking_desk.services.doctor import doctor

        return doctor(args.config, env)
    try:
        settings = load_settings(args.config, env)
    except ConfigError as exc:
        print(exc.translated(_lang(env)), file=sys.stderr)
        if command == "desk" and env is os.environ:
            # Started from a desktop entry nobody reads stderr: the desk shows it in a dialog.
            from parking_desk.ui.app import main as gui_main

            return gui_main(None, settings_path=args.config)
        return USAGE
    _setup_logging(settings, env, console=command in ("worker", "desk", "kiosk"))
    exposed = settings_warning(args.config or default_settings_path(env), _lang(env))
    if exposed:
        print(exposed, file=sys.stderr)
    try:
        return _run(command, args, settings, env)
    except ConfigError as exc:
        print(exc.translated(_lang(env)), file=sys.stderr)
        return USAGE
    except Exception as exc:
        failure = store_failure(exc, settings)
        if failure is None:
            raise
        log.error("%s failed: %s", command, exc, exc_info=not isinstance(exc, ParkingDeskError))
        print(failure.translated(_lang(env)), file=sys.stderr)
        return FAILED


# SQLite's own words for a file that is not (or no longer) a database.
_DAMAGE_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
_DAMAGE_WORDS = ("malformed", "not a database", "file is encrypted")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def store_failure(exc: BaseException, settings: Settings) -> ParkingDeskError | None:
    """The one line a store or database error is reported as, or None for any other error.

    A damaged SQLite file says so whichever call met it first, whether the store wrapped the
    error (opening, writing) or a read let it through; other SQLite errors keep the store's
    own account when it gave one. Firestore's client errors that escaped the store's guard
    read as "cannot be reached", like the ones it caught."""
    where = _where(settings)
    for cause in _causes(exc):
        if isinstance(cause, sqlite3.DatabaseError) and (
            getattr(cause, "sqlite_errorcode", None) in _DAMAGE_CODES
            or any(word in str(cause).lower() for word in _DAMAGE_WORDS)
        ):
            return ParkingDeskError(code="error.database_damaged", path=where, reason=cause)
    if isinstance(exc, ParkingDeskError):
        return exc
    if isinstance(exc, sqlite3.Error):
        return ParkingDeskError(code="error.database", path=where, reason=exc)
    if type(exc).__module__.startswith(("google.api_core", "google.auth")):
        return StoreUnavailable(str(exc))
    return None


def _run(command: str, args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> int:
    if command == "desk":
        from parking_desk.ui.app import main as gui_main

        return gui_main(settings, self_test=args.self_test, settings_path=args.config)
    if command == "kiosk":
        from parking_desk.ui.kiosk.app import main as kiosk_main

        return kiosk_main(settings)
    if command in ("export-public-key", "ticket"):
        from parking_desk.services.ticket_commands import export_ring, verify_ticket

        if command == "ticket":
            return verify_ticket(args.text, args.keys, settings, _lang(env))
        return export_ring(settings, args.file, _lang(env))

    from parking_desk.services.runtime import open_store

    if (
        command == "demo"
        and settings.store.kind != "sqlite"
        and not env.get("FIRESTORE_EMULATOR_HOST")
    ):
        print("demo data goes only into the embedded store or an emulator", file=sys.stderr)
        return USAGE
    store = open_store(settings)
    try:
        if command == "worker":
            from parking_desk.services.headless import run_forever, run_once

            return run_once(settings, store) if args.once else run_forever(settings, store)
        if command == "demo":
            from parking_desk.services.demo import fill_demo

            bookings = fill_demo(store, count=max(1, args.count))
            print(f"{len(bookings)} demo bookings added to {_where(settings)}")
            return OK
        if command == "staff":
            from parking_desk.services.staff_cli import run_staff

            return run_staff(args, store, env, _lang(env))
        if command == "keys":
            from parking_desk.services.keys_cli import run_keys

            return run_keys(args, store, env, _lang(env))
        if command == "bounces":
            from parking_desk.services.bounces_cli import run_bounces

            return run_bounces(args, store, env, _lang(env))
        if command == "retention":
            from parking_desk.services.retention_cli import run_retention

            return run_retention(args, store, settings.retention, env, _lang(env))
        return _queue(args, store, settings, env)
    finally:
        store.close()


def _where(settings: Settings) -> str:
    if settings.store.kind == "firestore":
        return f"Firestore project {settings.store.firestore_project}"
    return str(settings.store.sqlite_path)


def _filter(state: str | None, search: str = "") -> TaskFilter:
    if state == "retrying":
        return TaskFilter(retrying=True, text=search)
    states = frozenset({TaskState(state)}) if state else frozenset()
    return TaskFilter(states=states, text=search)


def _queue(
    args: argparse.Namespace, store: Store, settings: Settings, env: Mapping[str, str]
) -> int:
    from parking_desk.services.queue_health import collect_health
    from parking_desk.services.queue_text import stats_lines, task_lines

    action = args.queue_command
    if action == "stats":
        health = collect_health(
            store, settings.kiosk, time_zone=settings.desk.time_zone, every_state=True
        )
        print("\n".join(stats_lines(health)))
        return OK
    if action == "list":
        if args.limit < 1:
            print("--limit must be at least 1", file=sys.stderr)
            return USAGE
        tasks = store.list_tasks(_filter(args.state, args.search), limit=args.limit)
        print("\n".join(task_lines(tasks)))
        return OK
    if action == "retry" and bool(args.ids) == bool(args.state or args.all_failed):
        print("retry needs task ids, or --state, or --all-failed", file=sys.stderr)
        return USAGE
    # What changes the queue names a person, checked as the desk checks them.
    from parking_desk.services.staff_cli import signed_in

    session = signed_in(args, store, env, _lang(env), command=f"queue {action}")
    if session is None:
        return USAGE
    operator = session.operator_name()
    if action == "retry":
        listed: list[tuple[str, int | None]]
        flt = None
        if args.ids:
            listed = [(i, None) for i in args.ids]
        elif args.all_failed:  # one audited action over both kinds of failure
            rows = [r for s in ("dead", "retrying") for r in store.list_task_rows(_filter(s))]
            listed = [(r.id, r.version) for r in rows]
        else:
            flt = _filter(args.state)
            listed = [(r.id, r.version) for r in store.list_task_rows(flt)]
        changed = store.retry_tasks(listed, operator=operator, filter=flt) if listed else 0
        print(f"{changed} task(s) will be sent again now")
        return OK
    if action == "cancel":
        changed = store.cancel_tasks(args.ids, operator=operator)
        print(f"{changed} of {len(args.ids)} task(s) cancelled")
        return OK if changed or not args.ids else FAILED
    return USAGE
