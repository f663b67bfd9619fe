"""Writing queue rows: what every part of the SQLite store does to ``emailQueue`` inside
the transaction it holds. A row keeps its whole document next to typed copies of the fields
queries use (``schema.py``); these functions keep both in step and condition each write on
the version the row was read at."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from parking_desk import task_rules
from parking_desk.services.store.sqlite.schema import (
    TASK_COLUMNS,
    dumps,
    loads,
    task_columns,
    task_row,
)
from parking_desk.services.store.sqlite.task_rows import filter_sql
from parking_desk.task import NotificationTask, TaskFilter
from parking_desk.task_rules import TaskWrite


def read_row(row: sqlite3.Row) -> tuple[NotificationTask, str | None]:
    """The row's task and None, or its salvaged view and why its document does not parse."""
    damaged: str | None = None
    try:
        doc = loads(row["doc"])
    except ValueError as exc:  # the JSON itself is damaged
        doc, damaged = None, f"unreadable document: {exc}"
    task, reason = task_rules.read_task(row["id"], doc)
    task.version = row["version"]
    return task, damaged or reason


def insert_task(conn: sqlite3.Connection, task: NotificationTask, seq: int, now: datetime) -> None:
    row = task_row(task, now) | {"id": task.id, "version": task.version, "changeSeq": seq}
    names = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    conn.execute(f"INSERT INTO emailQueue ({names}) VALUES ({marks})", row)


def save_task(conn: sqlite3.Connection, task: NotificationTask, seq: int, now: datetime) -> bool:
    """Write *task* if the row is still at ``task.version``; True when it was."""
    return update_row(conn, task.id, task.version, task_row(task, now), seq)


def update_row(
    conn: sqlite3.Connection, task_id: str, version: int, row: dict[str, Any], seq: int
) -> bool:
    sets = ", ".join(f"{k} = :{k}" for k in TASK_COLUMNS)
    cur = conn.execute(
        f"UPDATE emailQueue SET {sets}, version = version + 1, changeSeq = :seq "
        "WHERE id = :id AND version = :version",
        row | {"seq": seq, "id": task_id, "version": version},
    )
    return cur.rowcount == 1


def apply_write(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    write: TaskWrite,
    seq: int,
    now: datetime,
    *,
    malformed: bool,
) -> bool:
    """Write what a rule decided for *row*, if the row is still at the version read. A
    document that does not parse keeps what was written, with the rule's fields merged
    in, so it reads the same way if it ever becomes readable (its address fixed)."""
    if not malformed:
        done = save_task(conn, write.task, seq, now)
    else:
        try:
            doc = loads(row["doc"])
        except ValueError:
            doc = row["doc"]
        if isinstance(doc, dict):
            doc.update(write.fields)
        fixed, reason = task_rules.read_task(row["id"], doc)
        if reason is None:  # readable now (say, its address was fixed)
            columns = task_row(fixed, now)
        else:
            columns = task_columns(write.task, now) | {"malformed": 1, "doc": dumps(doc)}
        done = update_row(conn, row["id"], row["version"], columns, seq)
    if done and write.booking:
        patch_booking(conn, write.task.booking_number, write.booking)
    return done


def patch_booking(conn: sqlite3.Connection, number: str, changes: dict[str, Any]) -> None:
    """Set monitoring fields on the booking, if this store holds it (the website's
    bookings may live elsewhere)."""
    row = conn.execute("SELECT doc FROM bookings WHERE bookingNumber = ?", (number,)).fetchone()
    if row is None:
        return
    doc = loads(row["doc"])
    doc.update(changes)
    conn.execute(
        "UPDATE bookings SET doc = ?, clientEmail = ? WHERE bookingNumber = ?",
        (dumps(doc), str(doc.get("clientEmail") or ""), number),
    )


def select_rows(
    conn: sqlite3.Connection, ids: Sequence[str] | None, flt: TaskFilter | None
) -> list[sqlite3.Row]:
    if ids is not None:
        rows: list[sqlite3.Row] = []
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows += conn.execute(
                f"SELECT * FROM emailQueue WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        return rows
    where, args = filter_sql(flt)
    return conn.execute(f"SELECT * FROM emailQueue{where}", args).fetchall()
