"""Property-based checks: whatever a person types or another writer stores, Parking Desk
answers with a clear error or a usable value, never a crash.

The desk form feeds ``validate_booking`` whatever was typed; the website (or a hand edit in
the Firebase console) may leave any shape of document in ``emailQueue``. Hypothesis explores
both spaces far past what hand-written examples cover.
"""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from string import Formatter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parking_desk.booking import Booking, Source
from parking_desk.errors import MalformedTask, ValidationError
from parking_desk.messages import MESSAGES
from parking_desk.task import NotificationTask, TaskState, TaskType
from parking_desk.validation import (
    MAX_EMAIL,
    MAX_NAME,
    MAX_NOTES,
    MAX_PASSENGERS,
    MAX_PLATE,
    MIN_PASSENGERS,
    has_control_chars,
    normalise_plate,
    validate_booking,
)

pytestmark = pytest.mark.faults

BOOKING_FIELDS = {
    "clientName",
    "clientEmail",
    "phone",
    "plate",
    "notes",
    "arrival",
    "departure",
    "passengers",
    "language",
    "source",
}

# --- bookings as typed at the desk ----------------------------------------------------------

# Text a keyboard, a paste or a barcode scanner can produce, plus the hostile bits
# (control characters, header injection, Romanian diacritics, very long input).
typed_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            "   ",
            "Ștefan Țăranu",
            "ana@example.ro",
            "Ana@Exämple.RO",
            "ion popescu@example.ro",
            "x\r\nBcc: victim@example.com",
            "0722 123 456",
            "+40 722 123 456",
            "+1 202 555 0100",
            "B 123 ABC",
            "cj-12 xyz",
            "D 12345 X",
            "\x00",
            "a" * 2000,
        ]
    ),
)
emails = st.one_of(typed_text, st.emails().map(str))
moments = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=2))]),
    ),
    st.sampled_from(["2026-11-28", 0, 1764316800000]),
)
passenger_counts = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.sampled_from(["2", 2.0]),
)


@st.composite
def typed_bookings(draw: st.DrawFn) -> Booking:
    return Booking(
        client_name=draw(typed_text),
        client_email=draw(emails),
        phone=draw(typed_text),
        plate=draw(typed_text),
        arrival=draw(moments),
        departure=draw(moments),
        passengers=draw(passenger_counts),
        notes=draw(typed_text),
        language=draw(st.one_of(st.sampled_from(["ro", "en"]), typed_text)),
        source=draw(st.one_of(st.sampled_from(list(Source)), typed_text)),
    )


@st.composite
def plausible_bookings(draw: st.DrawFn) -> Booking:
    """Mostly-valid bookings with one or two fields nudged, so the valid branch is explored."""
    arrival = draw(
        st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        )
    )
    stay = draw(st.timedeltas(min_value=timedelta(minutes=-5), max_value=timedelta(days=400)))
    return Booking(
        client_name=draw(st.sampled_from(["Ana Pop", "  Ștefan   Țăranu ", "Ion"])),
        client_email=draw(st.sampled_from(["ana@example.ro", "Ion.Pop@Example.COM", "bad@"])),
        phone=draw(st.sampled_from(["0722 123 456", "+40722123456", "0264 123 456", "12"])),
        plate=draw(st.sampled_from(["b 123 abc", "CJ-12-XYZ", "D 12345 X", "IF.05.AAA"])),
        arrival=arrival,
        departure=arrival + stay,
        passengers=draw(st.integers(min_value=0, max_value=10)),
        notes=draw(st.sampled_from(["", "Scaun copil\nBagaj mare", "  tab\there  "])),
        language=draw(st.sampled_from(["ro", "en"])),
    )


def check_validation(booking: Booking) -> None:
    try:
        result = validate_booking(booking)
    except ValidationError as exc:
        assert exc.errors, "a ValidationError must name at least one field"
        for err in exc.errors:
            assert err.field in BOOKING_FIELDS
            assert err.severity == "error"
            assert err.code in MESSAGES, f"untranslated code {err.code}"
            ro, en = err.text("ro"), err.text("en")
            assert ro and en and ro != err.code and en != err.code
            for lang in ("ro", "en"):
                needed = {f for _, f, _, _ in Formatter().parse(MESSAGES[err.code][lang]) if f}
                assert needed <= set(err.params), f"{err.code}: placeholder left unfilled"
        return
    clean = result.booking
    assert clean.client_name == " ".join(clean.client_name.split())
    assert 0 < len(clean.client_name) <= MAX_NAME
    assert not has_control_chars(clean.client_name)
    assert "@" in clean.client_email and len(clean.client_email) <= MAX_EMAIL
    assert not has_control_chars(clean.client_email)
    assert clean.phone.startswith("+") and clean.phone[1:].isdigit()
    assert clean.plate == normalise_plate(clean.plate)
    assert clean.plate.isascii() and clean.plate.isalnum() and len(clean.plate) <= MAX_PLATE
    assert len(clean.notes) <= MAX_NOTES
    assert clean.arrival.tzinfo is not None and clean.departure > clean.arrival
    assert MIN_PASSENGERS <= clean.passengers <= MAX_PASSENGERS
    assert clean.language in ("ro", "en") and isinstance(clean.source, Source)
    assert all(w.severity == "warning" and w.code in MESSAGES for w in result.warnings)
    # Normalising is idempotent: saving an already clean booking changes nothing.
    assert validate_booking(clean).booking == clean


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_bookings())
def test_any_typed_booking_is_either_valid_and_normalised_or_a_translated_error(
    booking: Booking,
) -> None:
    check_validation(booking)


@settings(max_examples=300, deadline=None)
@given(plausible_bookings())
def test_nearly_valid_bookings_are_either_valid_and_normalised_or_a_translated_error(
    booking: Booking,
) -> None:
    check_validation(booking)


# --- queue documents as anyone may have written them ------------------------------------

# Values Firestore can hold (and the SQLite store's JSON can carry).
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([None, UTC]),
    ),
    st.sampled_from(["2026-11-28T08:00:00Z", "tomorrow", "", "pending", "dead", "both"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
TASK_FIELDS = [
    "type",
    "bookingNumber",
    "clientEmail",
    "bookingData",
    "status",
    "attempts",
    "maxAttempts",
    "nextAttemptAt",
    "leaseOwner",
    "leaseExpiresAt",
    "lastError",
    "history",
    "provider",
    "messageId",
    "createdAt",
    "updatedAt",
    "completedAt",
]


@st.composite
def queue_documents(draw: st.DrawFn) -> object:
    """A website-shaped document with any field dropped, replaced or added; sometimes not
    even a map."""
    if draw(st.integers(0, 19)) == 0:
        return draw(values)
    doc: dict[str, object] = {
        "type": draw(st.one_of(st.sampled_from([str(t) for t in TaskType]), values)),
        "bookingNumber": draw(st.one_of(st.sampled_from(["867962", 867962, " 12 "]), values)),
        "clientEmail": draw(st.one_of(st.just("ana@example.ro"), values)),
        "bookingData": draw(st.one_of(st.just({"clientName": "Ana", "language": "ro"}), values)),
        "createdAt": draw(st.one_of(st.just(datetime(2026, 11, 28, tzinfo=UTC)), values)),
    }
    for key in draw(st.lists(st.sampled_from(TASK_FIELDS), max_size=6, unique=True)):
        if draw(st.booleans()):
            doc.pop(key, None)
        else:
            doc[key] = draw(values)
    doc.update(draw(st.dictionaries(st.text(max_size=6), values, max_size=2)))
    return doc


def check_task_or_reason(task_id: str, doc: object) -> NotificationTask | None:
    try:
        task = NotificationTask.from_document(task_id, doc)
    except MalformedTask as exc:
        reason = exc.params.get("reason")
        assert isinstance(reason, str) and reason.strip()
        assert reason in exc.translated("ro") and reason in exc.translated("en")
        return None
    assert task.id == task_id
    assert isinstance(task.type, TaskType) and isinstance(task.status, TaskState)
    assert task.booking_number and task.booking_number == task.booking_number.strip()
    assert task.type == TaskType.QR or task.client_email
    assert task.attempts >= 0 and task.max_attempts > 0
    for stamp in (task.next_attempt_at, task.lease_expires_at, task.created_at):
        assert stamp is None or stamp.utcoffset() == timedelta(0)
    assert task.language in ("ro", "en")
    # A task that was read can be written back and read again unchanged.
    assert NotificationTask.from_document(task_id, task.to_document()) == task
    return task


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queue_documents())
def test_any_queue_document_is_a_task_or_a_readable_reason(doc: object) -> None:
    check_task_or_reason("t1", doc)


def test_non_finite_counters_are_malformed_not_a_crash() -> None:
    """JavaScript writes NaN and Infinity as numbers; such a counter is malformed."""
    base = {"type": "both", "bookingNumber": "1", "clientEmail": "a@b.ro"}
    for key in ("attempts", "maxAttempts"):
        for bad in (math.nan, math.inf):
            assert check_task_or_reason("t1", {**base, key: bad}) is None


# --- the same documents through a real store ---------------------------------------------

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)  # everything pending or leased is due by then


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(queue_documents(), min_size=1, max_size=6))
def test_any_queue_documents_in_a_real_store_are_claimed_or_dead_with_a_reason(
    docs: list[object],
) -> None:
    from parking_desk.services.store.sqlite.store import SqliteStore

    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "queue.db")
        try:
            expected: dict[str, NotificationTask | None] = {}
            for n, doc in enumerate(docs):
                task_id = f"web{n}"
                expected[task_id] = check_task_or_reason(task_id, doc)
                store.import_raw_task(task_id, doc)
            lease = timedelta(minutes=5)
            claimed = {t.id: t for t in store.claim_due("w1", 100, lease, now=FAR_FUTURE)}
            stored = {t.id: t for t in store.list_tasks()}
        finally:
            store.close()
    assert set(stored) == set(expected), "a queue document went missing"
    for task_id, task in expected.items():
        after = stored[task_id]
        if task is None:
            assert task_id not in claimed
            assert after.status == TaskState.DEAD
            assert after.last_error is not None and after.last_error.message.strip()
        elif task.status in (TaskState.PENDING, TaskState.PROCESSING):
            assert task_id in claimed and claimed[task_id].status == TaskState.PROCESSING
            assert claimed[task_id].lease_owner == "w1"
            assert claimed[task_id].attempts == task.attempts + 1
        else:
            assert task_id not in claimed and after.status == task.status


def test_non_finite_counters_in_a_real_store_turn_dead_with_a_reason(tmp_path: Path) -> None:
    from parking_desk.services.store.sqlite.store import SqliteStore

    store = SqliteStore(tmp_path / "queue.db")
    base = {"type": "both", "bookingNumber": "1", "clientEmail": "a@b.ro"}
    try:
        store.import_raw_task("nan", {**base, "attempts": math.nan})
        store.import_raw_task("inf", {**base, "maxAttempts": math.inf})
        assert store.claim_due("w1", 10, timedelta(minutes=5)) == []
        for task in store.list_tasks():
            assert task.status == TaskState.DEAD and task.last_error is not None
    finally:
        store.close()
