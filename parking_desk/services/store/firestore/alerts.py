"""Webhook alerts in Firestore: ``alerts/{id}``.

Fields: ``event``, ``body`` (the JSON text posted), ``attempts``, ``nextAttemptAt`` (null once
delivered), ``leaseOwner``, ``lastError``, ``deliveredAt``, ``createdAt``.

Queries, against production's index rules: ``nextAttemptAt <= t order by nextAttemptAt``
(claims), ``deliveredAt < t`` (purge) and ``deliveredAt == null`` (the undelivered list,
sorted in code): single-field indexes only. A delivered alert's ``nextAttemptAt`` is null,
and a range filter on timestamps never matches null, so claims only ever see alerts still
owed. A claim is a write conditioned on the update time of the document read, so of two
workers reading the same due alert only one claim lands.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.services.store.alerts import ALERTS, ERROR_LIMIT, Alert
from parking_desk.services.store.firestore.docs import RPC, guarded
from parking_desk.timeutil import as_utc

_LOST = (gexc.FailedPrecondition, gexc.NotFound, gexc.Aborted)


def _alert(snap: Any) -> Alert | None:
    doc = snap.to_dict() or {}
    created = as_utc(doc.get("createdAt"))
    body = doc.get("body")
    if created is None or not isinstance(body, str):
        return None  # not one of ours: never posted
    return Alert(
        id=snap.id,
        event=str(doc.get("event", "")),
        body=body,
        attempts=int(doc.get("attempts") or 0),
        next_attempt_at=as_utc(doc.get("nextAttemptAt")),
        last_error=doc.get("lastError"),
        delivered_at=as_utc(doc.get("deliveredAt")),
        created_at=created,
        lease_owner=doc.get("leaseOwner"),
    )


class FirestoreAlerts:
    """The ``AlertQueue`` role on the Firestore client *db*."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def _col(self) -> Any:
        return self._db.collection(ALERTS)

    @guarded
    def add(self, alert_id: str, event: str, body: str, *, now: datetime) -> None:
        doc = {
            "event": event,
            "body": body,
            "attempts": 0,
            "nextAttemptAt": now,
            "leaseOwner": None,
            "lastError": None,
            "deliveredAt": None,
            "createdAt": now,
        }
        with contextlib.suppress(gexc.AlreadyExists):  # recorded twice: once is enough
            self._col().document(alert_id).create(doc, **RPC)

    @guarded
    def claim_due(self, owner: str, *, now: datetime, lease: timedelta, limit: int) -> list[Alert]:
        query = (
            self._col()
            .where(filter=FieldFilter("nextAttemptAt", "<=", now))
            .order_by("nextAttemptAt")
            .limit(limit)
        )
        claimed: list[Alert] = []
        for snap in query.stream(**RPC):
            alert = _alert(snap)
            if alert is None or alert.delivered_at is not None:
                continue
            fields = {"leaseOwner": owner, "nextAttemptAt": now + lease}
            try:
                snap.reference.update(
                    fields, option=self._db.write_option(last_update_time=snap.update_time), **RPC
                )
            except _LOST:
                continue  # another worker claimed it first
            claimed.append(alert)
        return sorted(claimed, key=lambda a: a.created_at)

    def _settle(self, alert_id: str, owner: str, fields: dict[str, Any]) -> bool:
        ref = self._col().document(alert_id)
        snap = ref.get(**RPC)
        doc = snap.to_dict() if snap.exists else None
        if not doc or doc.get("leaseOwner") != owner or doc.get("deliveredAt") is not None:
            return False
        fields = {**fields, "attempts": int(doc.get("attempts") or 0) + 1, "leaseOwner": None}
        try:
            ref.update(
                fields, option=self._db.write_option(last_update_time=snap.update_time), **RPC
            )
        except _LOST:
            return False
        return True

    @guarded
    def delivered(self, alert_id: str, owner: str, *, now: datetime) -> bool:
        fields = {"deliveredAt": now, "nextAttemptAt": None, "lastError": None}
        return self._settle(alert_id, owner, fields)

    @guarded
    def failed(self, alert_id: str, owner: str, error: str, *, next_attempt_at: datetime) -> bool:
        fields = {"nextAttemptAt": next_attempt_at, "lastError": error[:ERROR_LIMIT]}
        return self._settle(alert_id, owner, fields)

    @guarded
    def get(self, alert_id: str) -> Alert | None:
        snap = self._col().document(alert_id).get(**RPC)
        return _alert(snap) if snap.exists else None

    @guarded
    def undelivered(self, limit: int = 100) -> list[Alert]:
        query = self._col().where(filter=FieldFilter("deliveredAt", "==", None))
        found = [a for a in (_alert(s) for s in query.stream(**RPC)) if a is not None]
        return sorted(found, key=lambda a: a.created_at)[:limit]

    @guarded
    def purge_delivered(self, before: datetime) -> int:
        query = self._col().where(filter=FieldFilter("deliveredAt", "<", before))
        purged = 0
        for snap in query.stream(**RPC):
            snap.reference.delete(**RPC)
            purged += 1
        return purged
