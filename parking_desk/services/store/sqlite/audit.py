"""The audit log in SQLite: who did what to which tasks, and under which filter.

An entry is written in the same transaction as the change it records, so the log can never
claim an action that did not happen, nor miss one that did.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from parking_desk.services.store.base import AuditEntry
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import dumps, epoch, loads
from parking_desk.timeutil import utcnow


def insert_audit(
    conn: sqlite3.Connection,
    operator: str,
    action: str,
    task_ids: Iterable[str],
    filter: dict[str, Any] | None,
    details: dict[str, Any] | None,
    now: datetime,
    audit_id: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        id=audit_id or uuid.uuid4().hex[:20],
        at=now,
        operator=operator,
        action=action,
        task_ids=list(task_ids),
        filter=filter,
        details=dict(details or {}),
    )
    doc = {
        "at": now,
        "operator": operator,
        "action": action,
        "taskIds": entry.task_ids,
        "filter": filter,
        "details": entry.details,
    }
    conn.execute(
        "INSERT INTO auditLog (id, at, doc) VALUES (?, ?, ?)",
        (entry.id, epoch(now), dumps(doc)),
    )
    return entry


class SqliteAuditLog:
    """Reading the log, and recording an action that has no change of its own to ride on."""

    def __init__(self, db: SqliteConnections) -> None:
        self._db = db

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
        with self._db.write() as conn:
            return insert_audit(conn, operator, action, task_ids, filter, details, now or utcnow())

    def audit_log(self, *, limit: int = 500) -> list[AuditEntry]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, doc FROM auditLog ORDER BY at DESC, rowid DESC LIMIT ?", (limit,)
            ).fetchall()
        entries = []
        for row in rows:
            doc = loads(row["doc"])
            entries.append(
                AuditEntry(
                    id=row["id"],
                    at=doc["at"],
                    operator=doc.get("operator", ""),
                    action=doc.get("action", ""),
                    task_ids=list(doc.get("taskIds") or []),
                    filter=doc.get("filter"),
                    details=doc.get("details") or {},
                )
            )
        return entries
