"""What the website's JavaScript reads back: camelCase documents, timestamps, one commit."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from google.cloud import firestore

from parking_desk.booking import Booking
from parking_desk.services.store import BookingQuery
from parking_desk.services.store.firestore.store import FirestoreStore

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
INDEXES = Path(__file__).resolve().parents[2] / "resources" / "firestore.indexes.json"


def booking(name: str = "Ana Popescu", plate: str = "B 123 ABC") -> Booking:
    return Booking(
        name,
        "ana@example.ro",
        "0722 123 456",
        plate,
        datetime(2026, 12, 3, 10, 30, tzinfo=UTC),
        datetime(2026, 12, 9, 14, 0, tzinfo=UTC),
        passengers=2,
    )


@pytest.mark.firestore
def test_booking_and_task_documents_use_the_websites_field_names(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    saved, task = fs_store.create_booking(booking(), now=T0)

    number = saved.booking_number
    assert number.isdigit() and 100000 <= int(number) <= 999999
    b = raw.collection("bookings").document(number).get().to_dict()
    assert b["bookingNumber"] == number and b["plate"] == "B123ABC"
    assert b["clientNameLower"] == "ana popescu" and b["status"] == "confirmed"
    assert b["emailStatus"] == "pending" and b["qrCodeGenerated"] is False
    assert b["arrival"] == datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
    t = raw.collection("emailQueue").document(task.id).get().to_dict()
    assert t["type"] == "both" and t["bookingNumber"] == number
    assert t["status"] == "pending" and t["nextAttemptAt"] == T0 and t["attempts"] == 0
    assert t["bookingData"]["plate"] == "B123ABC"


@pytest.mark.firestore
def test_a_taken_number_is_never_overwritten(
    fs_store: FirestoreStore, raw: firestore.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second desk draws the taken number twice before a free one.
    draws = iter([0, 0, 0, 1])
    monkeypatch.setattr(secrets, "randbelow", lambda n: next(draws))
    first, _ = fs_store.create_booking(booking("Ana"), now=T0)
    second, _ = fs_store.create_booking(booking("Ion"), now=T0)

    assert (first.booking_number, second.booking_number) == ("100000", "100001")
    assert raw.collection("bookings").document("100000").get().get("clientName") == "Ana"
    assert len(list(raw.collection("emailQueue").stream())) == 2


@pytest.mark.firestore
def test_search_by_plate_name_and_day(fs_store: FirestoreStore) -> None:
    a, _ = fs_store.create_booking(booking("Ana Popescu", "CJ 12 XYZ"), now=T0)
    fs_store.create_booking(booking("Ion Ionescu", "B 99 ABC"), now=T0)
    assert [b.booking_number for b in fs_store.search_bookings(BookingQuery(text="cj12"))] == [
        a.booking_number
    ]
    assert [b.client_name for b in fs_store.search_bookings(BookingQuery(text="ION"))] == [
        "Ion Ionescu"
    ]
    by_day = fs_store.search_bookings(BookingQuery(arrival_day=datetime(2026, 12, 3).date()))
    assert len(by_day) == 2
    none = fs_store.search_bookings(
        BookingQuery(arrival_day=(datetime(2026, 12, 3) + timedelta(days=1)).date())
    )
    assert none == []


def test_index_file_is_in_firebase_cli_format() -> None:
    spec = json.loads(INDEXES.read_text())
    assert set(spec) == {"indexes", "fieldOverrides"}
    pairs: dict[str, set[tuple[str, ...]]] = {"emailQueue": set(), "bookings": set()}
    for index in spec["indexes"]:
        assert index["queryScope"] == "COLLECTION" and index["collectionGroup"] in pairs
        fields = index["fields"]
        assert len(fields) >= 2
        assert all(
            f.get("order") in ("ASCENDING", "DESCENDING") or f.get("arrayConfig") == "CONTAINS"
            for f in fields
        )
        pairs[index["collectionGroup"]].add(tuple(f["fieldPath"] for f in fields))
    # The claim queries cannot run in production without these two, nor the desk's search
    # by any part of a name without the token index.
    assert {("status", "nextAttemptAt"), ("status", "leaseExpiresAt")} <= pairs["emailQueue"]
    assert ("searchTokens", "createdAt") in pairs["bookings"]
