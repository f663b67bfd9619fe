"""The desk's search box on both stores: any part of a name without diacritics, a phone
number however it is typed, an e-mail, part of a booking number; and a website booking
written without search tokens still found by its number, plate and name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from contract_data import PROJECT, T0, booking

from parking_desk.booking import Booking, BookingStatus
from parking_desk.services.store import Store
from parking_desk.services.store.base import BookingQuery


def names(found: list[Booking]) -> set[str]:
    return {b.client_name for b in found}


def search(store: Store, text: str, **criteria: object) -> set[str]:
    return names(store.search_bookings(BookingQuery(text=text, **criteria)))  # type: ignore[arg-type]


def by_plate_part(store: Store, text: str) -> set[str]:
    """Who a part of a plate finds, less a booking whose random number holds it too."""
    found = store.search_bookings(BookingQuery(text=text))
    return names([b for b in found if text not in (b.booking_number or "")])


@pytest.fixture
def clients(store: Store) -> dict[str, str]:
    """Four clients; returns name → booking number."""
    made = {}
    for i, (name, email, phone, plate) in enumerate(
        [
            ("Ion Țîrcă", "ion.tirca@example.ro", "+40 722 123 456", "B 12 TIR"),
            ("Maria Ştefănescu", "maria@posta.ro", "0744-987-654", "CJ 99 MAR"),
            ("ANDREI ȚÂRCĂ-POP", "andrei@example.com", "0040 733 000 111", "IS 07 AND"),
            ("Ion Popa", "ipopa@mail.example", "+33 6 11 22 33 44", "B 777 POP"),
        ]
    ):
        saved, _ = store.create_booking(
            booking(client_name=name, client_email=email, phone=phone, plate=plate),
            now=T0 + timedelta(minutes=i),
        )
        made[name] = saved.booking_number or ""
    return made


def test_any_part_of_a_name_without_diacritics(store: Store, clients: dict[str, str]) -> None:
    assert search(store, "tirca") == {"Ion Țîrcă"}
    assert search(store, "ȚÎRCĂ") == {"Ion Țîrcă"}
    assert search(store, "irc") == {"Ion Țîrcă"}
    assert search(store, "tarca") == {"ANDREI ȚÂRCĂ-POP"}
    # ş with a cedilla in the booking, ș with a comma below typed, and the other way round
    assert search(store, "ștefănescu") == {"Maria Ştefănescu"}
    assert search(store, "stefan") == {"Maria Ştefănescu"}
    assert search(store, "nescu") == {"Maria Ştefănescu"}
    # every word typed must match, in any order
    assert search(store, "pop") == {"ANDREI ȚÂRCĂ-POP", "Ion Popa"}
    assert search(store, "ion pop") == {"Ion Popa"}
    assert search(store, "popa ion") == {"Ion Popa"}
    assert search(store, "ion tirca") == {"Ion Țîrcă"}
    assert search(store, "xyzzy") == set()


def test_phone_however_it_is_typed(store: Store, clients: dict[str, str]) -> None:
    assert search(store, "0722123456") == {"Ion Țîrcă"}
    assert search(store, "+40 722 123 456") == {"Ion Țîrcă"}
    assert search(store, "+40722123456") == {"Ion Țîrcă"}
    assert search(store, "123 456") == {"Ion Țîrcă"}
    assert search(store, "3456") == {"Ion Țîrcă"}
    assert search(store, "987654") == {"Maria Ştefănescu"}
    assert search(store, "0733 000 111") == {"ANDREI ȚÂRCĂ-POP"}
    assert search(store, "+33 6 11 22 33 44") == {"Ion Popa"}


def test_email_plate_and_part_of_a_number(store: Store, clients: dict[str, str]) -> None:
    assert search(store, "ion.tirca@example.ro") == {"Ion Țîrcă"}
    assert search(store, "posta") == {"Maria Ştefănescu"}
    assert search(store, "example") == {"Ion Țîrcă", "ANDREI ȚÂRCĂ-POP", "Ion Popa"}
    assert by_plate_part(store, "777") == {"Ion Popa"}
    assert search(store, "b777") == {"Ion Popa"}
    number = clients["Maria Ştefănescu"]
    found = store.search_bookings(BookingQuery(text=number[1:5]))
    assert "Maria Ştefănescu" in names(found)
    assert all(number[1:5] in b.booking_number or number[1:5] in b.phone for b in found)
    assert search(store, number) == {"Maria Ştefănescu"}


def test_text_with_other_criteria_and_newest_first(store: Store, clients: dict[str, str]) -> None:
    store.set_booking_status(clients["Ion Popa"], BookingStatus.CHECKED_IN, operator="ana")
    checked_in = frozenset({BookingStatus.CHECKED_IN})
    assert search(store, "pop", statuses=checked_in) == {"Ion Popa"}
    assert search(store, "tirca", arrival_day=datetime(2026, 12, 3).date()) == {"Ion Țîrcă"}
    assert search(store, "tirca", arrival_day=datetime(2026, 12, 4).date()) == set()
    found = store.search_bookings(BookingQuery(text="ion"))
    assert [b.client_name for b in found] == ["Ion Popa", "Ion Țîrcă"]
    assert len(store.search_bookings(BookingQuery(text="example", limit=2))) == 2


def test_a_changed_booking_is_found_by_its_new_details(
    store: Store, clients: dict[str, str]
) -> None:
    new = {"client_name": "Ion Vîlcea", "client_email": "ion.v@mail.example"}
    store.amend_booking(clients["Ion Popa"], new, operator="ana")
    assert search(store, "vilcea") == {"Ion Vîlcea"}
    assert search(store, "popa") == set()
    assert by_plate_part(store, "777") == {"Ion Vîlcea"}
    store.set_booking_status(clients["Ion Popa"], BookingStatus.CHECKED_IN, operator="ana")
    assert search(store, "vilc") == {"Ion Vîlcea"}


def test_time_ranges_are_half_open(store: Store, clients: dict[str, str]) -> None:
    arrival = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
    at = BookingQuery(arrival_from=arrival, arrival_before=arrival + timedelta(minutes=1))
    assert len(store.search_bookings(at)) == 4
    after = BookingQuery(arrival_from=arrival + timedelta(seconds=1))
    assert store.search_bookings(after) == []
    before = BookingQuery(departure_before=datetime(2026, 12, 9, 14, 0, tzinfo=UTC))
    assert store.search_bookings(before) == []
    assert len(store.search_bookings(BookingQuery(departure_from=arrival))) == 4


def put_website_booking(store: Store, number: str, doc: dict[str, object]) -> None:
    """A booking as the website writes it: no search tokens, no lower-cased name."""
    if store.kind == "sqlite":
        from parking_desk.services.store.sqlite.schema import booking_row, dumps

        row = booking_row(Booking.from_document(doc, number)) | {"doc": dumps(doc)}
        columns, marks = ", ".join(row), ", ".join(f":{k}" for k in row)
        with store.db.write() as conn:  # type: ignore[attr-defined]
            conn.execute(f"INSERT INTO bookings ({columns}) VALUES ({marks})", row)
        return
    from google.cloud import firestore

    firestore.Client(project=PROJECT).collection("bookings").document(number).set(doc)


def test_website_booking_without_tokens_found_by_number_plate_and_name(store: Store) -> None:
    doc = {
        "bookingNumber": "867962",
        "clientName": "Elena Vărzaru",
        "clientNameLower": "elena vărzaru",
        "clientEmail": "elena@example.ro",
        "phone": "0755 111 222",
        "plate": "B55WEB",
        "arrival": datetime(2026, 12, 3, 10, 30, tzinfo=UTC),
        "departure": datetime(2026, 12, 5, 10, 30, tzinfo=UTC),
        "createdAt": T0,
    }
    put_website_booking(store, "867962", doc)
    assert search(store, "867962") == {"Elena Vărzaru"}
    assert search(store, "b55") == {"Elena Vărzaru"}
    assert search(store, "elena") == {"Elena Vărzaru"}
    assert search(store, "varzaru") == set()  # no tokens until the desk writes it
    store.set_booking_status("867962", BookingStatus.CHECKED_IN, operator="ana")
    assert search(store, "varzaru") == {"Elena Vărzaru"}
    assert search(store, "111 222") == {"Elena Vărzaru"}
