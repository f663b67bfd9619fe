"""The supervisor's table over Firestore, kept on this desk (``row_cache``) between sessions.

Opening with a cache: the cached rows go to the table at once (one ``complete`` batch, read
from the disk), then the rows updated since the cache's watermark, less ``CACHE_MARGIN``
for writers' clocks (a projected listing), then listeners on that range only.

Opening with no cache yet (``ColdOpen``): the newest rows first (one projected request),
then the whole queue listed projected in pages by id on a thread of its own, each page
kept in the cache and shown as it comes, then the range changed since the listing began
(the store's time of its first page, less ``CACHE_MARGIN``) is followed as above, and a
reconciliation finds what the listing missed meanwhile (tasks deleted, the website's
documents with no ``updatedAt`` in the pages already listed). Only then does the table get
its ``complete`` batch, every row, and the cache its watermark. A desk closed mid-listing
leaves the pages listed and where the listing got to: the next opening shows them and
lists on from there. The listener over the whole queue, whose first snapshot sends every
document whole (242 s for 100,000 tasks 40 ms away), is never opened.

An ``updatedAt`` range does not see everything. What it misses is found by a
reconciliation, in the background once the rows show: a keys-only listing (ids and update
times, no field) compared with the cache, whose differences are read by id, projected:
tasks deleted (the purge), the website's documents written with no ``updatedAt`` or no
``status``, and documents rewritten in place (an erasure leaves a sent task's
``updatedAt`` as it was). It runs on opening, an hour after the last one, a minute and
ten minutes after the site's daily purge is claimed (``siteSettings/purge``), and the
tasks of an erasure made on any desk are read again as soon as its audit entry appears.

Every delivery goes through the cache first (``RowCache.merge``, one transaction with its
watermark, on the listener's or the reconciliation's thread), then what changed to the
table. No action trusts the table's rows: a retry writes only at the version it was
listed with by a fresh listing or reads the task first, cancel and the recipient fix read
the task they change, so a row the cache holds stale is never written over.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.services.store.base import Subscription, TaskRowBatch
from parking_desk.services.store.firestore.docs import AUDIT, Watch
from parking_desk.services.store.firestore.personal_data import SITE
from parking_desk.services.store.row_cache import RowCache

if TYPE_CHECKING:
    from parking_desk.services.store.firestore.task_rows import FirestoreTaskRows

log = logging.getLogger(__name__)

# Writers' clocks differ: the catch-up lists the rows updated from this long before the
# watermark (the store's time of the last delivery kept).
CACHE_MARGIN = timedelta(seconds=60)
RECONCILE_EVERY_S = 3600.0
RETRY_AFTER_S = 300.0  # a reconciliation that failed (the line was down) goes again
# The purge deletes after it is claimed: look a minute later, and again once a long one is done.
AFTER_PURGE_S = (60.0, 600.0)
ERASURE = "erase_client"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # an empty queue's listing: every task is newer


class Sink:
    """A cached feed's deliveries: into the cache, then what changed to the table, in order
    whichever thread delivers (the cache's lock is held for both)."""

    def __init__(self, cache: RowCache, callback: Callable[[TaskRowBatch], None]) -> None:
        self.cache = cache
        self.callback = callback

    def __call__(
        self, batch: TaskRowBatch, read_time: datetime | None, *, keep: set[str] | None = None
    ) -> None:
        with self.cache.lock:
            changed = self.cache.merge(batch, read_time, keep=keep)
            if changed is not None:
                self.callback(changed)


def watch(
    rows: FirestoreTaskRows,
    cache: RowCache,
    callback: Callable[[TaskRowBatch], None],
    *,
    first_paint: bool = True,
) -> Subscription:
    """``watch_task_rows`` on a desk that keeps its table."""
    sink = Sink(cache, callback)
    if cache.watermark is None:  # a new desk, its cache set aside, or a listing cut short
        cold = ColdOpen(rows, sink, first_paint=first_paint)
        return Watch(cold, rows._conn.watches)  # closing the store stops it too
    with cache.lock:
        callback(TaskRowBatch(cache.rows(), [], complete=True))
        since = cache.watermark - CACHE_MARGIN
    return _followed(rows, sink, rows.follow_since(sink, since), reconcile_now=True)


def watch_since(
    rows: FirestoreTaskRows,
    cache: RowCache,
    callback: Callable[[TaskRowBatch], None],
    since: datetime,
) -> Subscription:
    """``watch_task_rows_since`` on a desk that keeps its table (after a bulk action). A
    first listing the bulk action cut short is listed on (what changed since it began
    includes what changed since *since*), so the table still gets every row."""
    sink = Sink(cache, callback)
    if cache.watermark is None:
        cold = ColdOpen(rows, sink, first_paint=False)
        return Watch(cold, rows._conn.watches)
    return _followed(rows, sink, rows.follow_since(sink, since), reconcile_now=False)


def _followed(
    rows: FirestoreTaskRows, sink: Sink, listener: Watch, *, reconcile_now: bool
) -> Subscription:
    followed = Followed(rows, sink, listener, reconcile_now=reconcile_now)
    return Watch(followed, rows._conn.watches)  # closing the store stops it too


class ColdOpen:
    """A cached feed opened with no cache to paint from: the first listing of the whole
    queue (on its own thread), then the feed followed as a warm one is (``Followed``)."""

    def __init__(self, rows: FirestoreTaskRows, sink: Sink, *, first_paint: bool) -> None:
        self.rows = rows
        self.sink = sink
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._followed: Followed | None = None
        cache = sink.cache
        with cache.lock:
            if cache.listing is not None:  # cut short last time: shown, and listed on
                kept = cache.rows()
                if kept:
                    sink.callback(TaskRowBatch(kept, [], False))
            else:  # rows with no watermark nor listing (a write failed): listed afresh
                cache.merge(TaskRowBatch([], [], True))
        if cache.listing is None and first_paint:
            rows.paint_newest(sink.callback)
        rows.live_sink = sink
        self._thread = threading.Thread(target=self._run, name="table-listing", daemon=True)
        self._thread.start()

    def unsubscribe(self) -> None:
        with self._lock:
            self._stopped.set()
            followed, self._followed = self._followed, None
        if self.rows.live_sink is self.sink:
            self.rows.live_sink = None
        if followed is not None:
            followed.unsubscribe()

    def _run(self) -> None:
        wait = 1.0
        while not self._stopped.is_set():
            try:
                self._open()
                return
            except Exception as exc:  # the line is down: on from where the listing got to
                if self._stopped.is_set():
                    return
                log.warning("Table listing failed, again in %.0f s: %s", wait, exc)
                self._stopped.wait(wait)
                wait = min(wait * 2, RETRY_AFTER_S / 5)

    def _open(self) -> None:
        cache, sink = self.sink.cache, self.sink
        began, after = cache.listing or (None, None)
        while began is None or after is not None:
            page, read_time, last = self.rows.list_page(after)
            if self._stopped.is_set():
                return
            if began is None:  # the store's time the listing began (the queue may be empty)
                began = read_time or EPOCH
            if last is None:  # the last page: shown with the complete batch
                sink.cache.merge(TaskRowBatch(page, [], False))
                break
            with cache.lock:
                changed = cache.merge_page(page, began, last)
                if changed is not None and not self._stopped.is_set():
                    sink.callback(changed)
            after = last
        # What changed since the listing began: a listener on that range, as a warm open.
        followed = Followed(
            self.rows, sink, self.rows.follow_since(sink, began - CACHE_MARGIN), reconcile_now=False
        )
        with self._lock:
            if self._stopped.is_set():
                followed.unsubscribe()
                return
            self._followed = followed
        try:
            followed.reconciler.reconcile()  # what the pages listed before were deleted
        except Exception as exc:
            log.warning("Table reconciliation failed, again in %.0f s: %s", RETRY_AFTER_S, exc)
            followed.reconciler.kick(RETRY_AFTER_S)
        with cache.lock:
            if self._stopped.is_set():
                return
            cache.finish_listing(began)
            sink.callback(TaskRowBatch(cache.rows(), [], True))


class Followed:
    """One cached feed: its listener, the reconciliation, and the listeners that tell it
    the purge ran or a client was erased."""

    def __init__(
        self, rows: FirestoreTaskRows, sink: Sink, listener: Watch, *, reconcile_now: bool
    ) -> None:
        self.rows = rows
        self.sink = sink
        self.reconciler = Reconciler(rows, sink, first_in=0.0 if reconcile_now else None)
        self._stopped = False
        self._watches = [listener]
        rows.live_sink = sink
        db = rows._conn.db
        self._heard_purge = False
        self._heard_erasures = False
        try:
            self._watches.append(
                rows._conn.listen(db.collection(SITE).document("purge"), self._purge_claimed)
            )
            erasures = db.collection(AUDIT).where(filter=FieldFilter("action", "==", ERASURE))
            self._watches.append(rows._conn.listen(erasures, self._erasure_audited))
        except Exception:
            self.unsubscribe()
            raise
        self.reconciler.start()

    def _purge_claimed(self, _docs: Any, _changes: Any, _read_time: Any) -> None:
        if not self._heard_purge:  # the first snapshot: the purge as it was
            self._heard_purge = True
            return
        for after in AFTER_PURGE_S:
            self.reconciler.kick(after)

    def _erasure_audited(self, _docs: Any, changes: Any, _read_time: Any) -> None:
        if not self._heard_erasures:
            self._heard_erasures = True
            return
        ids: list[str] = []
        for change in changes:
            if change.type.name == "ADDED":
                task_ids = (change.document.to_dict() or {}).get("taskIds")
                ids += [str(i) for i in task_ids or () if isinstance(i, str)]
        if ids:
            try:
                found, missing = self.rows.fetch_rows(ids)
                self.sink(TaskRowBatch(found, missing, False), None)
            except Exception as exc:  # the next reconciliation reads them
                log.warning("erased tasks not read again yet: %s", exc)

    def unsubscribe(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.rows.live_sink is self.sink:
            self.rows.live_sink = None
        self.reconciler.stop()
        for w in self._watches:
            w.unsubscribe()


class Reconciler:
    """The background thread comparing the cache with a keys-only listing of the queue."""

    def __init__(self, rows: FirestoreTaskRows, sink: Sink, *, first_in: float | None) -> None:
        self.rows = rows
        self.sink = sink
        self._due = [time.monotonic() + (RECONCILE_EVERY_S if first_in is None else first_in)]
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="table-reconcile", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def kick(self, after: float) -> None:
        with self._cond:
            heapq.heappush(self._due, time.monotonic() + after)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and self._due[0] > time.monotonic():
                    self._cond.wait(self._due[0] - time.monotonic())
                if self._stopped:
                    return
                now = time.monotonic()
                while self._due and self._due[0] <= now:
                    heapq.heappop(self._due)
            try:
                self.reconcile()
                again = RECONCILE_EVERY_S
            except Exception as exc:
                log.warning("Table reconciliation failed, again in %.0f s: %s", RETRY_AFTER_S, exc)
                again = RETRY_AFTER_S
            with self._cond:
                heapq.heappush(self._due, time.monotonic() + again)

    def reconcile(self) -> None:
        cache = self.sink.cache
        touched = cache.track()  # what the feed changes meanwhile is newer than our look
        try:
            listed = self.rows.list_versions()
            known = cache.known()
            with cache.lock:
                skip = set(touched)
            gone = [i for i in known if i not in listed and i not in skip]
            differ = [i for i, v in listed.items() if known.get(i) != v and i not in skip]
            found, missing = self.rows.fetch_rows(differ) if differ else ([], [])
            if self._stopped:
                return
            self.sink(TaskRowBatch(found, gone + missing, False), None, keep=touched)
            if gone or differ:
                log.info("Table reconciled: %d task(s) gone, %d read again", len(gone), len(differ))
        finally:
            cache.untrack(touched)
