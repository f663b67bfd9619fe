"""Personal data in SQLite: the site's retention figures, the purge's turn, anonymising
departed bookings and erasing one client. What is removed is the domain's
(``booking_rules.anonymise``, ``personal_data``); this part selects and writes, each action
in one transaction with its audit entry."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from parking_desk import booking_rules
from parking_desk.booking import Booking, UnreadableBooking
from parking_desk.personal_data import (
    PERSONAL_FIELDS,
    audit_traces,
    erased_task_document,
    mentions,
    scrub,
    traces_of,
)
from parking_desk.services.store.base import Erasure
from parking_desk.services.store.sqlite.audit import insert_audit
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import (
    booking_row,
    dumps,
    epoch,
    from_epoch,
    loads,
    raw_task_row,
    utc_day,
)
from parking_desk.services.store.sqlite.tasks import update_row
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

TABLE = """
CREATE TABLE IF NOT EXISTS siteSettings (
    name TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
"""
RETENTION, PURGE = "retention", "purge"
# A booking still holding any of these is not anonymised yet.
_HOLDS_PERSONAL = (
    "(plate != '' OR clientNameLower != '' OR clientEmail != '' "
    "OR COALESCE(json_extract(doc, '$.phone'), '') != '')"
)


def _marks(items: Sequence[Any]) -> str:
    return ", ".join("?" * len(items))


class SqlitePersonalData:
    def __init__(self, db: SqliteConnections) -> None:
        self._db = db
        with db.write() as conn:
            conn.execute(TABLE)

    # --- the site's figures and the purge's turn ---------------------------------------

    def site_retention(self) -> dict[str, Any] | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT doc FROM siteSettings WHERE name = ?", (RETENTION,))
            found = row.fetchone()
        return loads(found["doc"]) if found else None

    def set_site_retention(
        self, figures: dict[str, int], *, operator: str, now: datetime | None = None
    ) -> None:
        now = now or utcnow()
        doc = dict(figures) | {"setBy": operator, "setAt": now}
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO siteSettings (name, doc) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET doc = excluded.doc",
                (RETENTION, dumps(doc)),
            )
            insert_audit(conn, operator, "set_retention", [], None, dict(figures), now)

    def claim_purge(self, last_before: datetime, *, now: datetime | None = None) -> bool:
        now = now or utcnow()
        with self._db.write() as conn:
            row = conn.execute("SELECT doc FROM siteSettings WHERE name = ?", (PURGE,)).fetchone()
            last = from_epoch(loads(row["doc"]).get("lastPurgeAt")) if row else None
            if last is not None and last >= last_before:
                return False
            conn.execute(
                "INSERT INTO siteSettings (name, doc) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET doc = excluded.doc",
                (PURGE, dumps({"lastPurgeAt": epoch(now)})),
            )
        return True

    # --- retention -----------------------------------------------------------------------

    def anonymise_departed(
        self, departed_before: datetime, *, operator: str, now: datetime | None = None
    ) -> list[str]:
        now = now or utcnow()
        done = []
        with self._db.write() as conn:
            rows = conn.execute(
                f"SELECT bookingNumber, doc FROM bookings WHERE departureDay <= ? "
                f"AND {_HOLDS_PERSONAL}",
                (utc_day(departed_before),),
            ).fetchall()
            for row in rows:
                booking = _booking(row)
                if booking is None or booking.departure >= departed_before:
                    continue
                if booking_rules.is_anonymised(booking):
                    continue
                _save(conn, booking_rules.anonymise(booking, operator, now, "retention"))
                done.append(row["bookingNumber"])
        return done

    # --- "Erase this client" -------------------------------------------------------------

    def erase_client(
        self,
        numbers: Sequence[str],
        emails: Sequence[str],
        *,
        operator: str,
        now: datetime | None = None,
    ) -> Erasure:
        now = now or utcnow()
        folded = sorted({e.strip().casefold() for e in emails if e and e.strip()})
        numbers = sorted({str(n) for n in numbers if str(n)})
        with self._db.write() as conn:
            bookings = conn.execute(
                f"SELECT bookingNumber, doc FROM bookings WHERE bookingNumber IN "
                f"({_marks(numbers)}) OR casefold(clientEmail) IN ({_marks(folded)})",
                [*numbers, *folded],
            ).fetchall()
            all_numbers = sorted({*numbers, *(r["bookingNumber"] for r in bookings)})
            tasks = conn.execute(
                f"SELECT * FROM emailQueue WHERE bookingNumber IN ({_marks(all_numbers)}) "
                f"OR casefold(clientEmail) IN ({_marks(folded)})",
                [*all_numbers, *folded],
            ).fetchall()
            traces: set[str] = set(folded)
            docs = {r["bookingNumber"]: _doc(r["doc"]) for r in bookings}
            for doc in docs.values():
                traces |= traces_of(doc)
            task_docs = {r["id"]: _doc(r["doc"]) for r in tasks}
            for doc in task_docs.values():
                traces |= traces_of(doc.get("bookingData") or {}) | traces_of(
                    {"clientEmail": doc.get("clientEmail")}
                )
            audit = [
                (r["id"], _doc(r["doc"])) for r in conn.execute("SELECT id, doc FROM auditLog")
            ]
            for _id, doc in audit:
                traces |= audit_traces(doc, all_numbers)
            for row in bookings:
                booking = _booking(row)
                if booking is not None:
                    _save(conn, booking_rules.anonymise(booking, operator, now, "erasure"))
                else:  # a document the website shaped so it does not read: cleaned as is
                    doc = docs[row["bookingNumber"]]
                    blank = {k: ("" if k in PERSONAL_FIELDS else v) for k, v in doc.items()}
                    conn.execute(
                        "UPDATE bookings SET doc = ?, plate = '', clientNameLower = '', "
                        "clientEmail = '' WHERE bookingNumber = ?",
                        (dumps(scrub(blank, traces)), row["bookingNumber"]),
                    )
            seq = self._db.next_seq(conn)
            for row in tasks:
                erased = erased_task_document(task_docs[row["id"]], traces, operator, now)
                columns = raw_task_row(row["id"], erased, now)
                update_row(conn, row["id"], row["version"], columns, seq)
            for audit_id, doc in audit:
                if mentions(doc, traces):
                    conn.execute(
                        "UPDATE auditLog SET doc = ? WHERE id = ?",
                        (dumps(scrub(doc, traces)), audit_id),
                    )
            task_ids = [r["id"] for r in tasks]
            entry = insert_audit(
                conn,
                operator,
                "erase_client",
                task_ids,
                None,
                {"bookings": all_numbers, "tasks": len(task_ids)},
                now,
            )
        return Erasure(all_numbers, task_ids, entry.id, frozenset(traces))


def _doc(text: str) -> dict[str, Any]:
    try:
        doc = loads(text)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _booking(row: sqlite3.Row) -> Booking | None:
    try:
        return Booking.from_document(loads(row["doc"]), row["bookingNumber"])
    except (UnreadableBooking, ValueError):
        log.warning("booking %s does not read; left for a person to look at", row["bookingNumber"])
        return None


def _save(conn: sqlite3.Connection, booking: Booking) -> None:
    row = booking_row(booking)
    sets = ", ".join(f"{k} = :{k}" for k in row if k != "bookingNumber")
    conn.execute(f"UPDATE bookings SET {sets} WHERE bookingNumber = :bookingNumber", row)
