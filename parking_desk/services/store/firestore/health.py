"""The queue's figures and the engine's housekeeping in Firestore: counts by state for
``queue stats``, the kiosk's figures (kept current by ``board_tally``), sends and failures
over time, workers' heartbeats, purging finished tasks, and the reachability check."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.errors import StoreUnavailable
from parking_desk.services.store.base import BoardFigures, QueueStats, WorkerInfo
from parking_desk.services.store.firestore.board_tally import BoardTally
from parking_desk.services.store.firestore.docs import (
    QUEUE,
    RPC,
    WORKERS,
    Conn,
    chunks,
    guarded,
)
from parking_desk.services.store.firestore.unstated import count, oldest_unstated_age
from parking_desk.task import TaskState
from parking_desk.timeutil import as_utc

log = logging.getLogger(__name__)

PING_TIMEOUT = 3.0


class FirestoreHealth:
    """Figures only, and the background jobs that keep the collections small and current."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._db = conn.db
        self.board_tally = BoardTally(conn.db)

    @guarded
    def queue_stats(self, *, now: datetime | None = None) -> QueueStats:
        """Every count at one read time. The website's documents without a state (the
        collection's count minus the counts by state) are pending and due: until a worker's
        sweep gives them one, nothing else would count them."""
        now = self._conn.now(now)
        col = self._db.collection(QUEUE)
        total, at = count(col)
        pending = col.where(filter=FieldFilter("status", "==", str(TaskState.PENDING)))
        retrying_q = pending.where(filter=FieldFilter("attempts", ">", 0))
        head = (
            pending.where(filter=FieldFilter("nextAttemptAt", "<=", now))
            .order_by("nextAttemptAt")
            .limit(1)
        )
        # The counts at the first one's read time, all at once: one round trip, not eight.
        with ThreadPoolExecutor(max_workers=len(TaskState) + 2) as pool:
            by_state = {
                state: pool.submit(
                    count, col.where(filter=FieldFilter("status", "==", str(state))), at
                )
                for state in TaskState
            }
            retrying_f = pool.submit(count, retrying_q, at)
            head_f = pool.submit(lambda: list(head.stream(**RPC)))
            counts = {state: f.result()[0] for state, f in by_state.items()}
            retrying = retrying_f.result()[0]
            heads = head_f.result()
        unstated = max(0, total - sum(counts.values()))
        counts[TaskState.PENDING] += unstated
        oldest = None
        for snap in heads:
            due = as_utc(snap.get("nextAttemptAt"))
            oldest = max(timedelta(0), now - due) if due else None
        if unstated:
            waiting = oldest_unstated_age(col, now, at)
            oldest = max(oldest, waiting) if oldest is not None else waiting
        return QueueStats(counts=counts, retrying=retrying, oldest_due_age=oldest)

    @guarded
    def board_figures(self, *, now: datetime, today: datetime, window: datetime) -> BoardFigures:
        """Every figure from the board's tally (``board_tally``): the first refresh lists
        the queue (a few fields of each task), each later one the tasks written since and
        the queue's two counts, three scans where counting each figure took about ten."""
        t = self.board_tally.totals(now=self._conn.now(now), today=today, window=window)
        return BoardFigures(t.live, t.dead, t.bounced, t.failures, t.sent, t.sent_today)

    def _sent_query(self, since: datetime) -> Any:
        return (
            self._db.collection(QUEUE)
            .where(filter=FieldFilter("status", "==", str(TaskState.COMPLETED)))
            .where(filter=FieldFilter("completedAt", ">=", since))
        )

    def _sent_since(self, since: datetime, read_time: datetime | None = None) -> list[datetime]:
        q = self._sent_query(since).order_by("completedAt").select(["completedAt"])
        return [
            at for s in q.stream(read_time=read_time, **RPC) if (at := as_utc(s.get("completedAt")))
        ]

    @guarded
    def sent_since(self, since: datetime) -> list[datetime]:
        return self._sent_since(since)

    @guarded
    def sent_count_since(self, since: datetime) -> int:
        return count(self._sent_query(since))[0]

    @guarded
    def failures_since(self, since: datetime) -> list[datetime]:
        return self._failures_since(since)

    def _failures_since(self, since: datetime, read_time: datetime | None = None) -> list[datetime]:
        """A dead task's ``updatedAt`` is when it died: nothing writes it again until a
        supervisor retries it, which takes it out of ``dead``."""
        q = (
            self._db.collection(QUEUE)
            .where(filter=FieldFilter("status", "==", str(TaskState.DEAD)))
            .where(filter=FieldFilter("updatedAt", ">=", since))
            .order_by("updatedAt")
            .select(["updatedAt"])
        )
        return [
            at for s in q.stream(read_time=read_time, **RPC) if (at := as_utc(s.get("updatedAt")))
        ]

    # --- workers and housekeeping -----------------------------------------------------

    @guarded
    def heartbeat(self, info: WorkerInfo) -> None:
        self._db.collection(WORKERS).document(info.worker_id).set(
            {
                "workerId": info.worker_id,
                "host": info.host,
                "pid": info.pid,
                "kind": info.kind,
                "startedAt": info.started_at,
                "lastHeartbeat": info.last_heartbeat,
                "sentTotal": info.sent_total,
                "state": info.state,
            },
            **RPC,
        )

    @guarded
    def workers(self, *, seen_since: datetime | None = None) -> list[WorkerInfo]:
        col: Any = self._db.collection(WORKERS)
        if seen_since is not None:
            col = col.where(filter=FieldFilter("lastHeartbeat", ">=", seen_since))
        out = []
        for snap in col.stream(**RPC):
            d = snap.to_dict() or {}
            try:
                started, beat = as_utc(d.get("startedAt")), as_utc(d.get("lastHeartbeat"))
                if started is None or beat is None:
                    raise ValueError("no startedAt or lastHeartbeat")
                out.append(
                    WorkerInfo(
                        worker_id=snap.id,
                        host=str(d.get("host") or ""),
                        pid=int(d.get("pid") or 0),
                        kind=str(d.get("kind") or "worker"),
                        started_at=started,
                        last_heartbeat=beat,
                        sent_total=int(d.get("sentTotal") or 0),
                        state=str(d.get("state") or "running"),
                    )
                )
            except (TypeError, ValueError) as exc:
                log.warning("worker document %s unreadable: %s", snap.id, exc)
        return sorted(out, key=lambda w: w.worker_id)

    @guarded
    def purge_finished(
        self,
        older_than: timedelta | None,
        *,
        dead_older_than: timedelta | None = None,
        now: datetime | None = None,
    ) -> int:
        """A dead task's ``updatedAt`` is when it died (see ``failures_since``)."""
        now = self._conn.now(now)
        col = self._db.collection(QUEUE)
        deleted = 0
        plan = []
        if older_than is not None:
            plan += [
                (TaskState.COMPLETED, "completedAt", now - older_than),
                (TaskState.CANCELLED, "updatedAt", now - older_than),
            ]
        if dead_older_than is not None:
            plan += [
                (TaskState.DEAD, "updatedAt", now - dead_older_than),
                (TaskState.BOUNCED, "updatedAt", now - dead_older_than),
            ]
        for state, field, cutoff in plan:
            q = (
                col.where(filter=FieldFilter("status", "==", str(state)))
                .where(filter=FieldFilter(field, "<", cutoff))
                .select([])
            )
            for part in chunks(list(q.stream(**RPC))):
                batch = self._db.batch()
                for snap in part:
                    batch.delete(snap.reference)
                batch.commit(**RPC)
                deleted += len(part)
        return deleted

    def ping(self) -> None:
        try:
            self._db.collection(WORKERS).document("_ping").get(retry=None, timeout=PING_TIMEOUT)
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError) as exc:
            raise StoreUnavailable(f"Firestore unreachable: {type(exc).__name__}") from exc
