"""Queue documents as the website writes them, and as nobody should."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parking_desk.errors import MalformedTask
from parking_desk.retry import RetryPolicy
from parking_desk.task import NotificationTask, TaskFilter, TaskState, TaskType

CREATED = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def minimal(**changes) -> dict:
    doc = {
        "type": "both",
        "bookingNumber": "867962",
        "clientEmail": "ana@example.ro",
        "bookingData": {"clientName": "Ana", "plate": "B123ABC"},
        "createdAt": CREATED,
    }
    doc.update(changes)
    return doc


def test_website_minimal_shape_is_a_due_pending_task() -> None:
    task = NotificationTask.from_document("t1", minimal())
    assert task.status == TaskState.PENDING
    assert task.attempts == 0 and task.max_attempts == 10
    assert task.is_due(CREATED)
    assert task.type == TaskType.BOTH and task.booking_number == "867962"


def test_numeric_booking_number_and_js_timestamps_are_accepted() -> None:
    task = NotificationTask.from_document(
        "t1", minimal(bookingNumber=867962, createdAt=1764316800000)
    )
    assert task.booking_number == "867962"
    assert task.created_at == datetime(2025, 11, 28, 8, 0, tzinfo=UTC)


def test_round_trip_keeps_every_field() -> None:
    task = NotificationTask.from_document("t1", minimal(attempts=3, nextAttemptAt=CREATED))
    again = NotificationTask.from_document("t1", task.to_document())
    assert again == task


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ("not a map", "not a map"),
        (minimal(type="sms"), "unknown type"),
        ({k: v for k, v in minimal().items() if k != "type"}, "unknown type"),
        (minimal(bookingNumber=None), "bookingNumber"),
        (minimal(bookingNumber=["1"]), "bookingNumber"),
        (minimal(clientEmail=None), "clientEmail"),
        (minimal(clientEmail=42), "clientEmail"),
        (minimal(bookingData="{}"), "bookingData"),
        (minimal(status="exploded"), "unknown status"),
        (minimal(attempts="three"), "attempts"),
        (minimal(attempts=-1), "attempts"),
        (minimal(nextAttemptAt="tomorrow"), "nextAttemptAt"),
        (minimal(history="none"), "history"),
    ],
)
def test_malformed_documents_give_a_readable_reason(doc, reason: str) -> None:
    with pytest.raises(MalformedTask) as info:
        NotificationTask.from_document("bad", doc)
    assert reason in info.value.params["reason"]
    assert reason in info.value.translated("en")


def test_qr_only_task_needs_no_email() -> None:
    task = NotificationTask.from_document("t1", minimal(type="qr", clientEmail=None))
    assert task.type == TaskType.QR and task.client_email == ""


def test_expired_lease_is_due_again() -> None:
    task = NotificationTask.from_document(
        "t1", minimal(status="processing", leaseOwner="w1", leaseExpiresAt=CREATED)
    )
    assert not task.is_due(CREATED - timedelta(seconds=1))
    assert task.is_due(CREATED)


def test_filter_matches_error_text_and_retrying() -> None:
    doc = minimal(
        status="pending",
        attempts=2,
        lastError={"code": "451", "message": "Greylisted", "permanent": False},
    )
    task = NotificationTask.from_document("t1", doc)
    assert TaskFilter(text="greylist").matches(task)
    assert TaskFilter(retrying=True).matches(task)
    assert not TaskFilter(states=frozenset({TaskState.DEAD})).matches(task)
    assert not TaskFilter(text="550").matches(task)


def test_retry_schedule_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(jitter=0)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_retry_jitter_stays_within_twenty_percent() -> None:
    import random

    rng = random.Random(7)
    delays = [RetryPolicy().delay(2, rng).total_seconds() for _ in range(200)]
    assert min(delays) >= 60 and max(delays) <= 72 and len(set(delays)) > 100
