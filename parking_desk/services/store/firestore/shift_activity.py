"""What a shift did, read from Firestore for the shift report. Reads only; the figures are
``services/shift_report.py``'s.

Queries (reviewed against production's index rules):

bookings   updatedAt >= t, order by updatedAt                      single field
auditLog   at >= start, at < end, order by at                       single field
emailQueue status in [dead, bounced], updatedAt >= start, < end, order by updatedAt
                                                composite (status, updatedAt), as failures_since
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.booking import Booking
from parking_desk.services.store.base import AuditEntry
from parking_desk.services.store.firestore.docs import (
    AUDIT,
    BOOKINGS,
    QUEUE,
    RPC,
    Conn,
    guarded,
    view_task,
)
from parking_desk.task import NotificationTask, TaskState
from parking_desk.timeutil import as_utc

log = logging.getLogger(__name__)


class FirestoreShiftActivity:
    """Reads for the shift report over the one connection."""

    def __init__(self, conn: Conn) -> None:
        self._db = conn.db

    @guarded
    def bookings_changed_since(self, since: datetime) -> list[Booking]:
        """Every booking whose last change is at or after *since*."""
        q = (
            self._db.collection(BOOKINGS)
            .where(filter=FieldFilter("updatedAt", ">=", since))
            .order_by("updatedAt")
        )
        out = []
        for snap in q.stream(**RPC):
            try:
                out.append(Booking.from_document(snap.to_dict(), snap.id))
            except (TypeError, ValueError) as exc:
                log.warning("booking %s unreadable: %s", snap.id, exc)
        return out

    @guarded
    def audit_between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        """Audit entries with ``start <= at < end``, oldest first."""
        q = (
            self._db.collection(AUDIT)
            .where(filter=FieldFilter("at", ">=", start))
            .where(filter=FieldFilter("at", "<", end))
            .order_by("at")
        )
        out = []
        for snap in q.stream(**RPC):
            d: dict[str, Any] = snap.to_dict() or {}
            try:
                at = as_utc(d.get("at"))
            except (TypeError, ValueError):
                continue
            details = d.get("details")
            out.append(
                AuditEntry(
                    id=snap.id,
                    at=at or start,
                    operator=str(d.get("operator", "")),
                    action=str(d.get("action", "")),
                    task_ids=[str(i) for i in d.get("taskIds") or []],
                    filter=d.get("filter"),
                    details=details if isinstance(details, dict) else {},
                )
            )
        return out

    @guarded
    def failed_tasks_between(self, start: datetime, end: datetime) -> list[NotificationTask]:
        """Tasks that went dead or bounced with ``start <= when < end`` and are so still (a
        dead or bounced task's updatedAt is when it went so)."""
        q = (
            self._db.collection(QUEUE)
            .where(
                filter=FieldFilter("status", "in", [str(TaskState.DEAD), str(TaskState.BOUNCED)])
            )
            .where(filter=FieldFilter("updatedAt", ">=", start))
            .where(filter=FieldFilter("updatedAt", "<", end))
            .order_by("updatedAt")
        )
        return [view_task(snap) for snap in q.stream(**RPC)]
