"""Shared pieces of the Firestore backend: call options, error mapping, document reading,
and the connection (``Conn``) every part of the store reads and writes through.

Every network failure is turned into ``StoreUnavailable`` here, so a desk without a
connection shows one clear message instead of a gRPC trace; batches and transactions are
atomic, so such a failure never leaves half a change behind.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_transient_error
from google.auth import exceptions as auth_exc
from google.cloud import firestore
from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch
from google.protobuf.timestamp_pb2 import Timestamp
from proto.datetime_helpers import DatetimeWithNanoseconds

from parking_desk.booking import booking_document_id
from parking_desk.errors import StoreUnavailable
from parking_desk.task import NotificationTask
from parking_desk.task_rules import MALFORMED, error_of, read_task
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

BOOKINGS = "bookings"
QUEUE = "emailQueue"
AUDIT = "auditLog"
WORKERS = "workers"
QUOTA = "quota"

# Firestore's limit on writes in one batch or transaction.
MAX_BATCH = 500

# A desk must not hang for a minute on a dead link: retry transient errors briefly, then
# report the store as unavailable.
CALL_TIMEOUT = 10.0
RETRY = Retry(predicate=if_transient_error, initial=0.1, maximum=1.0, multiplier=2.0, timeout=8.0)
RPC: dict[str, Any] = {"retry": RETRY, "timeout": CALL_TIMEOUT}

F = TypeVar("F", bound=Callable[..., Any])
P = TypeVar("P")
T = TypeVar("T")


def guarded(method: F) -> F:
    """Turn google.api_core errors escaping *method* into ``StoreUnavailable``."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (gexc.GoogleAPIError, auth_exc.GoogleAuthError) as exc:
            log.warning("Firestore call %s failed: %s", method.__name__, type(exc).__name__)
            raise StoreUnavailable(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


# --- update times as task versions ----------------------------------------------------


def version_of(update_time: datetime | None) -> int:
    """A document's update time in nanoseconds: the ``version`` a claimed task carries, so
    completing it can demand that nobody has written the document since the claim."""
    if update_time is None:
        return 0
    nanos = getattr(update_time, "nanosecond", update_time.microsecond * 1000)
    return int(update_time.replace(microsecond=0).timestamp()) * 1_000_000_000 + nanos


def update_time_of(version: int) -> DatetimeWithNanoseconds:
    return DatetimeWithNanoseconds.from_timestamp_pb(
        Timestamp(seconds=version // 1_000_000_000, nanos=version % 1_000_000_000)
    )


# --- reading queue documents ------------------------------------------------------------


def parse_task(snap: Any) -> NotificationTask:
    """The strict reading a worker needs; raises ``MalformedTask``."""
    task = NotificationTask.from_document(snap.id, snap.to_dict())
    task.version = version_of(snap.update_time)
    return task


def view_task(snap: Any) -> NotificationTask:
    """A reading that never fails, for tables and feeds: a document that does not parse is
    shown with what can be salvaged (number, address, its state and reason)."""
    return task_of(snap.id, snap.to_dict(), snap.update_time)


def task_of(task_id: str, data: Any, update_time: Any) -> NotificationTask:
    """The task a (possibly projected) document holds, salvaged if it does not parse."""
    task, reason = read_task(task_id, data)
    if reason is not None and task.last_error is None:
        task.last_error = error_of(MALFORMED, reason, True)
    task.version = version_of(update_time)
    return task


def chunks(items: list[Any], size: int = MAX_BATCH) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Watch:
    """An open listener, kept in its connection's set until unsubscribed, so closing the
    store stops every listener still open."""

    def __init__(self, watch: Any, live: set[Watch]) -> None:
        self._watch = watch
        self._live = live
        live.add(self)

    def unsubscribe(self) -> None:
        self._live.discard(self)
        self._watch.unsubscribe()


class Conn:
    """What every part of the Firestore store shares: the client, the clock, the open
    listeners, and the conditioned writes they all make the same way. One per store; each
    part receives it in its constructor."""

    def __init__(self, db: Any) -> None:
        self.db = db  # google.cloud.firestore.Client
        self.watches: set[Watch] = set()  # listeners still open, stopped by close()

    def now(self, now: datetime | None) -> datetime:
        return (now or utcnow()).astimezone(UTC)

    def listen(self, query: Any, on_snapshot: Callable[[Any, Any, Any], None]) -> Watch:
        """Start a listener on *query* (a document, query or collection), stopped by
        ``close`` if nobody unsubscribes it first."""
        return Watch(query.on_snapshot(on_snapshot), self.watches)

    def close(self) -> None:
        for watch in list(self.watches):
            watch.unsubscribe()
        self.db.close()

    def transact(self, body: Callable[[Any], T]) -> T:
        """Run *body(transaction)* with the client's retries; a transaction still aborted
        after them (heavy contention) reports the store as unavailable, nothing written."""
        try:
            result: T = firestore.transactional(body)(self.db.transaction())
            return result
        except ValueError as exc:
            if isinstance(exc.__cause__, gexc.GoogleAPIError):
                raise StoreUnavailable(str(exc)) from exc
            raise

    def booking_ref(self, number: str) -> Any | None:
        """The booking's document, or None for a number that cannot name one (the website
        may write any string): such a booking is not in this store."""
        doc_id = booking_document_id(number)
        return self.db.collection(BOOKINGS).document(doc_id) if doc_id else None

    def precondition(self, update_time: Any) -> Any:
        """Write only if the document is still the one read at *update_time*."""
        return self.db.write_option(last_update_time=update_time)

    def commit_conditioned(
        self, writes: list[tuple[Any, dict[str, Any], Any, P]]
    ) -> list[tuple[P, Any]]:
        """Write each ``(reference, fields, update_time, payload)`` only if its document is
        still at *update_time*; ``(payload, write result)`` of the writes that landed.

        First one atomic commit: the common case, where no other worker touched these
        documents, costs one call. A commit refused because one of them changed meanwhile
        (another worker took it) goes again as a BatchWrite, where each write stands alone
        and only the changed ones are refused. Not a BatchWrite from the start: on the
        Firestore emulator a BatchWrite costs about 50 ms per write for every listener open
        on the collection (50 writes took 3 s with one worker's wake-up listeners, 7.7 s
        with three, past the call's deadline; one commit of the same 50, 0.08-0.19 s).
        A deadline or an abort is raised to the caller."""
        if not writes:
            return []
        batch = self.db.batch()
        for ref, fields, update_time, _payload in writes:
            batch.update(ref, fields, option=self.precondition(update_time))
        try:
            results = batch.commit(**RPC)
        except (gexc.FailedPrecondition, gexc.NotFound):
            if len(writes) == 1:
                log.debug("write to %s lost: the document changed", writes[0][0].id)
                return []
        else:
            return [(w[3], r) for w, r in zip(writes, results, strict=True)]
        each = BulkWriteBatch(self.db)
        for ref, fields, update_time, _payload in writes:
            each.update(ref, fields, option=self.precondition(update_time))
        response = each.commit(**RPC)
        return [
            (w[3], result)
            for w, status, result in zip(
                writes, response.status, response.write_results, strict=True
            )
            if status.code == 0
        ]
