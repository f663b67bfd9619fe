"""How many of the website's documents wait without a state, and since when: for
``queue_stats``, so the kiosk and ``queue stats`` count what no worker has picked up yet.

Firestore cannot query for a missing field, so nothing here reads a document: the collection's
count minus the counts by state gives how many lack one, and the age of the oldest is found
by counting the documents created before a moment, with and without a state, at one read
time. Only while such documents exist (no worker runs, or none has swept yet) do the age's
counts run: a dozen or two, each billed as one read per thousand index entries.

Queries: ``createdAt`` range, ``count()``: single field; ``status in [...]`` and a
``createdAt`` range, ``count()``: the composite (status, createdAt) that the normaliser's
sweep uses already.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.services.store.firestore.docs import RPC
from parking_desk.services.store.firestore.normalise import FORMS
from parking_desk.task import TaskState

STATES = sorted(str(s) for s in TaskState)
# Ages probed are whole powers of two seconds up to about 68 years, then halved until the
# age is known to within 1/32 of itself (or a second): finer than any threshold or display.
TOP_EXPONENT = 31
PRECISION = 32


def count(query: Any, read_time: datetime | None = None) -> tuple[int, datetime]:
    """The query's count and the time it was read at, so further counts can read the same."""
    result = query.count().get(read_time=read_time, **RPC)
    return int(result[0][0].value), result[0][0].read_time


def _missing(query: Any, read_time: datetime) -> bool:
    total, _ = count(query, read_time)
    if not total:
        return False
    stated, _ = count(query.where(filter=FieldFilter("status", "in", STATES)), read_time)
    return total > stated


def oldest_unstated_age(col: Any, now: datetime, read_time: datetime) -> timedelta:
    """How long the oldest document without a known state has waited since its ``createdAt``
    (a little less, never more). Zero when none is dated before *now*: written with a clock
    running ahead, or with a ``createdAt`` no range can find; such a document is due all
    the same."""
    oldest = timedelta(0)
    for form in FORMS:
        if _missing(_created(col, form, None), read_time):
            oldest = max(oldest, _age_in(col, form, now, read_time))
    return oldest


def _created(col: Any, form: Any, before: datetime | None) -> Any:
    query = col.where(filter=FieldFilter("createdAt", ">=", form.lowest))
    if before is not None:
        query = query.where(filter=FieldFilter("createdAt", "<", form.bound(before)))
    return query


def _age_in(col: Any, form: Any, now: datetime, read_time: datetime) -> timedelta:
    def older_than(age: timedelta) -> bool:
        return _missing(_created(col, form, now - age), read_time)

    if not older_than(timedelta(0)):
        return timedelta(0)
    # older_than(2**low s) holds, older_than(2**high s) does not (low -1 standing for 0).
    low, high = -1, TOP_EXPONENT
    while high - low > 1:
        mid = (low + high) // 2
        if older_than(timedelta(seconds=2**mid)):
            low = mid
        else:
            high = mid
    young = timedelta(0) if low < 0 else timedelta(seconds=2**low)
    old = timedelta(seconds=2**high)
    while old - young > max(timedelta(seconds=1), young / PRECISION):
        mid_age = (young + old) / 2
        if older_than(mid_age):
            young = mid_age
        else:
            old = mid_age
    return young
