"""Shared pieces of the Firestore backend: call options, error mapping, document reading.

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

from parking_desk.errors import MalformedTask, StoreUnavailable
from parking_desk.task import HISTORY_LIMIT, LastError, NotificationTask, TaskState, TaskType
from parking_desk.timeutil import as_utc, utcnow

log = logging.getLogger(__name__)

BOOKINGS = "bookings"
QUEUE = "emailQueue"
AUDIT = "auditLog"
WORKERS = "workers"
QUOTA = "quota"

# Firestore's limit on writes in one batch or transaction.
MAX_BATCH = 500
MALFORMED = "malformed"

# A desk must not hang for a minute on a dead link: retry transient errors briefly, then
# report the store as unavailable.
CALL_TIMEOUT = 10.0
RETRY = Retry(predicate=if_transient_error, initial=0.1, maximum=1.0, multiplier=2.0, timeout=8.0)
RPC: dict[str, Any] = {"retry": RETRY, "timeout": CALL_TIMEOUT}

F = TypeVar("F", bound=Callable[..., Any])
P = TypeVar("P")


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
    try:
        return parse_task(snap)
    except MalformedTask as exc:
        return salvage(snap.id, snap.to_dict(), exc)


def salvage(task_id: str, doc: Any, exc: MalformedTask) -> NotificationTask:
    d = doc if isinstance(doc, dict) else {}
    try:
        kind = TaskType(d.get("type"))
    except ValueError:
        kind = TaskType.BOTH
    try:
        status = TaskState(d.get("status") or TaskState.PENDING)
    except ValueError:
        status = TaskState.PENDING
    error = LastError.from_document(d.get("lastError"))
    if error is None:
        error = LastError(MALFORMED, exc.translated("en"), True)

    def text(key: str) -> str:
        value = d.get(key)
        return str(value).strip() if isinstance(value, (str, int)) else ""

    def stamp(key: str) -> datetime | None:
        try:
            return as_utc(d.get(key))
        except (TypeError, ValueError, OverflowError, OSError):
            return None

    attempts = d.get("attempts")
    history = d.get("history")
    data = d.get("bookingData")
    return NotificationTask(
        id=task_id,
        type=kind,
        booking_number=text("bookingNumber"),
        client_email=text("clientEmail"),
        booking_data=data if isinstance(data, dict) else {},
        status=status,
        attempts=attempts if isinstance(attempts, int) and attempts >= 0 else 0,
        last_error=error,
        history=[h for h in history if isinstance(h, dict)] if isinstance(history, list) else [],
        created_at=stamp("createdAt"),
        updated_at=stamp("updatedAt"),
        completed_at=stamp("completedAt"),
    )


def history_entry(
    now: datetime,
    worker: str,
    outcome: str,
    *,
    code: str = "",
    message: str = "",
    provider: str | None = None,
) -> dict[str, Any]:
    return {
        "at": now,
        "worker": worker,
        "outcome": outcome,
        "code": code,
        "message": message[:500],
        "provider": provider,
    }


def bounded(history: list[dict[str, Any]], entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [*history, entry][-HISTORY_LIMIT:]


def chunks(items: list[Any], size: int = MAX_BATCH) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class FirestorePart:
    """What every part of the Firestore store shares: the client and the clock."""

    _db: Any  # google.cloud.firestore.Client

    def _now(self, now: datetime | None) -> datetime:
        return (now or utcnow()).astimezone(UTC)

    def _transact(self, body: Callable[[Any], Any]) -> Any:
        """Run *body(transaction)* with the client's retries; a transaction still aborted
        after them (heavy contention) reports the store as unavailable, nothing written."""
        try:
            return firestore.transactional(body)(self._db.transaction())
        except ValueError as exc:
            if isinstance(exc.__cause__, gexc.GoogleAPIError):
                raise StoreUnavailable(str(exc)) from exc
            raise

    def _precondition(self, update_time: Any) -> Any:
        """Write only if the document is still the one read at *update_time*."""
        return self._db.write_option(last_update_time=update_time)

    def _commit_conditioned(
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
        batch = self._db.batch()
        for ref, fields, update_time, _payload in writes:
            batch.update(ref, fields, option=self._precondition(update_time))
        try:
            results = batch.commit(**RPC)
        except (gexc.FailedPrecondition, gexc.NotFound):
            if len(writes) == 1:
                log.debug("write to %s lost: the document changed", writes[0][0].id)
                return []
        else:
            return [(w[3], r) for w, r in zip(writes, results, strict=True)]
        each = BulkWriteBatch(self._db)
        for ref, fields, update_time, _payload in writes:
            each.update(ref, fields, option=self._precondition(update_time))
        response = each.commit(**RPC)
        return [
            (w[3], result)
            for w, status, result in zip(
                writes, response.status, response.write_results, strict=True
            )
            if status.code == 0
        ]
