"""The shared sending quota in Firestore: one small document per transport.

``quota/window_{transport}`` holds ``hours``, a map from each hour still in the window
(``2026-11-28T10:00Z``) to the units counted in it, at most 25 entries whatever the limit.
Why one document and not one per hour: a reservation must see the whole window and add to it
atomically. With a document per hour it would read 25 documents per send, and a write
conditioned on the current hour's document alone cannot stop two desks that straddle the
hour (one writing 10:00, the other 11:00) from both taking the last unit. With one document,
a reservation is one read and one write conditioned on that read's update time, exactly as
before for the daily counter.

Why update-time preconditions and not transactions: every send of every desk and worker
counts here, so the document is contended by design. A transaction locks it and aborts under
that contention ("failed to commit"); a conditioned write lets the winner through at once
and the losers read again after a short random pause. The map is rewritten whole on each
write, so hours that left the window drop out without a sweep.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from google.api_core import exceptions as gexc

from parking_desk.errors import StoreUnavailable
from parking_desk.quota import QuotaUnit, bucket_of, in_window
from parking_desk.services.store.firestore.docs import QUOTA, RPC, guarded
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

TRIES = 200
KEY_FORMAT = "%Y-%m-%dT%H:00Z"
MAX_ID = 400  # bytes; longer transport names are hashed (Firestore ids stop at 1,500)


def _key(bucket: datetime) -> str:
    return bucket.astimezone(UTC).strftime(KEY_FORMAT)


def _hours(snap: Any) -> dict[datetime, int]:
    """The document's counts, skipping any entry someone else wrote in another shape."""
    raw = (snap.to_dict() or {}).get("hours") if snap.exists else None
    found: dict[datetime, int] = {}
    if not isinstance(raw, dict):
        return found
    for key, value in raw.items():
        try:
            bucket = datetime.strptime(str(key), KEY_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            found[bucket] = value
    return found


class FirestoreQuota:
    """Rolling-window quota counters; *precondition* is the store's update-time option."""

    def __init__(self, db: Any, precondition: Callable[[Any], Any]) -> None:
        self._db = db
        self._precondition = precondition

    def _ref(self, transport: str) -> Any:
        # A transport name may hold "/" or be "..": quoted under a prefix it is a valid id.
        doc_id = "window_" + quote(transport, safe="")
        if len(doc_id.encode()) > MAX_ID:
            doc_id = "window_" + hashlib.sha256(transport.encode()).hexdigest()
        return self._db.collection(QUOTA).document(doc_id)

    def _change(
        self, transport: str, now: datetime | None, change: Callable[[dict[datetime, int]], bool]
    ) -> bool:
        """Read the counts (those in the window at *now*, or all of them), let *change* edit
        them (False: nothing to write), write them back only if nobody wrote in between;
        True once written."""
        ref = self._ref(transport)
        for attempt in range(TRIES):
            snap = ref.get(**RPC)
            hours = _hours(snap) if now is None else in_window(_hours(snap), now)
            if not change(hours):
                return False
            doc = {
                "transport": transport,
                "hours": {_key(b): n for b, n in sorted(hours.items()) if n > 0},
                "updatedAt": utcnow(),
            }
            try:
                if snap.exists:
                    ref.update(doc, option=self._precondition(snap.update_time), **RPC)
                else:
                    ref.create(doc, **RPC)
                return True
            except (gexc.FailedPrecondition, gexc.AlreadyExists, gexc.NotFound):
                time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))
        raise StoreUnavailable(f"quota counter {transport} too contended")

    @guarded
    def reserve(
        self, transport: str, limit: int, *, now: datetime | None = None
    ) -> QuotaUnit | None:
        now = now or utcnow()
        bucket = bucket_of(now)

        def take(hours: dict[datetime, int]) -> bool:
            if sum(hours.values()) >= limit:
                return False
            hours[bucket] = hours.get(bucket, 0) + 1
            return True

        return QuotaUnit(transport, bucket) if self._change(transport, now, take) else None

    @guarded
    def release(self, unit: QuotaUnit) -> None:
        def give_back(hours: dict[datetime, int]) -> bool:
            if hours.get(unit.bucket, 0) <= 0:
                return False  # already out of the window: nothing left to give back
            hours[unit.bucket] -= 1
            return True

        self._change(unit.transport, None, give_back)

    @guarded
    def counts(self, transport: str, *, now: datetime | None = None) -> dict[datetime, int]:
        now = now or utcnow()
        return in_window(_hours(self._ref(transport).get(**RPC)), now)
