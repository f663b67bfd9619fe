"""Personal data in Firestore: the site's retention figures (``siteSettings/retention``),
the purge's turn (``siteSettings/purge``), anonymising departed bookings and erasing one
client. What is removed is the domain's (``booking_rules.anonymise``, ``personal_data``);
this part selects, and writes each document whole (``set``, not a merge), so a field the
website added and nobody here knows is not left behind holding a name.

Queries, reviewed against production's index rules:
  bookings: departure < t                       single field (anonymise_departed)
  bookings: no filter, select clientEmail       none (erase_client: any case)
  emailQueue: bookingNumber in [...]            single field (erase_client)
  emailQueue: no filter, select clientEmail     none (erase_client: any case)
  auditLog: no filter (the whole log, read on an erasure only)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk import booking_rules
from parking_desk.booking import Booking
from parking_desk.personal_data import (
    PERSONAL_FIELDS,
    audit_traces,
    erased_task_document,
    mentions,
    scrub,
    traces_of,
)
from parking_desk.services.store.base import Erasure
from parking_desk.services.store.firestore.docs import (
    AUDIT,
    BOOKINGS,
    QUEUE,
    RPC,
    Conn,
    chunks,
    guarded,
)
from parking_desk.services.store.firestore.supervisor import _audit_doc
from parking_desk.timeutil import as_utc

log = logging.getLogger(__name__)

SITE = "siteSettings"
# Firestore's limit on the values of one ``in`` filter.
IN_LIMIT = 30
# Documents per transaction: well under the 500 writes one commit takes.
PER_COMMIT = 200


def _booking(snap: Any) -> Booking | None:
    try:
        return Booking.from_document(snap.to_dict(), snap.id)
    except (TypeError, ValueError) as exc:
        log.warning("booking %s unreadable: %s", snap.id, exc)
        return None


def _folded(value: Any) -> str | None:
    return value.strip().casefold() if isinstance(value, str) and value.strip() else None


def _numbers(numbers: Sequence[str]) -> list[Any]:
    """As the website may write them: text, or a JavaScript number."""
    out: list[Any] = []
    for number in numbers:
        out.append(str(number))
        if str(number).isdigit():
            out.append(int(number))
    return out


class FirestorePersonalData:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._db = conn.db

    # --- the site's figures and the purge's turn ---------------------------------------

    @guarded
    def site_retention(self) -> dict[str, Any] | None:
        snap = self._db.collection(SITE).document("retention").get(**RPC)
        return snap.to_dict() if snap.exists else None

    @guarded
    def set_site_retention(
        self, figures: dict[str, int], *, operator: str, now: datetime | None = None
    ) -> None:
        now = self._conn.now(now)
        batch = self._db.batch()
        batch.set(
            self._db.collection(SITE).document("retention"),
            dict(figures) | {"setBy": operator, "setAt": now},
        )
        batch.set(
            self._db.collection(AUDIT).document(uuid.uuid4().hex),
            _audit_doc(operator, "set_retention", [], None, dict(figures), now),
        )
        batch.commit(**RPC)

    @guarded
    def claim_purge(self, last_before: datetime, *, now: datetime | None = None) -> bool:
        now = self._conn.now(now)
        ref = self._db.collection(SITE).document("purge")

        def claim(tx: Any) -> bool:
            snap = ref.get(transaction=tx)
            last = as_utc((snap.to_dict() or {}).get("lastPurgeAt")) if snap.exists else None
            if last is not None and last >= last_before:
                return False
            tx.set(ref, {"lastPurgeAt": now})
            return True

        return self._conn.transact(claim)

    # --- retention -----------------------------------------------------------------------

    @guarded
    def anonymise_departed(
        self, departed_before: datetime, *, operator: str, now: datetime | None = None
    ) -> list[str]:
        now = self._conn.now(now)
        q = (
            self._db.collection(BOOKINGS)
            .where(filter=FieldFilter("departure", "<", departed_before))
            .select(sorted(PERSONAL_FIELDS & {"clientName", "clientEmail", "phone", "plate"}))
        )
        refs = [s.reference for s in q.stream(**RPC) if any((s.to_dict() or {}).values())]
        done: list[str] = []
        for part in chunks(refs, PER_COMMIT):

            def anonymise(tx: Any, part: list[Any] = part) -> list[str]:
                changed = []
                for snap in self._db.get_all(part, transaction=tx):
                    booking = _booking(snap) if snap.exists else None
                    if booking is None or booking_rules.is_anonymised(booking):
                        continue
                    cleaned = booking_rules.anonymise(booking, operator, now, "retention")
                    tx.set(snap.reference, cleaned.to_document())
                    changed.append(snap.id)
                return changed

            done += self._conn.transact(anonymise)
        return done

    # --- "Erase this client" -------------------------------------------------------------

    @guarded
    def erase_client(
        self,
        numbers: Sequence[str],
        emails: Sequence[str],
        *,
        operator: str,
        now: datetime | None = None,
    ) -> Erasure:
        now = self._conn.now(now)
        addresses = sorted({v for e in emails if e.strip() for v in (e.strip(), e.strip().lower())})
        bookings = self._db.collection(BOOKINGS)
        queue = self._db.collection(QUEUE)
        # Found outside the transaction (queries of unknown size), read again inside it.
        booking_refs = {
            ref.id: ref for n in numbers if (ref := self._conn.booking_ref(str(n))) is not None
        }
        # Firestore matches text exactly, and the website keeps an address as the client
        # typed it: every address is read (one field of each document) and compared in any
        # case. An erasure is rare; this costs one read per booking and task.
        folded = {a.casefold() for a in addresses}
        for snap in bookings.select(["clientEmail"]).stream(**RPC):
            if _folded((snap.to_dict() or {}).get("clientEmail")) in folded:
                booking_refs[snap.id] = snap.reference
        all_numbers = sorted(booking_refs)
        task_refs: dict[str, Any] = {}
        for part in chunks(_numbers(all_numbers), IN_LIMIT):
            for snap in (
                queue.where(filter=FieldFilter("bookingNumber", "in", part))
                .select([])
                .stream(**RPC)
            ):
                task_refs[snap.id] = snap.reference
        for snap in queue.select(["clientEmail"]).stream(**RPC):
            if _folded((snap.to_dict() or {}).get("clientEmail")) in folded:
                task_refs[snap.id] = snap.reference
        traces: set[str] = {a.casefold() for a in addresses}
        for snap in self._db.get_all([*booking_refs.values(), *task_refs.values()], **RPC):
            doc = snap.to_dict() or {}
            traces |= traces_of(doc) | traces_of(doc.get("bookingData") or {})
        audit = [(s.reference, s.to_dict() or {}) for s in self._db.collection(AUDIT).stream(**RPC)]
        for _ref, doc in audit:
            traces |= audit_traces(doc, all_numbers)
        # The audit log first: should the erasure itself fail, running it again still finds
        # the person by the bookings it has not changed yet.
        self._scrub_audit(audit, traces)

        refs = [*booking_refs.values(), *task_refs.values()]
        audit_ref = self._db.collection(AUDIT).document(uuid.uuid4().hex)
        parts = chunks(refs, PER_COMMIT) or [[]]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1

            def erase(tx: Any, part: list[Any] = part, last: bool = last) -> None:
                for snap in self._db.get_all(part, transaction=tx) if part else []:
                    if not snap.exists:
                        continue
                    doc = snap.to_dict() or {}
                    if snap.reference.parent.id == QUEUE:
                        tx.set(snap.reference, erased_task_document(doc, traces, operator, now))
                        continue
                    booking = _booking(snap)
                    if booking is not None:
                        cleaned = booking_rules.anonymise(booking, operator, now, "erasure")
                        tx.set(snap.reference, cleaned.to_document())
                    else:
                        blank = {k: ("" if k in PERSONAL_FIELDS else v) for k, v in doc.items()}
                        tx.set(snap.reference, scrub(blank, traces))
                if last:
                    details = {"bookings": all_numbers, "tasks": len(task_refs)}
                    ids = sorted(task_refs)
                    tx.set(audit_ref, _audit_doc(operator, "erase_client", ids, None, details, now))

            self._conn.transact(erase)
        return Erasure(all_numbers, sorted(task_refs), audit_ref.id, frozenset(traces))

    def _scrub_audit(self, audit: list[tuple[Any, dict[str, Any]]], traces: set[str]) -> None:
        changed = [(ref, scrub(doc, traces)) for ref, doc in audit if mentions(doc, traces)]
        for part in chunks(changed):
            batch = self._db.batch()
            for ref, doc in part:
                batch.set(ref, doc)
            batch.commit(**RPC)
