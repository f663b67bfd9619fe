"""The bounce reader's ledger and the suppression list in Firestore.

``bounceCursors/{mailbox id}``: ``mailbox``, ``lastUid``, ``updatedAt``; raised in a
transaction, never lowered. ``bounceMessages/{mailbox id}-{uid}``: ``mailbox``, ``uid``,
``owner``, ``expiresAt``, ``outcome``; created create-only, taken over only once its lease
ran out, with a write conditioned on the update time read. ``suppressions/{address id}``:
``address``, ``addressKey``, ``at``, ``taskId``, ``bookingNumber``, ``code``, ``reason``.

Queries: ``emailQueue`` ``messageId == id`` limit 1 (a task whose id a Message-ID cannot
carry: single-field index) and ``suppressions`` ordered by ``at`` (single field). The rest is
read by document id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk import task_rules
from parking_desk.bounce import (
    Bounce,
    Suppression,
    address_id,
    address_key,
    same_address,
    suppression_for,
    task_id_of,
)
from parking_desk.errors import MalformedTask
from parking_desk.services.store.bounces import (
    BUSY,
    CLAIMED,
    CLEAR_ACTION,
    CURSORS,
    DONE,
    MESSAGES,
    SUPPRESSIONS,
)
from parking_desk.services.store.firestore.docs import (
    AUDIT,
    QUEUE,
    RPC,
    Conn,
    guarded,
    parse_task,
    view_task,
)
from parking_desk.task import NotificationTask
from parking_desk.timeutil import as_utc

_LOST = (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted)


def _mailbox_id(mailbox: str) -> str:
    return hashlib.sha256(mailbox.encode("utf-8")).hexdigest()[:32]


def _suppression_doc(entry: Suppression) -> dict[str, Any]:
    return {
        "address": entry.address,
        "addressKey": address_key(entry.address),
        "at": entry.at,
        "taskId": entry.task_id,
        "bookingNumber": entry.booking_number,
        "code": entry.code,
        "reason": entry.reason,
    }


def _suppression(doc: dict[str, Any] | None) -> Suppression | None:
    if not doc:
        return None
    at = as_utc(doc.get("at"))
    if at is None:
        return None
    return Suppression(
        str(doc.get("address") or ""),
        at,
        str(doc.get("taskId") or ""),
        str(doc.get("bookingNumber") or ""),
        str(doc.get("code") or ""),
        str(doc.get("reason") or ""),
    )


class FirestoreBounces:
    """The ``BounceLedger`` role over the store's connection."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._db = conn.db

    def _cursor_ref(self, mailbox: str) -> Any:
        return self._db.collection(CURSORS).document(_mailbox_id(mailbox))

    def _message_ref(self, mailbox: str, uid: int) -> Any:
        return self._db.collection(MESSAGES).document(f"{_mailbox_id(mailbox)}-{uid}")

    @guarded
    def cursor(self, mailbox: str) -> int:
        snap = self._cursor_ref(mailbox).get(**RPC)
        return int((snap.to_dict() or {}).get("lastUid") or 0) if snap.exists else 0

    @guarded
    def advance(self, mailbox: str, uid: int, *, now: datetime) -> None:
        ref = self._cursor_ref(mailbox)

        def raise_(tx: Any) -> None:
            snap = ref.get(transaction=tx)
            last = int((snap.to_dict() or {}).get("lastUid") or 0) if snap.exists else 0
            if uid > last:
                tx.set(ref, {"mailbox": mailbox, "lastUid": uid, "updatedAt": now})

        self._conn.transact(raise_)

    @guarded
    def claim(self, mailbox: str, uid: int, owner: str, *, lease: timedelta, now: datetime) -> str:
        ref = self._message_ref(mailbox, uid)
        doc = {"mailbox": mailbox, "uid": uid, "owner": owner, "expiresAt": now + lease}
        try:
            ref.create({**doc, "outcome": None}, **RPC)
            return CLAIMED
        except gexc.AlreadyExists:
            pass
        snap = ref.get(**RPC)
        held = snap.to_dict() or {}
        if held.get("outcome") is not None:
            return DONE
        expires = as_utc(held.get("expiresAt"))
        if expires is not None and expires > now:
            return BUSY
        try:
            ref.update(doc, option=self._conn.precondition(snap.update_time), **RPC)
        except _LOST:
            return BUSY
        return CLAIMED

    @guarded
    def finish(self, mailbox: str, uid: int, owner: str, outcome: str, *, now: datetime) -> bool:
        ref = self._message_ref(mailbox, uid)
        snap = ref.get(**RPC)
        held = snap.to_dict() or {}
        if not snap.exists or held.get("owner") != owner or held.get("outcome") is not None:
            return False
        fields = {"outcome": outcome, "finishedAt": now, "expiresAt": None}
        try:
            ref.update(fields, option=self._conn.precondition(snap.update_time), **RPC)
        except _LOST:
            return False
        return True

    @guarded
    def find_task(self, message_id: str) -> NotificationTask | None:
        wanted = message_id.strip()
        col = self._db.collection(QUEUE)
        candidate = task_id_of(wanted)
        if candidate:
            snap = col.document(candidate).get(**RPC)
            if snap.exists:
                task = view_task(snap)
                if task.message_id == wanted:
                    return task
        query = col.where(filter=FieldFilter("messageId", "==", wanted)).limit(1)
        for snap in query.stream(**RPC):
            return view_task(snap)
        return None

    @guarded
    def record_bounce(
        self, task_id: str, report: Bounce, who: str, *, now: datetime
    ) -> NotificationTask | None:
        ref = self._db.collection(QUEUE).document(task_id)

        def bounce(tx: Any) -> NotificationTask | None:
            snap = ref.get(transaction=tx)
            if not snap.exists:
                return None
            try:
                task = parse_task(snap)
            except MalformedTask:
                task = None
            view = task or view_task(snap)
            write = None
            if task is not None and same_address(task.client_email, report.recipient):
                write = task_rules.bounce(task, report, who, now)
            booking_ref = self._conn.booking_ref(view.booking_number) if write else None
            booking = booking_ref.get(transaction=tx) if booking_ref is not None else None
            if report.permanent:
                entry = suppression_for(report, view.id, view.booking_number, now)
                sup_ref = self._db.collection(SUPPRESSIONS).document(address_id(entry.address))
                tx.set(sup_ref, _suppression_doc(entry))
            if write is None:
                return None
            tx.update(ref, write.fields)
            if booking is not None and booking.exists and write.booking:
                tx.update(booking_ref, write.booking)
            return write.task

        result: NotificationTask | None = self._conn.transact(bounce)
        return result

    @guarded
    def record_delay(self, task_id: str, report: Bounce, who: str, *, now: datetime) -> bool:
        ref = self._db.collection(QUEUE).document(task_id)

        def note(tx: Any) -> bool:
            snap = ref.get(transaction=tx)
            if not snap.exists:
                return False
            try:
                task = parse_task(snap)
            except MalformedTask:
                return False
            tx.update(ref, task_rules.note_delay(task, report, who, now).fields)
            return True

        done: bool = self._conn.transact(note)
        return done


class FirestoreSuppressions:
    """The ``SuppressionList`` role over the store's connection."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._db = conn.db

    def _ref(self, address: str) -> Any:
        return self._db.collection(SUPPRESSIONS).document(address_id(address))

    @guarded
    def get(self, address: str) -> Suppression | None:
        snap = self._ref(address).get(**RPC)
        return _suppression(snap.to_dict()) if snap.exists else None

    @guarded
    def get_many(self, addresses: Iterable[str]) -> dict[str, Suppression | None]:
        """``get`` for each of *addresses*, in one read (a claimed batch's recipients)."""
        refs = {address: self._ref(address) for address in set(addresses)}
        if not refs:
            return {}
        unique = list({ref.path: ref for ref in refs.values()}.values())
        found = {snap.reference.path: snap for snap in self._db.get_all(unique, **RPC)}
        result: dict[str, Suppression | None] = {}
        for address, ref in refs.items():
            snap = found.get(ref.path)
            result[address] = (
                _suppression(snap.to_dict()) if snap is not None and snap.exists else None
            )
        return result

    @guarded
    def all(self, limit: int = 500) -> list[Suppression]:
        query = (
            self._db.collection(SUPPRESSIONS)
            .order_by("at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        found = (_suppression(s.to_dict()) for s in query.stream(**RPC))
        return [s for s in found if s is not None]

    @guarded
    def clear(self, address: str, *, operator: str, now: datetime) -> bool:
        ref = self._ref(address)
        audit_ref = self._db.collection(AUDIT).document()

        def clear(tx: Any) -> bool:
            snap = ref.get(transaction=tx)
            entry = _suppression(snap.to_dict()) if snap.exists else None
            if entry is None:
                return False
            tx.delete(ref)
            tx.set(
                audit_ref,
                {
                    "at": now,
                    "operator": operator,
                    "action": CLEAR_ACTION,
                    "taskIds": [entry.task_id] if entry.task_id else [],
                    "filter": None,
                    "details": {"address": entry.address, "bookingNumber": entry.booking_number},
                },
            )
            return True

        done: bool = self._conn.transact(clear)
        return done
