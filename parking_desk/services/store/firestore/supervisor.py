"""The supervisor's side of the queue in Firestore: listing, retries, cancellations, address
fixes and the audit log that records each of them (the table's rows and feed are in
``task_rows``)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from parking_desk import task_rules
from parking_desk.booking_rules import checked_email
from parking_desk.errors import NotFound
from parking_desk.services.store.base import AuditEntry
from parking_desk.services.store.firestore.docs import (
    AUDIT,
    QUEUE,
    RPC,
    Conn,
    chunks,
    guarded,
    view_task,
)
from parking_desk.services.store.firestore.filter import FIRESTORE_RUNS, plan_query
from parking_desk.services.store.firestore.normalise import FirestoreNormaliser
from parking_desk.task import NotificationTask, TaskFilter
from parking_desk.task_filter import compile_filter
from parking_desk.timeutil import as_utc

log = logging.getLogger(__name__)


LIST_PAGE = 1000  # documents per list_tasks request


class FirestoreSupervisor:
    """The supervisor's actions on the queue and the audit log; *normaliser* is told of raw
    documents written here, so the next claim looks for them."""

    def __init__(self, conn: Conn, normaliser: FirestoreNormaliser) -> None:
        self._conn = conn
        self._db = conn.db
        self._normaliser = normaliser

    @guarded
    def import_raw_task(self, task_id: str, document: dict[str, Any]) -> None:
        """Write a queue document exactly as another writer (the website) would."""
        self._db.collection(QUEUE).document(task_id).set(document, **RPC)
        self._normaliser.want_full_sweep()

    @guarded
    def get_task(self, task_id: str) -> NotificationTask | None:
        snap = self._db.collection(QUEUE).document(task_id).get(**RPC)
        return view_task(snap) if snap.exists else None

    @guarded
    def list_tasks(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[NotificationTask]:
        """The filter's plan: what Firestore runs in the query (``firestore_filter``), the
        residual predicate on each document read."""
        plan = compile_filter(filter or TaskFilter())
        q = plan_query(self._db, plan)
        keep = plan.residual(FIRESTORE_RUNS).task
        # Pages, each under its own deadline: one stream of 10,000 documents outlasts a
        # single RPC deadline, and a supervisor's bulk retry lists that many.
        out: list[NotificationTask] = []
        last = None
        while True:
            page_query = q.limit(LIST_PAGE)
            if last is not None:
                page_query = page_query.start_after(last)
            page = list(page_query.stream(**RPC))
            for snap in page:
                task = view_task(snap)
                if keep(task):
                    out.append(task)
                    if limit is not None and len(out) >= limit:
                        return out
            if len(page) < LIST_PAGE:
                return out
            last = page[-1]

    # --- manual actions --------------------------------------------------------------------

    def _snaps(self, ids: Sequence[str]) -> list[Any]:
        refs = [self._db.collection(QUEUE).document(i) for i in dict.fromkeys(ids)]
        return [s for s in self._db.get_all(refs, **RPC) if s.exists] if refs else []

    def _write_each(
        self, snaps: list[Any], fields_for: Callable[[Any], dict[str, Any] | None]
    ) -> list[str]:
        """Write every document still as read, in batches; a batch that loses a race to a
        worker is redone one document at a time so the others still go through."""
        done: list[str] = []
        for part in chunks(snaps):
            planned = [(s, fields_for(s)) for s in part]
            planned = [(s, f) for s, f in planned if f is not None]
            batch = self._db.batch()
            for snap, fields in planned:
                batch.update(
                    snap.reference, fields, option=self._conn.precondition(snap.update_time)
                )
            try:
                if planned:
                    batch.commit(**RPC)
                done += [s.id for s, _ in planned]
            except (gexc.FailedPrecondition, gexc.NotFound):
                for snap, _ in planned:
                    fresh = snap.reference.get(**RPC)
                    fields = fields_for(fresh) if fresh.exists else None
                    if fields is None:
                        continue
                    try:
                        fresh.reference.update(
                            fields, option=self._conn.precondition(fresh.update_time), **RPC
                        )
                        done.append(fresh.id)
                    except (gexc.FailedPrecondition, gexc.NotFound):
                        log.info("task %s changed under a manual action; left as is", snap.id)
        return done

    @guarded
    def cancel_tasks(
        self, ids: Sequence[str], *, operator: str, now: datetime | None = None
    ) -> int:
        now = self._conn.now(now)

        def cancelled(snap: Any) -> dict[str, Any] | None:
            write = task_rules.cancel(view_task(snap), operator, now)
            return write.fields if write else None

        done = self._write_each(self._snaps(ids), cancelled)
        self.record_audit(operator, "cancel", done, details={"count": len(done)}, now=now)
        return len(done)

    @guarded
    def update_recipient(
        self, task_id: str, email: str, *, operator: str, now: datetime | None = None
    ) -> NotificationTask:
        now = self._conn.now(now)
        address = checked_email(email)
        ref = self._db.collection(QUEUE).document(task_id)
        audit_ref = self._db.collection(AUDIT).document()

        def fix(tx: Any) -> NotificationTask:
            snap = ref.get(transaction=tx)
            if not snap.exists:
                raise NotFound(code="error.task_not_found", task_id=task_id)
            task = view_task(snap)
            write = task_rules.fix_recipient(task, address, operator, now)
            booking_ref = self._conn.booking_ref(task.booking_number)
            booking = booking_ref.get(transaction=tx) if booking_ref is not None else None
            tx.update(ref, write.fields)
            if booking is not None and booking.exists:
                tx.update(booking_ref, write.booking)
            tx.set(
                audit_ref,
                _audit_doc(
                    operator,
                    "update_recipient",
                    [task_id],
                    None,
                    task_rules.recipient_audit(task, address),
                    now,
                ),
            )
            return write.task

        return self._conn.transact(fix)

    # --- audit -----------------------------------------------------------------------------

    @guarded
    def record_audit(
        self,
        operator: str,
        action: str,
        task_ids: Iterable[str] = (),
        *,
        filter: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        now = self._conn.now(now)
        ids = list(task_ids)
        ref = self._db.collection(AUDIT).document(uuid.uuid4().hex)
        ref.set(_audit_doc(operator, action, ids, filter, details or {}, now), **RPC)
        return AuditEntry(ref.id, now, operator, action, ids, filter, details or {})

    @guarded
    def audit_log(self, *, limit: int = 500) -> list[AuditEntry]:
        q = (
            self._db.collection(AUDIT)
            .order_by("at", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        out = []
        for snap in q.stream(**RPC):
            d = snap.to_dict() or {}
            try:
                at = as_utc(d.get("at"))
            except (TypeError, ValueError):
                continue
            if at is None:
                continue
            details = d.get("details")
            out.append(
                AuditEntry(
                    id=snap.id,
                    at=at,
                    operator=str(d.get("operator") or ""),
                    action=str(d.get("action") or ""),
                    task_ids=[str(i) for i in d.get("taskIds") or []],
                    filter=d.get("filter") if isinstance(d.get("filter"), dict) else None,
                    details=details if isinstance(details, dict) else {},
                )
            )
        return out


def _audit_doc(
    operator: str,
    action: str,
    ids: list[str],
    filter: dict[str, Any] | None,
    details: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    return {
        "at": now,
        "operator": operator,
        "action": action,
        "taskIds": ids,
        "filter": filter,
        "details": details,
    }
