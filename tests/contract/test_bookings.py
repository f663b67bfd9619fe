"""Bookings: numbers, the outbox commit, search, and check-in/out as atomic transitions."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from contract_data import T0, booking

from parking_desk.booking import BookingStatus, EmailStatus
from parking_desk.errors import InvalidTransition, NotFound, ValidationError
from parking_desk.services.store import BookingQuery, Store
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.task import TaskFilter, TaskKind, TaskState, TaskType


def test_booking_and_its_task_are_written_together(store: Store) -> None:
    saved, task = store.create_booking(booking(), now=T0)

    number = saved.booking_number
    assert number is not None and number.isdigit() and 100000 <= int(number) <= 999999
    stored = store.get_booking(number)
    assert stored is not None
    assert stored.plate == "B123ABC" and stored.phone == "+40722123456"
    assert stored.email_status == EmailStatus.PENDING and stored.created_at == T0
    queued = store.get_task(task.id)
    assert queued is not None
    assert queued.type == TaskType.BOTH and queued.status == TaskState.PENDING
    assert queued.booking_number == number and queued.client_email == "ana@example.ro"
    assert queued.booking_data["plate"] == "B123ABC"
    assert queued.booking_data["arrival"] == datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
    assert [t.id for t in store.list_tasks()] == [task.id]


def test_qr_only_task_type_is_kept(store: Store) -> None:
    _, task = store.create_booking(booking(), task_type=TaskType.QR, now=T0)
    assert store.get_task(task.id).type == TaskType.QR


def test_invalid_booking_is_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(ValidationError) as info:
        store.create_booking(booking(client_email="not-an-address", phone="12"), now=T0)
    assert {e.field for e in info.value.errors} == {"clientEmail", "phone"}
    phone = info.value.for_field("phone")[0]
    assert phone.text("ro") == "Numărul de telefon nu este valid."
    assert phone.text("en") == "The phone number is not valid."
    assert store.search_bookings(BookingQuery()) == []
    assert store.list_tasks() == []


def test_eight_desks_at_once_get_unique_numbers(store: Store) -> None:
    per_thread = 6
    numbers: list[str] = []
    errors: list[BaseException] = []
    # Guards `numbers` and `errors`, appended to by the eight desk threads.
    lock = threading.Lock()
    start = threading.Barrier(8)

    def desk(i: int) -> None:
        start.wait()
        try:
            for j in range(per_thread):
                saved, _ = store.create_booking(booking(client_name=f"Client {i} {j}"), now=T0)
                with lock:
                    numbers.append(saved.booking_number)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(numbers) == 8 * per_thread == len(set(numbers))
    assert len(store.search_bookings(BookingQuery(limit=1000))) == 8 * per_thread
    tasks = store.list_tasks()
    assert sorted(t.booking_number for t in tasks) == sorted(numbers)


@pytest.fixture
def three(store: Store) -> dict[str, str]:
    """Three bookings to search among; returns name → booking number."""
    made = {}
    for name, plate, arrival, departure in (
        ("Ștefan Ionescu", "CJ 12 XYZ", datetime(2026, 12, 1, 9), datetime(2026, 12, 4, 20)),
        ("stela Marin", "B-99-ZZZ", datetime(2026, 12, 4, 12), datetime(2026, 12, 6, 7)),
        ("Andrei Pop", "CJ 34 ABC", datetime(2026, 12, 1, 15), datetime(2026, 12, 6, 22)),
    ):
        saved, _ = store.create_booking(
            booking(
                client_name=name,
                plate=plate,
                arrival=arrival.replace(tzinfo=UTC),
                departure=departure.replace(tzinfo=UTC),
            ),
            now=T0,
        )
        made[name] = saved.booking_number
    return made


def names(found) -> set[str]:
    return {b.client_name for b in found}


def test_search_by_number(store: Store, three: dict[str, str]) -> None:
    number = three["Andrei Pop"]
    assert names(store.search_bookings(BookingQuery(number=number))) == {"Andrei Pop"}
    assert names(store.search_bookings(BookingQuery(text=number))) == {"Andrei Pop"}
    unused = next(str(n) for n in range(100000, 100010) if str(n) not in three.values())
    assert store.search_bookings(BookingQuery(number=unused)) == []


def test_search_by_plate_is_normalised_and_by_prefix(store: Store, three: dict[str, str]) -> None:
    assert names(store.search_bookings(BookingQuery(plate="cj-12 xyz"))) == {"Ștefan Ionescu"}
    assert names(store.search_bookings(BookingQuery(plate="cj"))) == {
        "Ștefan Ionescu",
        "Andrei Pop",
    }
    assert names(store.search_bookings(BookingQuery(text="b 99"))) == {"stela Marin"}
    assert store.search_bookings(BookingQuery(plate="XYZ")) == []


def test_search_by_name_prefix_ignores_case_but_not_diacritics(
    store: Store, three: dict[str, str]
) -> None:
    assert names(store.search_bookings(BookingQuery(name_prefix="ștef"))) == {"Ștefan Ionescu"}
    assert names(store.search_bookings(BookingQuery(name_prefix="ȘTEFAN"))) == {"Ștefan Ionescu"}
    # Typed without the comma-below Ș, "ste" is another name: Stela, not Ștefan.
    assert names(store.search_bookings(BookingQuery(name_prefix="Ste"))) == {"stela Marin"}
    assert names(store.search_bookings(BookingQuery(text="andrei"))) == {"Andrei Pop"}
    assert store.search_bookings(BookingQuery(name_prefix="Pop")) == []


def test_search_by_arrival_and_departure_day(store: Store, three: dict[str, str]) -> None:
    assert names(store.search_bookings(BookingQuery(arrival_day=date(2026, 12, 1)))) == {
        "Ștefan Ionescu",
        "Andrei Pop",
    }
    assert names(store.search_bookings(BookingQuery(departure_day=date(2026, 12, 6)))) == {
        "stela Marin",
        "Andrei Pop",
    }
    both = BookingQuery(arrival_day=date(2026, 12, 1), departure_day=date(2026, 12, 6))
    assert names(store.search_bookings(both)) == {"Andrei Pop"}
    assert store.search_bookings(BookingQuery(arrival_day=date(2026, 12, 2))) == []


def test_check_in_then_out_and_refusals(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    number = saved.booking_number

    with pytest.raises(InvalidTransition) as info:
        store.set_booking_status(number, BookingStatus.CHECKED_OUT, operator="desk1")
    assert info.value.code == "error.not_checked_in"

    inside = store.set_booking_status(number, BookingStatus.CHECKED_IN, operator="desk1", now=T0)
    assert inside.status == BookingStatus.CHECKED_IN and inside.checked_in_at == T0
    with pytest.raises(InvalidTransition) as info:
        store.set_booking_status(number, BookingStatus.CHECKED_IN, operator="desk2")
    assert info.value.code == "error.already_checked_in"
    assert number in info.value.translated("ro") and "deja" in info.value.translated("ro")

    out = store.set_booking_status(number, BookingStatus.CHECKED_OUT, operator="desk1", now=T0)
    assert out.status == BookingStatus.CHECKED_OUT
    assert [h["by"] for h in out.history] == ["desk1", "desk1"]
    with pytest.raises(InvalidTransition) as info:
        store.set_booking_status(number, BookingStatus.CANCELLED, operator="desk1")
    assert info.value.code == "error.already_checked_out"
    assert store.get_booking(number).status == BookingStatus.CHECKED_OUT


def test_cancelled_booking_cannot_be_checked_in(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    number = saved.booking_number
    store.set_booking_status(number, BookingStatus.CANCELLED, operator="sup")
    with pytest.raises(InvalidTransition) as info:
        store.set_booking_status(number, BookingStatus.CHECKED_IN, operator="desk1")
    assert info.value.code == "error.booking_cancelled"
    assert "anulată" in info.value.translated("ro")
    assert "cancelled" in info.value.translated("en")


def test_concurrent_check_ins_let_exactly_one_through(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    outcomes: list[str] = []
    # Guards `outcomes`, appended to by the four scanning threads.
    lock = threading.Lock()
    start = threading.Barrier(4)

    def scan() -> None:
        start.wait()
        try:
            store.set_booking_status(saved.booking_number, BookingStatus.CHECKED_IN, operator="g")
            result = "ok"
        except InvalidTransition as exc:
            result = exc.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["error.already_checked_in"] * 3 + ["ok"]


def test_unknown_booking_is_not_found(store: Store) -> None:
    assert store.get_booking("123456") is None
    with pytest.raises(NotFound):
        store.set_booking_status("123456", BookingStatus.CHECKED_IN, operator="desk1")
    with pytest.raises(NotFound):
        store.enqueue("123456")


def test_amend_while_the_confirmation_waits_sends_one_email_with_the_new_details(
    store: Store,
) -> None:
    saved, first = store.create_booking(booking(), now=T0)
    new_departure = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)

    amended, task = store.amend_booking(
        saved.booking_number,
        {"departure": new_departure, "plate": "cj 12 xyz"},
        operator="desk1",
        now=T0,
    )
    # One e-mail, not two identical ones: the waiting confirmation carries the amendment.
    assert task.id == first.id
    assert amended.departure == new_departure
    again = store.get_booking(saved.booking_number)
    assert again.departure == new_departure and again.plate == "CJ12XYZ"
    assert again.history[-1]["by"] == "desk1"
    assert again.history[-1]["details"]["plate"] == {"from": "B123ABC", "to": "CJ12XYZ"}
    queued = store.get_task(task.id)
    assert queued.status == TaskState.PENDING and queued.kind == TaskKind.CONFIRMATION
    assert queued.booking_data["plate"] == "CJ12XYZ"
    assert queued.booking_data["departure"] == new_departure
    assert len(store.list_tasks(TaskFilter(text=saved.booking_number))) == 1


def test_amend_after_the_confirmation_went_out_queues_a_booking_changed_email(
    store: Store,
) -> None:
    saved, _first = store.create_booking(booking(), now=T0)
    [sending] = store.claim_due("w1", 5, timedelta(minutes=5), now=T0)
    outcome = DeliveryOutcome(provider="smtp:test", message_id="<m1@test>", email_sent=True)
    assert store.complete(sending, "w1", outcome, now=T0)

    _amended, task = store.amend_booking(
        saved.booking_number, {"plate": "cj 12 xyz"}, operator="desk1", now=T0
    )
    assert task.id != sending.id
    assert store.get_task(task.id).kind == TaskKind.AMENDMENT
    assert store.get_task(task.id).booking_data["plate"] == "CJ12XYZ"
    assert len(store.list_tasks(TaskFilter(text=saved.booking_number))) == 2


def test_cancel_cancels_the_waiting_confirmation_and_queues_a_cancellation(
    store: Store,
) -> None:
    saved, waiting = store.create_booking(booking(), now=T0)

    store.set_booking_status(
        saved.booking_number, BookingStatus.CANCELLED, operator="desk1", now=T0
    )

    assert store.get_task(waiting.id).status == TaskState.CANCELLED
    tasks = store.list_tasks(TaskFilter(text=saved.booking_number))
    [cancellation] = [t for t in tasks if t.status == TaskState.PENDING]
    assert cancellation.kind == TaskKind.CANCELLATION and cancellation.type == TaskType.EMAIL


def test_amend_brings_the_waiting_confirmation_up_to_date(store: Store) -> None:
    saved, waiting = store.create_booking(booking(), now=T0)
    _other, unrelated = store.create_booking(booking(), now=T0)

    store.amend_booking(
        saved.booking_number,
        {"plate": "cj 12 xyz", "clientEmail": "nou@client.example"},
        operator="desk1",
        now=T0,
    )

    # The e-mail still waiting prints the amended plate and goes to the amended address:
    # the worker renders from the task's snapshot without reading the booking.
    fresh = store.get_task(waiting.id)
    assert fresh.status == TaskState.PENDING
    assert fresh.booking_data["plate"] == "CJ12XYZ"
    assert fresh.client_email == "nou@client.example"
    assert store.get_task(unrelated.id).booking_data == unrelated.booking_data


def test_amend_during_a_send_leaves_that_send_to_finish(store: Store) -> None:
    saved, _task = store.create_booking(booking(), now=T0)
    [sending] = store.claim_due("w1", 5, timedelta(minutes=5), now=T0)

    _amended, follow_up = store.amend_booking(
        saved.booking_number, {"plate": "cj 12 xyz"}, operator="desk1", now=T0
    )

    # The send in flight completes (its lease is intact); the amended plate goes out with
    # the confirmation the amendment queued.
    outcome = DeliveryOutcome(provider="smtp:test", message_id="<m1@test>", email_sent=True)
    assert store.complete(sending, "w1", outcome, now=T0)
    assert store.get_task(sending.id).status == TaskState.COMPLETED
    assert store.get_task(follow_up.id).booking_data["plate"] == "CJ12XYZ"


def test_amend_with_bad_dates_is_refused_and_keeps_the_booking(store: Store) -> None:
    saved, _ = store.create_booking(booking(), now=T0)
    with pytest.raises(ValidationError) as info:
        store.amend_booking(
            saved.booking_number,
            {"departure": datetime(2026, 12, 1, tzinfo=UTC)},
            operator="desk1",
        )
    assert info.value.errors[0].code == "dates.departure_before_arrival"
    assert store.get_booking(saved.booking_number).departure == saved.departure
    assert len(store.list_tasks()) == 1


def test_enqueue_queues_a_resend(store: Store) -> None:
    saved, first = store.create_booking(booking(), now=T0)
    task = store.enqueue(saved.booking_number, TaskType.EMAIL, operator="desk1", now=T0)
    assert task.id != first.id
    assert store.get_task(task.id).type == TaskType.EMAIL
    assert {t.id for t in store.list_tasks()} == {first.id, task.id}
    resent = store.get_booking(saved.booking_number)
    assert resent.history[-1]["by"] == "desk1" and resent.history[-1]["action"] == "resend"
