"""Waking a worker when queue work may have become due, without watching every task.

A listener on the whole ``emailQueue`` collection hears every claim and completion of every
worker: Firestore bills each change to each listener, and on the emulator three such
listeners over 5,000 tasks slowed every claim past its deadline. A worker only needs to
know that something new may be due, so it listens to two one-document queries:

* the newest task by ``createdAt`` (timestamps only): every new task, the desk's or the
  website's; one without a state also asks the next claim to sweep at once;
* the most recently updated pending task: a retry, a release or a hand-back.

Each also hears the claims and completions of the one task it holds; only a document
without a state or a pending one wakes the worker, and for the second query only one
updated later than any it has seen (a claim of the latest pending task brings an older one
into its place, which is not new work). Website
documents stamped with epoch milliseconds or ISO text are found by the periodic drain's
sweep instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.services.store.firestore.docs import QUEUE, Conn, Watch
from parking_desk.services.store.firestore.normalise import FirestoreNormaliser
from parking_desk.task import TaskState

log = logging.getLogger(__name__)

_TIMESTAMP_MIN = datetime(1, 1, 1, tzinfo=UTC)


class _Both:
    def __init__(self, watches: list[Watch]) -> None:
        self._watches = watches

    def unsubscribe(self) -> None:
        for watch in self._watches:
            watch.unsubscribe()


class FirestoreWake:
    """A worker's wake-up; *normaliser* hears of the website's documents it sees, so the
    claim the wake-up triggers sweeps at once."""

    def __init__(self, conn: Conn, normaliser: FirestoreNormaliser) -> None:
        self._conn = conn
        self._db = conn.db
        self._normaliser = normaliser

    def watch_due(self, wake: Callable[[], None]) -> _Both:
        """Call *wake* (on a listener thread) when a task may have become due."""
        col = self._db.collection(QUEUE)
        newest = (
            col.where(filter=FieldFilter("createdAt", ">=", _TIMESTAMP_MIN))
            .order_by("createdAt", direction=firestore.Query.DESCENDING)
            .limit(1)
        )
        # Index: emailQueue (status ASC, updatedAt DESC).
        retried = (
            col.where(filter=FieldFilter("status", "==", str(TaskState.PENDING)))
            .order_by("updatedAt", direction=firestore.Query.DESCENDING)
            .limit(1)
        )

        pending = str(TaskState.PENDING)
        newest_update: list[Any] = [None]

        def wakes(fields: dict[str, Any], retried_query: bool) -> bool:
            """Only a task that may be due wakes: one without a state (the website's) or a
            pending one whose next attempt is not later. The newest task's own claim and
            completion change its document too, and the latest pending task's claim brings
            an older pending one into the query's single place; neither is new work."""
            status = fields.get("status")
            if status is not None and status != pending:
                return False
            due = fields.get("nextAttemptAt")
            if isinstance(due, datetime) and due > datetime.now(UTC):
                return False  # a retry for later: the interval drain takes it when it is due
            if not retried_query:
                return True
            updated = fields.get("updatedAt")
            try:
                if newest_update[0] is not None and not updated > newest_update[0]:
                    return False
            except TypeError:  # a malformed updatedAt: wake, the claim will sort it out
                return True
            newest_update[0] = updated
            return True

        def listener(retried_query: bool) -> Callable[[Any, Any, Any], None]:
            def on_snapshot(_docs: Any, changes: Any, _read_time: Any) -> None:
                woken = False
                for change in changes:
                    if change.type.name == "REMOVED":
                        continue
                    fields = change.document.to_dict() or {}
                    if fields.get("status") is None:
                        self._normaliser.want_sweep()  # before the wake-up's claim runs
                    woken = wakes(fields, retried_query) or woken
                if woken:
                    try:
                        wake()
                    except Exception:  # a failing consumer must not kill the listener
                        log.exception("waking the worker failed")

            return on_snapshot

        return _Both(
            [
                self._conn.listen(newest, listener(False)),
                self._conn.listen(retried, listener(True)),
            ]
        )
