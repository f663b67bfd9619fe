"""The kiosk's figures read the way it reads them, on both stores: the board's tasks listed
and counted (the sent and cancelled never listed), the day's sends counted rather than
listed, and the lot's stays read without the rest of each booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contract_data import LEASE, T0, booking, website_task

from parking_desk.booking import Booking, BookingStatus
from parking_desk.bounce import Bounce, BounceKind
from parking_desk.config import KioskSettings
from parking_desk.services import lot
from parking_desk.services.queue_health import HealthSnapshot, collect_health
from parking_desk.services.store import Store
from parking_desk.services.store.base import BookingQuery, DeliveryOutcome
from parking_desk.task import LastError, TaskState

SENT = DeliveryOutcome(provider="smtp", message_id="<m>", email_sent=True)
ZONE = "Europe/Bucharest"


def test_sent_today_counts_the_whole_day_and_the_last_hour_its_own(store: Store) -> None:
    for _ in range(3):
        store.create_booking(booking(), now=T0)
    morning, noon, now_ = store.claim_due("w1", 3, LEASE, now=T0)
    store.complete(morning, "w1", SENT, now=T0)  # 11:00 at the site
    store.complete(noon, "w1", SENT, now=T0 + timedelta(hours=3))
    store.complete(now_, "w1", SENT, now=T0 + timedelta(hours=5))

    assert store.sent_count_since(T0 - timedelta(minutes=1)) == 3
    assert store.sent_count_since(T0 + timedelta(hours=1)) == 2
    assert store.sent_count_since(T0 + timedelta(hours=6)) == 0

    snap = collect_health(
        store, KioskSettings(), now=T0 + timedelta(hours=5, minutes=10), time_zone=ZONE
    )
    assert (snap.sent_today, snap.sent_last_hour, sum(snap.per_minute)) == (3, 1, 1)
    # The next day at the site (midnight in Bucharest is 22:00 UTC) starts from none.
    next_day = datetime(2026, 11, 28, 22, 30, tzinfo=UTC)
    assert collect_health(store, KioskSettings(), now=next_day, time_zone=ZONE).sent_today == 0


def stay(b: Booking) -> tuple:
    return (b.booking_number, b.status, b.arrival, b.departure, b.checked_in_at)


def test_stays_only_gives_every_stay_a_full_search_gives(store: Store) -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    numbers = []
    for day in (3, 4, 5):
        saved, _ = store.create_booking(
            booking(
                client_name=f"Stay {day}",
                arrival=datetime(2026, 12, day, 8, tzinfo=UTC),
                departure=datetime(2026, 12, day + 2, 8, tzinfo=UTC),
            ),
            now=now,
        )
        numbers.append(saved.booking_number or "")
    store.set_booking_status(numbers[0], BookingStatus.CHECKED_IN, operator="ana", now=now)

    for query in (
        BookingQuery(departure_from=now, limit=100),
        BookingQuery(statuses=frozenset({BookingStatus.CHECKED_IN}), limit=100),
    ):
        full = store.search_bookings(query)
        stays = store.search_bookings(BookingQuery(**{**query.__dict__, "stays_only": True}))
        assert [stay(b) for b in stays] == [stay(b) for b in full]
        assert full

    figures = lot.occupancy(store, 10, ZONE, now=now)
    assert figures.on_lot == 1
    assert dict(figures.days)[datetime(2026, 12, 5).date()] == 2


REJECTED = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)
BOARD = (TaskState.PENDING, TaskState.PROCESSING, TaskState.DEAD, TaskState.BOUNCED)


def board(snap: HealthSnapshot) -> tuple:
    """Every figure the board shows or colours its light by."""
    return (
        {state: snap.counts.get(state, 0) for state in BOARD},
        snap.retrying,
        snap.oldest_due_age,
        snap.sent_last_hour,
        snap.sent_today,
        snap.failed_last_hour,
        snap.failure_rate,
        snap.per_minute,
        snap.light,
        snap.reasons,
    )


def same_board(snap: HealthSnapshot, full: HealthSnapshot) -> None:
    """The board's figures are the full count's; the oldest website document's wait, which
    the full count finds to within 1/32 of itself (never more), is the board's to the
    second on Firestore (its tally holds each one's createdAt)."""
    shown, counted = board(snap), board(full)
    assert shown[:2] + shown[3:] == counted[:2] + counted[3:]
    if counted[2] is None:
        assert shown[2] is None
    else:
        assert counted[2] <= shown[2] <= counted[2] * 33 / 32 + timedelta(seconds=1)


def test_the_board_reads_every_figure_the_full_count_gives(store: Store) -> None:
    """A queue with a task in every state and website documents no worker has given a state:
    the board's lighter read (the tasks it watches listed and counted, the sent and
    cancelled never listed) shows what one count per state shows."""
    for _ in range(9):
        store.create_booking(booking(), now=T0)
    tasks = store.claim_due("w1", 8, LEASE, now=T0)
    store.complete(tasks[0], "w1", SENT, now=T0 + timedelta(minutes=20))
    store.complete(tasks[1], "w1", SENT, now=T0 + timedelta(hours=2, minutes=30))  # this hour
    store.fail_permanent(tasks[2], "w1", REJECTED, now=T0 + timedelta(minutes=10))  # long ago
    store.fail_permanent(tasks[3], "w1", REJECTED, now=T0 + timedelta(hours=2, minutes=40))
    # Retrying: back to pending, due again only later.
    store.fail_transient(tasks[4], "w1", REJECTED, T0 + timedelta(hours=4), now=T0)
    store.cancel_tasks([tasks[5].id], operator="ana", now=T0 + timedelta(minutes=5))
    bounced = tasks[6]
    store.complete(bounced, "w1", SENT, now=T0 + timedelta(minutes=30))
    report = Bounce(BounceKind.PERMANENT, "<m>", bounced.client_email, "5.1.1", "550 unknown")
    assert store.bounces.record_bounce(bounced.id, report, "w1", now=T0 + timedelta(hours=1))
    # tasks[7] stays processing; the ninth booking's task stays pending and due since T0.
    store.import_raw_task("web-1", website_task("100011", createdAt=T0 - timedelta(minutes=30)))
    now = T0 + timedelta(hours=3)  # 14:00 at the site, the hour from 13:00

    snap = collect_health(store, KioskSettings(), now=now, time_zone=ZONE)
    full = collect_health(store, KioskSettings(), now=now, time_zone=ZONE, every_state=True)

    same_board(snap, full)
    counts, retrying, oldest, hour, today, failed, *_ = board(snap)
    assert counts == {
        TaskState.PENDING: 3,  # the due one, the retrying one, the website's document
        TaskState.PROCESSING: 1,
        TaskState.DEAD: 2,
        TaskState.BOUNCED: 1,
    }
    assert retrying == 1
    assert oldest is not None  # the website's document, waiting since 08:30 UTC
    assert timedelta(hours=3, minutes=29) <= oldest <= timedelta(hours=3, minutes=30)
    assert (hour, today, failed) == (1, 2, 1)  # the bounced one no longer counts as sent
    assert snap.reasons == full.reasons and "dead" in snap.reasons
    assert full.counts[TaskState.COMPLETED] == 2 and full.counts[TaskState.CANCELLED] == 1


def test_the_board_counts_the_websites_documents_alone(store: Store) -> None:
    """Nothing but documents without a state: all pending, due since the oldest's createdAt."""
    for n, minutes in enumerate((5, 50)):
        store.import_raw_task(
            f"web-{n}", website_task(f"10002{n}", createdAt=T0 - timedelta(minutes=minutes))
        )

    snap = collect_health(store, KioskSettings(), now=T0, time_zone=ZONE)

    assert snap.counts[TaskState.PENDING] == 2 and snap.retrying == 0
    assert snap.oldest_due_age is not None
    assert timedelta(minutes=48) <= snap.oldest_due_age <= timedelta(minutes=50)
    same_board(
        snap, collect_health(store, KioskSettings(), now=T0, time_zone=ZONE, every_state=True)
    )
