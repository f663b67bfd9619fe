"""The supervisor's table over Firestore: the queue listed as rows, a row feed, and the bulk
retry of listed rows.

The listing asks only for the table's fields (a projection query, in pages), so 10,000 or
100,000 tasks travel without their ``bookingData`` and ``history``. The retry writes each
listed task with its listed update time as precondition, with no read before the write,
500 writes per commit. A commit is all or nothing, so when a task changed since it was
listed the batch is refused; its update times are then read (a masked read, one field) and
the batch goes again without the tasks that changed, which are skipped, not overwritten.
(``BatchWrite``, which applies each write on its own, would skip them without the second
round, but the emulator takes about 0.25 s per write of it while a listener is open, against
0.6 s for a whole 500-write commit.)

After a bulk action the table does not take its thousands of changes through the listener
over the whole queue, which would send each changed document whole: it stops that listener
for the bulk's duration and then follows ``watch_task_rows_since`` from the bulk's start
(a projected listing of the rows updated since, then a listener on that range only).

The table's feed goes through ``cached_rows``: a desk that keeps its table on the disk
(``keep_rows``) paints from the file at once, then lists only what changed since it was
written. With no file yet (or none kept, then in memory for the session) the whole queue
is listed projected in pages by id (``list_page``), each page shown as it comes, then only
the range changed since the listing began is followed: the listener over the whole queue
whose first snapshot sends every document whole, is not opened.

A range is followed by two listeners, ``updatedAt >=`` (what the desk, the workers and the
normaliser write) and ``createdAt >=`` (new documents, the website's with no ``updatedAt``
among them); their deliveries pass on only rows newer than the ones already passed on.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk import task_rules
from parking_desk.errors import StoreUnavailable
from parking_desk.services.store.base import Subscription, TaskRow, TaskRowBatch
from parking_desk.services.store.firestore.docs import (
    AUDIT,
    QUEUE,
    RPC,
    Conn,
    Watch,
    chunks,
    guarded,
    task_of,
    update_time_of,
    version_of,
)
from parking_desk.services.store.firestore.filter import plan_query
from parking_desk.services.store.firestore.normalise import FirestoreNormaliser
from parking_desk.services.store.row_cache import RowCache
from parking_desk.task import TaskFilter
from parking_desk.task_filter import compile_filter

log = logging.getLogger(__name__)

ROW_PAGE = 5000  # projected documents per listing request (the emulator skips to each page
# from the start, so fewer, larger pages list 10,000 rows in half the time)
ROW_FIELDS = [
    "type",
    "bookingNumber",
    "clientEmail",
    "status",
    "attempts",
    "maxAttempts",
    "nextAttemptAt",
    "createdAt",
    "lastError",
    "provider",
    "leaseOwner",
]
# The first delivery of the feed: the newest rows, projected, shown while the listing of
# the whole queue (by id, in pages) is still on its way.
FIRST_PAINT_ROWS = 500
LISTENER_OVERLAP = timedelta(seconds=2)
LISTED_ROUNDS = 4  # commits of one batch before falling back to one write per task
KEY_PAGE = 10_000  # ids per keys-only listing request (the reconciliation's)
GET_PAGE = 500  # documents per projected read by id

# What a listener hands on: a batch and the store's time it is true at (None for a listing).
Deliver = Callable[[TaskRowBatch, datetime | None], None]


def plain(callback: Callable[[TaskRowBatch], None]) -> Deliver:
    """A table callback as a listener's delivery: a listener's snapshot that changes no row
    is not passed on; a listing always is (its batch says the listing is done)."""

    def deliver(batch: TaskRowBatch, read_time: datetime | None) -> None:
        if batch.rows or batch.removed or batch.complete or read_time is None:
            callback(batch)

    return deliver


def newest_only(deliver: Deliver) -> Deliver:
    """*deliver* given only rows newer than the ones it was given before: two listeners
    over ranges that overlap may bring a task twice, or its versions out of order."""
    versions: dict[str, int] = {}
    lock = threading.Lock()

    def guarded_deliver(batch: TaskRowBatch, read_time: datetime | None) -> None:
        with lock:
            rows = [r for r in batch.rows if r.version > versions.get(r.id, -1)]
            versions.update((r.id, r.version) for r in rows)
            for task_id in batch.removed:
                versions.pop(task_id, None)
            deliver(TaskRowBatch(rows, batch.removed, batch.complete), read_time)

    return guarded_deliver


class Both:
    """Two listeners stopped together."""

    def __init__(self, *watches: Watch) -> None:
        self._watches = watches

    def unsubscribe(self) -> None:
        for w in self._watches:
            w.unsubscribe()


def listing_query(db: Any, f: TaskFilter) -> Any:
    """The filter's plan as a query (``firestore_filter``): states and the creation range
    run in Firestore, newest first; the rest is checked on the documents read."""
    return plan_query(db, compile_filter(f))


class FirestoreTaskRows:
    """The table's rows, their feed and their bulk retry; *normaliser* hears of the
    website's documents the feed sees, so the next claim sweeps at once."""

    def __init__(self, conn: Conn, normaliser: FirestoreNormaliser) -> None:
        self._conn = conn
        self._db = conn.db
        self._normaliser = normaliser
        self._cache_at: tuple[Path, str, str] | None = None
        self._cache: RowCache | None = None
        self._cache_lock = threading.Lock()
        self.live_sink: Callable[..., None] | None = None  # the cached feed followed now

    # --- the table kept on this desk (row_cache, cached_rows) ------------------------------
    def keep_rows(self, path: Path, *, project: str, database: str) -> None:
        """Keep the table's rows in the file at *path* from the next ``watch_task_rows``."""
        self._cache_at = (Path(path), project, database)

    def row_cache(self) -> RowCache | None:
        """The cache file, opened on first use (on the caller's thread, never the GUI's);
        None when this desk keeps none, or its folder cannot be written."""
        with self._cache_lock:
            if self._cache is None and self._cache_at is not None:
                path, project, database = self._cache_at
                try:
                    self._cache = RowCache(path, project=project, database=database)
                except (OSError, ValueError) as exc:
                    log.warning("Table cache %s not kept: %s", path, exc)
                    self._cache_at = None
            return self._cache

    def forget(self, ids: Sequence[str]) -> None:
        """An erasure on this desk: the rows leave the cache file now, and the table being
        followed gets them as the store now has them."""
        cache = self._cache
        if cache is None or not ids:
            return
        cache.forget(ids)
        sink = self.live_sink
        if sink is not None:
            try:
                rows, missing = self.fetch_rows(ids)
                sink(TaskRowBatch(rows, missing, False), None)
            except StoreUnavailable as exc:  # the erasure is done; the next sync reads them
                log.warning("erased tasks not read again for the table: %s", exc)

    def close(self) -> None:
        with self._cache_lock:
            if self._cache is not None:
                self._cache.close()

    @guarded
    def list_task_rows(
        self, filter: TaskFilter | None = None, *, limit: int | None = None
    ) -> list[TaskRow]:
        f = filter or TaskFilter()
        q = listing_query(self._db, f).select(ROW_FIELDS)
        out: list[TaskRow] = []
        last = None
        while True:
            # Pages, each under its own deadline: one stream of 10,000 documents would
            # outlast a single RPC deadline.
            page_query = q.limit(ROW_PAGE)
            if last is not None:
                page_query = page_query.start_after(last)
            page = list(page_query.stream(**RPC))
            for snap in page:
                task = task_of(snap.id, snap.to_dict(), snap.update_time)
                if f.matches(task):
                    out.append(TaskRow.of(task))
                    if limit is not None and len(out) >= limit:
                        return out
            if len(page) < ROW_PAGE:
                return out
            last = page[-1]

    def watch_task_rows(
        self, callback: Callable[[TaskRowBatch], None], *, first_paint: bool = True
    ) -> Subscription:
        """Every task's row, then each change. On a desk that keeps its table
        (``keep_rows``, ``cached_rows.watch``): from the kept rows, or the whole queue
        listed in pages, then the rows changed since, followed by their ``updatedAt`` and
        ``createdAt`` ranges (what no range shows, tasks deleted and rows stamped by a
        clock behind, at its reconciliations). With no table kept, every change whatever
        its stamp, deletions included, through a listener over the whole queue (its first
        snapshot sends every document whole), after, with *first_paint*, the newest
        ``FIRST_PAINT_ROWS`` rows (one projected request, ``complete``)."""
        from parking_desk.services.store.firestore import cached_rows

        cache = self.row_cache()
        if cache is not None:
            return cached_rows.watch(self, cache, callback, first_paint=first_paint)
        if first_paint:
            newest = self.list_task_rows(limit=FIRST_PAINT_ROWS)
            if len(newest) == FIRST_PAINT_ROWS:  # a small queue: the listener's is as quick
                callback(TaskRowBatch(newest, [], complete=True))
        return self._listen(self._db.collection(QUEUE), plain(callback), first_complete=True)

    def paint_newest(self, callback: Callable[[TaskRowBatch], None]) -> None:
        """The newest rows, not ``complete``: the listing of every row follows."""
        newest = self.list_task_rows(limit=FIRST_PAINT_ROWS)
        if len(newest) == FIRST_PAINT_ROWS:  # a small queue: its first page is as quick
            callback(TaskRowBatch(newest, [], complete=False))

    @guarded
    def list_page(self, after: str | None) -> tuple[list[TaskRow], datetime | None, str | None]:
        """One page of the whole queue listed by id, projected, after the id *after*: the
        rows, the store's time it was read at (None for an empty page) and the last id
        listed when more may follow (None for the last page). By id, not by creation
        time: a document with no ``createdAt`` is listed too."""
        q = self._db.collection(QUEUE).order_by("__name__").select(ROW_FIELDS).limit(ROW_PAGE)
        if after is not None:
            q = q.start_after({"__name__": after})
        page = list(q.stream(**RPC))
        rows = []
        for snap in page:
            data = snap.to_dict()
            if (data or {}).get("status") is None:
                self._normaliser.want_sweep()
            rows.append(TaskRow.of(task_of(snap.id, data, snap.update_time)))
        read_time = page[-1].read_time if page else None
        return rows, read_time, (page[-1].id if len(page) == ROW_PAGE else None)

    @guarded
    def watch_task_rows_since(
        self, callback: Callable[[TaskRowBatch], None], since: datetime
    ) -> Subscription:
        """The rows of the tasks updated at or after *since* (a projected listing, one
        batch, not ``complete``), then each change to a task updated since. What a table
        that stopped following during a bulk action needs to catch up; a task written with
        no ``updatedAt`` (a website document not yet normalised) shows once normalised."""
        cache = self.row_cache()
        if cache is not None:
            from parking_desk.services.store.firestore import cached_rows

            return cached_rows.watch_since(self, cache, callback, since)
        return self.follow_since(newest_only(plain(callback)), since)

    @guarded
    def follow_since(self, deliver: Deliver, since: datetime) -> Watch:
        """``watch_task_rows_since`` into *deliver*, which must keep only rows newer than
        it has (``newest_only``, the cache's ``merge``): the two range listeners overlap."""
        since = since.astimezone(UTC)
        rows, read_time = self._rows_since(since)
        deliver(TaskRowBatch(rows, [], complete=False), None)
        # The listener starts a little before the listing's last read (writers' clocks
        # differ by a little; the store's own time, not this machine's), not at *since*: its
        # first snapshot would send every listed task again, whole. Rows it brings at the
        # version listed are not delivered twice.
        listed = {row.id: row.version for row in rows}
        follow_from = since if read_time is None else max(since, read_time - LISTENER_OVERLAP)
        col = self._db.collection(QUEUE)
        updated = col.where(filter=FieldFilter("updatedAt", ">=", follow_from))
        created = col.where(filter=FieldFilter("createdAt", ">=", follow_from))
        first = self._listen(updated, deliver, first_complete=False, listed=listed)
        try:
            second = self._listen(created, deliver, first_complete=False, listed=listed)
        except Exception:
            first.unsubscribe()
            raise
        return Watch(Both(first, second), self._conn.watches)

    def _rows_since(self, since: datetime) -> tuple[list[TaskRow], datetime | None]:
        """The rows updated at or after *since*, projected, and the store's time of the
        last page read (None when there was nothing to read)."""
        rows: list[TaskRow] = []
        read_time = None
        q = (
            self._db.collection(QUEUE)
            .where(filter=FieldFilter("updatedAt", ">=", since))
            .order_by("updatedAt")
            # The next page starts after the last one's updatedAt: it must be read too.
            .select([*ROW_FIELDS, "updatedAt"])
        )
        last = None
        while True:
            page_query = q.limit(ROW_PAGE)
            if last is not None:
                page_query = page_query.start_after(last)
            page = list(page_query.stream(**RPC))
            rows += [TaskRow.of(task_of(s.id, s.to_dict(), s.update_time)) for s in page]
            if page:
                read_time = page[-1].read_time
            if len(page) < ROW_PAGE:
                return rows, read_time
            last = page[-1]

    @guarded
    def list_versions(self) -> dict[str, int]:
        """Every task's id and version, from a keys-only listing (no field is sent)."""
        q = self._db.collection(QUEUE).order_by("__name__").select([])
        out: dict[str, int] = {}
        last = None
        while True:
            page_query = q.limit(KEY_PAGE)
            if last is not None:
                page_query = page_query.start_after(last)
            page = list(page_query.stream(**RPC))
            out.update((s.id, version_of(s.update_time)) for s in page)
            if len(page) < KEY_PAGE:
                return out
            last = page[-1]

    @guarded
    def fetch_rows(self, ids: Sequence[str]) -> tuple[list[TaskRow], list[str]]:
        """The rows of the tasks *ids*, read by id, projected; and the ids that no longer
        exist."""
        col = self._db.collection(QUEUE)
        rows: list[TaskRow] = []
        found: set[str] = set()
        for part in chunks(list(dict.fromkeys(ids)), GET_PAGE):
            refs = [col.document(task_id) for task_id in part]
            for snap in self._db.get_all(refs, field_paths=ROW_FIELDS, **RPC):
                if not snap.exists:
                    continue
                data = snap.to_dict()
                if (data or {}).get("status") is None:
                    self._normaliser.want_sweep()
                rows.append(TaskRow.of(task_of(snap.id, data, snap.update_time)))
                found.add(snap.id)
        return rows, [i for i in dict.fromkeys(ids) if i not in found]

    def _listen(
        self,
        query: Any,
        deliver: Deliver,
        *,
        first_complete: bool,
        listed: dict[str, int] | None = None,
    ) -> Watch:
        first = [first_complete]
        seen = [listed or {}]
        ranged = not first_complete  # a range: a document may leave it and still exist

        def on_snapshot(_docs: Any, changes: Any, read_time: Any) -> None:
            rows: list[TaskRow] = []
            removed: list[str] = []
            for change in changes:
                doc = change.document
                if change.type.name == "REMOVED":
                    removed.append(doc.id)
                    continue
                data = doc.to_dict()
                if change.type.name == "ADDED" and (data or {}).get("status") is None:
                    self._normaliser.want_sweep()  # before the consumer wakes a drain for it
                row = TaskRow.of(task_of(doc.id, data, doc.update_time))
                if seen[0].get(row.id, -1) != row.version:
                    rows.append(row)
            seen[0] = {}  # only the first snapshot repeats the listing
            complete, first[0] = first[0], False
            if ranged and removed:
                # Rewritten without an ``updatedAt`` (the website's set()), a task leaves
                # the range but is still there: shown as it now is.
                try:
                    still, removed = self.fetch_rows(removed)
                    rows += still
                except StoreUnavailable as exc:
                    log.warning("tasks that left the table's range not read again: %s", exc)
            try:
                deliver(TaskRowBatch(rows, removed, complete), read_time)
            except Exception:  # a failing consumer must not kill the listener
                log.exception("task row callback failed")

        return self._conn.listen(query, on_snapshot)

    @guarded
    def retry_tasks(
        self,
        listed: Sequence[tuple[str, int | None]],
        *,
        operator: str,
        audit_id: str | None = None,
        filter: TaskFilter | None = None,
        requested: int | None = None,
        now: datetime | None = None,
    ) -> int:
        now = self._conn.now(now)
        audit_id = audit_id or uuid.uuid4().hex
        versions = dict(listed)
        col = self._db.collection(QUEUE)
        done: list[str] = []
        for part in chunks(list(versions.items())):
            done += self._commit_listed(col, self._retries(col, part, operator, now))
        audit: dict[str, Any] = {
            "at": now,
            "operator": operator,
            "action": "retry",
            "filter": filter.describe() if filter is not None else None,
            "details": {
                "count": firestore.Increment(len(done)),
                "skipped": firestore.Increment(len(versions) - len(done)),
                "requested": requested or len(versions),
            },
        }
        if done:
            audit["taskIds"] = firestore.ArrayUnion(done)
        self._db.collection(AUDIT).document(audit_id).set(audit, merge=True, **RPC)
        return len(done)

    def _retries(
        self, col: Any, part: list[tuple[str, int | None]], operator: str, now: datetime
    ) -> list[tuple[str, int, dict[str, Any]]]:
        """What the retry rule writes on each listed task still at its listed version (or at
        whatever version it is, for None): one read for the whole part. Whole documents,
        not a projection: the rule's fields are what differs from the task as read, so a
        field missing from the read would look unchanged and not be written."""
        refs = [col.document(task_id) for task_id, _ in part]
        snaps = {s.id: s for s in self._db.get_all(refs, **RPC) if s.exists}
        planned = []
        for task_id, listed in part:
            snap = snaps.get(task_id)
            if snap is None:
                continue
            version = version_of(snap.update_time)
            if listed not in (None, version):
                continue
            task, _reason = task_rules.read_task(task_id, snap.to_dict())
            write = task_rules.retry(task, operator, now)
            if write is not None:
                planned.append((task_id, version, write.fields))
        return planned

    def _commit_listed(self, col: Any, part: list[tuple[str, int, dict[str, Any]]]) -> list[str]:
        """Write *part* in one commit, each task only at its listed version; the ids written."""
        for _ in range(LISTED_ROUNDS):
            if not part:
                return []
            batch = self._db.batch()
            for task_id, version, fields in part:
                when = update_time_of(version)
                batch.update(col.document(task_id), fields, option=self._conn.precondition(when))
            try:
                batch.commit(**RPC)
                return [task_id for task_id, _, _ in part]
            except (gexc.FailedPrecondition, gexc.NotFound):
                refs = [col.document(task_id) for task_id, _, _ in part]
                now_at = {
                    s.id: version_of(s.update_time)
                    for s in self._db.get_all(refs, field_paths=["status"], **RPC)
                    if s.exists
                }
                changed = [i for i, v, _ in part if now_at.get(i) != v]
                log.info("tasks changed since they were listed, left as they are: %s", changed)
                part = [(i, v, f) for i, v, f in part if now_at.get(i) == v]
        # Still refused after several rounds: the queue is busy under these tasks; one at a
        # time, each under its own precondition, the rest still goes through.
        done = []
        for task_id, version, fields in part:
            try:
                col.document(task_id).update(
                    fields, option=self._conn.precondition(update_time_of(version)), **RPC
                )
                done.append(task_id)
            except (gexc.FailedPrecondition, gexc.NotFound):
                log.info("task %s changed since it was listed; left as is", task_id)
        return done
