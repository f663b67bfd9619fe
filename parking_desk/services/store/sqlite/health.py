"""Queue figures, heartbeats and purging in SQLite: what the kiosk reads and what the
engine's background jobs write."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from parking_desk.board_figures import LIVE_STATES, LiveTask, live_counts
from parking_desk.services.store.base import BoardFigures, QueueStats, WorkerInfo
from parking_desk.services.store.sqlite.connection import SqliteConnections
from parking_desk.services.store.sqlite.schema import dumps, epoch, from_epoch, loads
from parking_desk.task import TaskState
from parking_desk.timeutil import as_utc, utcnow


class SqliteHealth:
    """Counts by state, sends and failures over time, workers' heartbeats, the purge."""

    def __init__(self, db: SqliteConnections) -> None:
        self._db = db

    def queue_stats(self, *, now: datetime | None = None) -> QueueStats:
        now = now or utcnow()
        with self._db.read() as conn:
            counts = {state: 0 for state in TaskState}
            for row in conn.execute("SELECT status, COUNT(*) FROM emailQueue GROUP BY status"):
                if row[0] in counts:
                    counts[TaskState(row[0])] = row[1]
            retrying = conn.execute(
                "SELECT COUNT(*) FROM emailQueue WHERE status = 'pending' AND attempts > 0"
            ).fetchone()[0]
            oldest = conn.execute(
                "SELECT MIN(dueAt) FROM emailQueue WHERE status = 'pending' AND nextAttemptAt <= ?",
                (epoch(now),),
            ).fetchone()[0]
        due = from_epoch(oldest)
        age = None if due is None else max(timedelta(0), now - due)
        return QueueStats(counts=counts, retrying=retrying, oldest_due_age=age)

    def board_figures(self, *, now: datetime, today: datetime, window: datetime) -> BoardFigures:
        """The unfinished tasks listed and counted as Firestore counts them, in one read."""
        live = sorted(str(s) for s in LIVE_STATES)
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT status, attempts, nextAttemptAt, dueAt FROM emailQueue"
                f" WHERE status IN ({', '.join('?' * len(live))})",
                live,
            ).fetchall()
            finished = dict(
                conn.execute(
                    "SELECT status, COUNT(*) FROM emailQueue WHERE status IN (?, ?)"
                    " GROUP BY status",
                    (str(TaskState.DEAD), str(TaskState.BOUNCED)),
                ).fetchall()
            )
            failures = self._failures_since(conn, window)
            sent = self._sent_since(conn, window)
            sent_today = self._sent_count_since(conn, today)
        tasks = [
            LiveTask(
                status=TaskState(row[0]),
                attempts=int(row[1] or 0),
                # nextAttemptAt 0 stands for "due now": since dueAt, its createdAt (or
                # when it was written, if it came without one; see schema).
                next_attempt_at=from_epoch(row[2]) if row[2] else None,
                created_at=from_epoch(row[3]),
            )
            for row in rows
        ]
        return BoardFigures(
            live=live_counts(tasks, now=now),
            dead=int(finished.get(str(TaskState.DEAD), 0)),
            bounced=int(finished.get(str(TaskState.BOUNCED), 0)),
            failures=failures,
            sent=sent,
            sent_today=sent_today,
        )

    @staticmethod
    def _sent_since(conn: sqlite3.Connection, since: datetime) -> list[datetime]:
        rows = conn.execute(
            "SELECT finishedAt FROM emailQueue WHERE status = 'completed' AND finishedAt >= ? "
            "ORDER BY finishedAt",
            (epoch(since),),
        ).fetchall()
        return [at for row in rows if (at := from_epoch(row[0]))]

    @staticmethod
    def _sent_count_since(conn: sqlite3.Connection, since: datetime) -> int:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM emailQueue WHERE status = 'completed' AND finishedAt >= ?",
                (epoch(since),),
            ).fetchone()[0]
        )

    def sent_since(self, since: datetime) -> list[datetime]:
        with self._db.read() as conn:
            return self._sent_since(conn, since)

    def sent_count_since(self, since: datetime) -> int:
        with self._db.read() as conn:
            return self._sent_count_since(conn, since)

    def failures_since(self, since: datetime) -> list[datetime]:
        """When each task that went dead since *since* did so (``finishedAt`` of a dead row)."""
        with self._db.read() as conn:
            return self._failures_since(conn, since)

    @staticmethod
    def _failures_since(conn: sqlite3.Connection, since: datetime) -> list[datetime]:
        rows = conn.execute(
            "SELECT finishedAt FROM emailQueue WHERE status = 'dead' AND finishedAt >= ? "
            "ORDER BY finishedAt",
            (epoch(since),),
        ).fetchall()
        return [at for row in rows if (at := from_epoch(row[0]))]

    def purge_finished(
        self,
        older_than: timedelta | None,
        *,
        dead_older_than: timedelta | None = None,
        now: datetime | None = None,
    ) -> int:
        now = now or utcnow()
        clauses, args = [], []
        if older_than is not None:
            clauses.append("(status IN ('completed', 'cancelled') AND finishedAt < ?)")
            args.append(epoch(now - older_than))
        if dead_older_than is not None:
            clauses.append("(status IN ('dead', 'bounced') AND finishedAt < ?)")
            args.append(epoch(now - dead_older_than))
        if not clauses:
            return 0
        where = " OR ".join(clauses)
        with self._db.write() as conn:
            ids = [row[0] for row in conn.execute(f"SELECT id FROM emailQueue WHERE {where}", args)]
            if not ids:
                return 0
            seq = self._db.next_seq(conn)
            conn.execute(f"DELETE FROM emailQueue WHERE {where}", args)
            conn.executemany(
                "INSERT INTO removedTasks (id, changeSeq, at) VALUES (?, ?, ?)",
                [(task_id, seq, epoch(now)) for task_id in ids],
            )
            # A live change feed polls every second or so; a day of tombstones is plenty.
            conn.execute("DELETE FROM removedTasks WHERE at < ?", (epoch(now) - 86400,))
        return len(ids)

    def heartbeat(self, info: WorkerInfo) -> None:
        doc = {
            "workerId": info.worker_id,
            "host": info.host,
            "pid": info.pid,
            "kind": info.kind,
            "startedAt": info.started_at,
            "lastHeartbeat": info.last_heartbeat,
            "sentTotal": info.sent_total,
            "state": info.state,
        }
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO workers (workerId, lastHeartbeat, doc) VALUES (?, ?, ?) "
                "ON CONFLICT(workerId) DO UPDATE SET lastHeartbeat = excluded.lastHeartbeat, "
                "doc = excluded.doc",
                (info.worker_id, epoch(info.last_heartbeat), dumps(doc)),
            )

    def workers(self, *, seen_since: datetime | None = None) -> list[WorkerInfo]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT doc FROM workers WHERE lastHeartbeat >= ? ORDER BY workerId",
                (epoch(seen_since) if seen_since is not None else float("-inf"),),
            ).fetchall()
        found = []
        for row in rows:
            doc = loads(row["doc"])
            started, beat = as_utc(doc.get("startedAt")), as_utc(doc.get("lastHeartbeat"))
            if started is None or beat is None:
                continue  # every heartbeat writes both: not one of ours
            found.append(
                WorkerInfo(
                    worker_id=doc["workerId"],
                    host=doc.get("host", ""),
                    pid=int(doc.get("pid") or 0),
                    kind=doc.get("kind", "worker"),
                    started_at=started,
                    last_heartbeat=beat,
                    sent_total=int(doc.get("sentTotal") or 0),
                    state=doc.get("state", "running"),
                )
            )
        return found
