"""The kiosk board's figures kept current, not counted again on every refresh.

The emulator scans the whole queue for every query or count, however few documents match
(0.1-0.25 s of its CPU each at 10,000 tasks), so a board that counts each figure by its own
query costs it seconds per refresh. Instead the board's store keeps a tally: for each task
the few fields its figures need (``board_figures.BoardTask``), built by one projected
listing of the queue at the first refresh. Each later refresh, at one read time:

* lists the tasks written since the last listing (``updatedAt >=`` the last listing's time
  less ``MARGIN``, for writers' clocks and commits that land late; a task listed twice
  just replaces its row),
* counts the queue, and the tasks among them with a timestamp ``updatedAt``, and reads back
  by id the few documents the tally holds that have no ``updatedAt`` (the website's, until a
  worker gives them a state),

three scans in all, and counts every figure from the tally with the domain's rule
(``board_totals``). When either count is not what the tally holds (tasks purged or erased, a
website document no worker has given a state yet, a write the listing missed; counted apart,
a task gone and a website document come in the same interval cannot cancel out) the queue's
ids are listed (ids only, all and those with an ``updatedAt``) and the tally put right
before any figure is given: the figures are never knowingly wrong. Every ``REBUILD_AFTER``
the tally is listed again whole in the background (the refreshes meanwhile read as usual),
which also corrects what no count shows: a task changed by a writer whose clock lags by
more than ``MARGIN``.

A listing that fails leaves the tally as it was (the rows already read are current ones)
and raises, the board shows the store unreachable; the next refresh lists from the same
time. Refreshes that overlap take turns; one that waited for a read begun after it was
asked for uses that read. Queries: ``updatedAt >=``: single field; the count and the
listings of the whole collection need no index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.board_figures import BoardTask, BoardTotals, board_task, board_totals
from parking_desk.services.store.firestore.docs import QUEUE, RPC, WORKERS, chunks
from parking_desk.services.store.firestore.unstated import count
from parking_desk.task import TaskState
from parking_desk.timeutil import as_utc

log = logging.getLogger(__name__)

FIELDS = ["status", "attempts", "nextAttemptAt", "createdAt", "completedAt", "updatedAt"]
MARGIN = timedelta(minutes=2)
# Every timestamp is at or after it: ``updatedAt >=`` it matches the tasks whose
# ``updatedAt`` is a timestamp (a range matches only values of its own type).
TIMESTAMP_MIN = datetime(1, 1, 1, tzinfo=UTC)
# Hourly: on production each whole listing is billed a read per task (100,000 tasks listed
# hourly: 2.4 million reads a day per kiosk), and what only it corrects (a writer's clock
# more than MARGIN behind) is rare; the counts catch everything else at the next refresh.
REBUILD_AFTER = 60 * 60.0  # seconds
# Whole-queue listings go in pages (each under the call's deadline however big the queue),
# reads by id in batches.
PAGE = 5000
GET_BATCH = 300


def _stamp(value: Any) -> datetime | None:
    try:
        at = as_utc(value)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    # A plain datetime: the client's own subclass carries nanoseconds the board never needs.
    if at is None:
        return None
    return datetime(
        at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond, at.tzinfo
    )


def row_of(doc: dict[str, Any]) -> tuple[BoardTask, bool]:
    """The task's row, and whether its ``updatedAt`` is a timestamp (then the listings by
    ``updatedAt`` see each change to it; otherwise it is read back by id each refresh)."""
    try:
        status: TaskState | None = TaskState(str(doc.get("status")))
    except ValueError:
        status = None  # none yet (the website's), or one the board does not know
    attempts = doc.get("attempts")
    if isinstance(attempts, bool) or not isinstance(attempts, int):
        attempts = 0
    row = board_task(
        status,
        attempts=max(0, attempts),
        next_attempt_at=_stamp(doc.get("nextAttemptAt")),
        created_at=_stamp(doc.get("createdAt")),
        completed_at=_stamp(doc.get("completedAt")),
        updated_at=_stamp(doc.get("updatedAt")),
    )
    return row, isinstance(doc.get("updatedAt"), datetime)


class _Rows:
    """The tally proper: rows by task id, those followed by ``updatedAt`` apart."""

    def __init__(self) -> None:
        self.tracked: dict[str, BoardTask] = {}
        self.untracked: dict[str, BoardTask] = {}

    def put(self, task_id: str, doc: dict[str, Any]) -> None:
        row, tracked = row_of(doc)
        (self.tracked if tracked else self.untracked)[task_id] = row
        (self.untracked if tracked else self.tracked).pop(task_id, None)

    def drop(self, task_id: str) -> None:
        self.tracked.pop(task_id, None)
        self.untracked.pop(task_id, None)

    def __len__(self) -> int:
        return len(self.tracked) + len(self.untracked)

    def __iter__(self) -> Iterator[BoardTask]:
        return chain(self.tracked.values(), self.untracked.values())


class BoardTally:
    """The queue's figures for the board, kept current (see the module's text)."""

    def __init__(
        self, db: Any, *, margin: timedelta = MARGIN, rebuild_after: float = REBUILD_AFTER
    ) -> None:
        self._db = db
        self._margin = margin
        self._rebuild_after = rebuild_after
        # Guards everything below; held across a refresh's reads, so refreshes take turns.
        self._lock = threading.Lock()
        self._rows: _Rows | None = None
        self._since: datetime | None = None  # the next listing's lower bound
        self._read_began = float("-inf")  # monotonic: when the last read that ended began
        self._built = 0.0  # monotonic: when the last whole listing began
        self._rebuilding: threading.Thread | None = None
        self._rebuilt: tuple[_Rows, datetime] | None = None
        # What the refreshes read, by kind: for the benchmark and the log.
        self.reads: Counter[str] = Counter()

    def totals(self, *, now: datetime, today: datetime, window: datetime) -> BoardTotals:
        asked = time.monotonic()
        with self._lock:
            if self._rows is None or self._read_began < asked:
                self._read(now)
            assert self._rows is not None
            return board_totals(self._rows, now=now, today=today, window=window)

    def rebuild_now(self) -> None:
        """Start the background listing of the whole queue at once (tests, operators)."""
        with self._lock:
            self._start_rebuild()

    def wait_rebuilt(self, timeout: float | None = None) -> bool:
        """Wait for a background listing to end; True when none runs any more."""
        thread = self._rebuilding
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    # --- reads (the lock held) ---------------------------------------------------------

    def _read(self, now: datetime) -> None:
        began = time.monotonic()
        at = self._read_time()
        if self._rebuilt is not None:
            rows, since = self._rebuilt
            self._rebuilt = None
            self._rows = rows
            # The changes since it began are listed again, from before it began.
            self._since = min(self._since, since) if self._since else since
            self.reads["rebuild"] += 1
        if self._rows is None:
            self._rows = self._whole(at)
            self._built = began
            self.reads["full"] += 1
        else:
            self._follow(self._rows, at)
        # The next listing reaches back from the earlier of the caller's clock and the
        # store's, less the margin: tasks written with either time are listed again.
        self._since = min(now, at) - self._margin
        self._read_began = began
        if began - self._built >= self._rebuild_after:
            self._start_rebuild()

    def _follow(self, rows: _Rows, at: datetime) -> None:
        """The tasks written since the last listing, the queue's count and the untracked
        rows read back, all at *at*; the ids listed if the count says the tally is off."""
        col = self._db.collection(QUEUE)
        assert self._since is not None
        changed = col.where(filter=FieldFilter("updatedAt", ">=", self._since)).select(FIELDS)
        with ThreadPoolExecutor(max_workers=4) as pool:
            listed_f = pool.submit(lambda: list(changed.stream(read_time=at, **RPC)))
            total_f = pool.submit(count, col, at)
            dated_f = pool.submit(count, self._dated(), at)
            back_f = pool.submit(self._get, list(rows.untracked), at)
            listed, (total, _), back = listed_f.result(), total_f.result(), back_f.result()
            dated = dated_f.result()[0]
        self.reads["incremental"] += 1
        for snap in listed:
            rows.put(snap.id, snap.to_dict() or {})
        for task_id, doc in back.items():
            if doc is None:
                rows.drop(task_id)
            else:
                rows.put(task_id, doc)
        if total != len(rows) or dated != len(rows.tracked):
            self._reconcile(rows, at, total)

    def _dated(self) -> Any:
        """The tasks whose ``updatedAt`` is a timestamp (the tally's tracked rows)."""
        return self._db.collection(QUEUE).where(
            filter=FieldFilter("updatedAt", ">=", TIMESTAMP_MIN)
        )

    def _reconcile(self, rows: _Rows, at: datetime, total: int) -> None:
        """Tasks gone (purged, erased) leave the tally; tasks it lacks, and those it follows
        by ``updatedAt`` that have none any more (written again by another writer), are read
        by id."""
        ids = {snap.id for snap in self._pages(self._db.collection(QUEUE).select([]), at)}
        # Ordered by the range's field first (Firestore's rule), which the page's cursor reads.
        by_update = self._dated().order_by("updatedAt").select(["updatedAt"])
        dated = {snap.id for snap in self._pages(by_update, at)}
        held = set(rows.tracked) | set(rows.untracked)
        gone, new = held - ids, ids - held
        for task_id in gone:
            rows.drop(task_id)
        undated = (set(rows.tracked) - dated) & ids
        for task_id, doc in self._get(sorted(new | undated), at).items():
            if doc is not None:
                rows.put(task_id, doc)
        self.reads["reconcile"] += 1
        log.info(
            "board tally: %d of %d tasks gone, %d found, %d read again",
            len(gone),
            total,
            len(new),
            len(undated),
        )

    def _whole(self, at: datetime) -> _Rows:
        rows = _Rows()
        for snap in self._pages(self._db.collection(QUEUE).select(FIELDS), at):
            rows.put(snap.id, snap.to_dict() or {})
        return rows

    def _pages(self, query: Any, at: datetime) -> Iterator[Any]:
        ordered = query.order_by("__name__")
        last = None
        while True:
            page = ordered.limit(PAGE) if last is None else ordered.start_after(last).limit(PAGE)
            snaps = list(page.stream(read_time=at, **RPC))
            yield from snaps
            if len(snaps) < PAGE:
                return
            last = snaps[-1]

    def _get(self, ids: list[str], at: datetime) -> dict[str, dict[str, Any] | None]:
        """The documents by id at *at*; None for those that no longer exist."""
        out: dict[str, dict[str, Any] | None] = {}
        col = self._db.collection(QUEUE)
        for part in chunks(ids, GET_BATCH):
            refs = [col.document(task_id) for task_id in part]
            for snap in self._db.get_all(refs, field_paths=FIELDS, read_time=at, **RPC):
                out[snap.id] = (snap.to_dict() or {}) if snap.exists else None
        return out

    def _read_time(self) -> datetime:
        """One cheap read for the read time, so the listing and the count agree."""
        read_time: datetime = self._db.collection(WORKERS).document("_ping").get(**RPC).read_time
        return read_time

    # --- the background listing ----------------------------------------------------------

    def _start_rebuild(self) -> None:
        if self._rebuilding is not None and self._rebuilding.is_alive():
            return
        if self._since is None:
            return  # nothing built yet: the next refresh lists the whole queue anyway
        self._built = time.monotonic()
        since = self._since
        self._rebuilding = threading.Thread(
            target=self._rebuild, args=(since,), name="board-tally-rebuild", daemon=True
        )
        self._rebuilding.start()

    def _rebuild(self, since: datetime) -> None:
        try:
            rows = self._whole(self._read_time())
        except Exception as exc:  # the store closed or unreachable: the next period retries
            log.info("board tally: the whole listing failed (%s); kept as it was", exc)
            return
        with self._lock:
            self._rebuilt = (rows, since)
