"""``parking-desk doctor``: can this machine run the desk or the worker, and if not, why.

Each check prints one line, OK or FAIL with the reason, and every check runs even after one
fails, so a new install shows all its problems at once. Nothing is sent and nothing is
created: the SMTP check logs in and leaves, and a missing signing key is reported rather
than generated (a fresh install has none yet, which is fine: the first start makes it).

On the embedded store, "reachable" is not enough: a file damaged on disk still opens and
answers a ping, then fails the first query that reads the broken page. So doctor also runs
SQLite's own ``PRAGMA integrity_check`` on a read-only connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from parking_desk.config import Settings, load_settings
from parking_desk.errors import ConfigError, ParkingDeskError
from parking_desk.services.keys import KeyFileError, read_private_key
from parking_desk.services.mail.base import DeliveryError
from parking_desk.services.mail.factory import build_transport, check_mail_route, describe_route

INTEGRITY_LINES = 3  # of integrity_check's findings, shown on the FAIL line


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def _store_check(settings: Settings) -> Check:
    from parking_desk.services.runtime import open_store

    where = (
        f"firestore project {settings.store.firestore_project}"
        if settings.store.kind == "firestore"
        else f"sqlite {settings.store.sqlite_path}"
    )
    try:
        store = open_store(settings)
        try:
            store.ping()
        finally:
            store.close()
    except ParkingDeskError as exc:
        return Check("store", False, f"{where}: {exc.translated('en')} ({exc})")
    except Exception as exc:
        return Check("store", False, f"{where}: {type(exc).__name__}: {exc}")
    if settings.store.kind == "sqlite":
        damage = _sqlite_damage(Path(settings.store.sqlite_path))
        if damage:
            return Check("store", False, f"{where}: integrity check failed: {damage}")
        return Check("store", True, f"{where} reachable, integrity check OK")
    return Check("store", True, f"{where} reachable")


def _sqlite_damage(path: Path) -> str:
    """What ``PRAGMA integrity_check`` finds wrong with the file; empty if nothing."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    if rows == ["ok"]:
        return ""
    shown = "; ".join(rows[:INTEGRITY_LINES])
    more = len(rows) - INTEGRITY_LINES
    return f"{shown} (and {more} more)" if more > 0 else shown


def _route_check(settings: Settings) -> Check:
    """Which transport will carry mail, and whether the worker will agree to use it."""
    try:
        check_mail_route(settings)
    except ConfigError as exc:
        return Check("mail route", False, exc.translated("en"))
    return Check("mail route", True, describe_route(settings))


def _transport_checks(settings: Settings) -> list[Check]:
    chain = build_transport(settings, None)
    transports = list(getattr(chain, "transports", None) or [chain])
    checks = []
    try:
        for transport in transports:
            name = f"mail {transport.name}"
            try:
                transport.check()
            except DeliveryError as exc:
                checks.append(Check(name, False, f"{exc.code}: {exc.message}"))
            except Exception as exc:
                checks.append(Check(name, False, f"{type(exc).__name__}: {exc}"))
            else:
                what = "login OK, nothing sent" if transport.name != "outbox" else "folder writable"
                checks.append(Check(name, True, what))
    finally:
        chain.close()
    return checks


def _imap_check(settings: Settings) -> Check:
    """The bounce reader's login: without IMAP settings it is off, which is no failure."""
    from parking_desk.services.bounces.reader import check_login

    if settings.imap is None:
        return Check("bounces", True, "not read: no IMAP settings (see README, 'Bounces')")
    try:
        seen = check_login(settings.imap)
    except Exception as exc:
        where = f"{settings.imap.host}:{settings.imap.port}"
        return Check("bounces", False, f"IMAP {where}: {type(exc).__name__}: {exc}")
    return Check("bounces", True, f"IMAP login OK, {seen}")


def _key_check(settings: Settings) -> Check:
    path = Path(settings.qr.key_path)
    try:
        key = read_private_key(path)
    except (KeyFileError, OSError) as exc:
        return Check("signing key", False, str(exc))
    if key is None:
        return Check(
            "signing key",
            True,
            f"not created yet: the first start of the desk or the worker creates it at {path} "
            "and publishes it to the site's key ring",
        )
    return Check("signing key", True, f"{path}")


def run_checks(config_path: Path | None, env: Mapping[str, str]) -> list[Check]:
    try:
        settings = load_settings(config_path, env)
    except ParkingDeskError as exc:
        return [Check("settings", False, exc.translated("en"))]
    checks = [Check("settings", True, f"loaded (store: {settings.store.kind})")]
    checks.append(_store_check(settings))
    checks.append(_route_check(settings))
    checks.extend(_transport_checks(settings))
    checks.append(_imap_check(settings))
    checks.append(_key_check(settings))
    return checks


def doctor(
    config_path: Path | None, env: Mapping[str, str], out: Callable[[str], None] = print
) -> int:
    """Print every check; 0 if all passed, 1 otherwise."""
    checks = run_checks(config_path, env)
    for check in checks:
        out(check.line())
    return 0 if all(c.ok for c in checks) else 1
