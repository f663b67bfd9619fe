"""The kiosk board on Firestore, once its tally is built: every figure stays what counting
each state shows (``collect_health(every_state=True)``, one count per state) across the
queue's changes, the website's documents, purges and deletions, overlapping refreshes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from google.cloud import firestore

from parking_desk.booking import Booking
from parking_desk.bounce import Bounce, BounceKind
from parking_desk.config import KioskSettings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.queue_health import HealthSnapshot, collect_health
from parking_desk.services.store.base import DeliveryOutcome
from parking_desk.services.store.firestore.store import FirestoreStore
from parking_desk.task import LastError, TaskState
from parking_desk.timeutil import utcnow

pytestmark = pytest.mark.firestore

LEASE = timedelta(minutes=5)
SENT = DeliveryOutcome(provider="smtp", message_id="<m@parking>", email_sent=True)
REJECTED = LastError("smtp.550", "550 5.1.1 mailbox unavailable", True)
BUSY = LastError("smtp.421", "421 try later", False)
ZONE = "Europe/Bucharest"
BOARD = (TaskState.PENDING, TaskState.PROCESSING, TaskState.DEAD, TaskState.BOUNCED)


def booking(n: int) -> Booking:
    return Booking(
        f"Client {n}",
        f"client{n}@example.ro",
        "0722 123 456",
        f"B {100 + n} ABC",
        datetime(2026, 12, 3, 10, 30, tzinfo=UTC),
        datetime(2026, 12, 9, 14, 0, tzinfo=UTC),
    )


def figures(snap: HealthSnapshot) -> tuple:
    """Every figure the board shows or colours its light by."""
    return (
        {state: snap.counts.get(state, 0) for state in BOARD},
        snap.retrying,
        snap.oldest_due_age,
        snap.sent_last_hour,
        snap.sent_today,
        snap.failed_last_hour,
        snap.per_minute,
        snap.light,
        snap.reasons,
    )


def board_and_full(store: FirestoreStore, now: datetime | None = None) -> tuple[tuple, tuple]:
    now = now or utcnow()
    board = collect_health(store, KioskSettings(), now=now, time_zone=ZONE)
    full = collect_health(store, KioskSettings(), now=now, time_zone=ZONE, every_state=True)
    return figures(board), figures(full)


def assert_board_exact(store: FirestoreStore, now: datetime | None = None) -> tuple:
    board, full = board_and_full(store, now)
    assert board == full
    return board


def tasks(store: FirestoreStore, n: int, start: int = 0) -> None:
    for k in range(start, start + n):
        store.create_booking(booking(k))


def test_the_board_follows_every_change_after_its_first_refresh(fs_store: FirestoreStore) -> None:
    tasks(fs_store, 8)
    first = assert_board_exact(fs_store)
    assert first[0][TaskState.PENDING] == 8
    tally = fs_store.health.board_tally

    tasks(fs_store, 2, start=8)  # new tasks
    claimed = fs_store.claim_due("w1", 8, LEASE)
    assert_board_exact(fs_store)
    fs_store.complete(claimed[0], "w1", SENT)  # sent
    fs_store.complete(claimed[1], "w1", SENT)
    fs_store.fail_permanent(claimed[2], "w1", REJECTED)  # dead
    fs_store.fail_permanent(claimed[3], "w1", REJECTED)
    fs_store.fail_transient(claimed[4], "w1", BUSY, utcnow() + timedelta(hours=1))  # retrying
    assert_board_exact(fs_store)
    report = Bounce(BounceKind.PERMANENT, "<m@parking>", claimed[1].client_email, "5.1.1", "550")
    assert fs_store.bounces.record_bounce(claimed[1].id, report, "w1", now=utcnow())  # bounced
    fs_store.cancel_tasks([claimed[5].id], operator="ana")  # cancelled
    assert fs_store.retry_tasks([(claimed[3].id, None)], operator="ana") == 1  # retried
    board = assert_board_exact(fs_store)

    counts, retrying, *_ = board
    # 2 new + 2 never claimed + the retried one; the retrying one due later; 2 still sending.
    assert counts == {
        TaskState.PENDING: 4,
        TaskState.PROCESSING: 2,
        TaskState.DEAD: 1,
        TaskState.BOUNCED: 1,
    }
    assert retrying == 1
    # Built once; every later refresh read only what changed (and the queue's count).
    assert tally.reads["full"] == 1 and tally.reads["incremental"] == 3


def test_a_website_document_is_counted_from_when_it_was_written_until_a_worker_takes_it(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    tasks(fs_store, 3)
    assert_board_exact(fs_store)
    now = utcnow()
    written = now - timedelta(minutes=47, seconds=13)
    raw.collection("emailQueue").document("web-1").set(
        {
            "type": "both",
            "bookingNumber": "867962",
            "clientEmail": "ion@example.ro",
            "bookingData": {"clientName": "Ion Ionescu", "plate": "CJ12XYZ"},
            "createdAt": written,
        }
    )

    board, full = board_and_full(fs_store, now)

    assert board[0][TaskState.PENDING] == full[0][TaskState.PENDING] == 4
    # Waiting since its createdAt, to the second (counting by state finds it to within
    # 1/32 of its age, never more).
    assert board[2] == now - written
    assert full[2] is not None and full[2] <= board[2] <= full[2] * 33 / 32
    assert board[1:2] + board[3:] == full[1:2] + full[3:]

    claimed = fs_store.claim_due("w1", 10, LEASE)  # the sweep gives it a state
    assert "web-1" in {t.id for t in claimed}
    board = assert_board_exact(fs_store)
    assert board[0][TaskState.PROCESSING] == 4 and board[0][TaskState.PENDING] == 0


def test_tasks_purged_or_deleted_while_the_tally_is_held_leave_the_board(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    long_ago = utcnow() - timedelta(days=40)
    tasks(fs_store, 6)
    claimed = fs_store.claim_due("w1", 6, LEASE)
    for task in claimed[:3]:
        fs_store.complete(task, "w1", SENT, now=long_ago)
    fs_store.fail_permanent(claimed[3], "w1", REJECTED, now=long_ago)
    fs_store.fail_permanent(claimed[4], "w1", REJECTED)
    tasks(fs_store, 2, start=6)
    before = assert_board_exact(fs_store)
    assert before[0][TaskState.DEAD] == 2

    purged = fs_store.purge_finished(timedelta(days=30), dead_older_than=timedelta(days=30))
    assert purged == 4  # three sent and one dead, long ago
    raw.collection("emailQueue").document(claimed[5].id).delete()  # processing, deleted
    board = assert_board_exact(fs_store)

    assert board[0] == {
        TaskState.PENDING: 2,
        TaskState.PROCESSING: 0,
        TaskState.DEAD: 1,
        TaskState.BOUNCED: 0,
    }
    assert fs_store.health.board_tally.reads["full"] == 1


def test_overlapping_refreshes_build_the_tally_once_and_agree(fs_store: FirestoreStore) -> None:
    tasks(fs_store, 5)
    claimed = fs_store.claim_due("w1", 2, LEASE)
    fs_store.complete(claimed[0], "w1", SENT)
    now = utcnow()
    start = threading.Barrier(3)
    got: list[tuple] = []
    errors: list[BaseException] = []

    def refresh() -> None:
        start.wait()
        try:
            got.append(figures(collect_health(fs_store, KioskSettings(), now=now, time_zone=ZONE)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    full = figures(
        collect_health(fs_store, KioskSettings(), now=now, time_zone=ZONE, every_state=True)
    )
    assert got == [full] * 3
    assert fs_store.health.board_tally.reads["full"] == 1


def test_the_whole_listing_in_the_background_puts_right_a_lagging_writers_change(
    fs_store: FirestoreStore,
) -> None:
    """A worker whose clock runs an hour behind writes an ``updatedAt`` no listing of the
    recent changes reaches; the periodic whole listing, while refreshes go on, does."""
    tasks(fs_store, 3)
    claimed = fs_store.claim_due("w1", 3, LEASE)
    assert_board_exact(fs_store)
    fs_store.complete(claimed[0], "w1", SENT, now=utcnow() - timedelta(hours=1))
    tally = fs_store.health.board_tally

    tally.rebuild_now()
    assert tally.wait_rebuilt(timeout=30)
    fs_store.complete(claimed[1], "w1", SENT)  # written while the listing ran or after
    board = assert_board_exact(fs_store)

    assert board[0][TaskState.PROCESSING] == 1
    assert tally.reads["rebuild"] == 1 and tally.reads["full"] == 1


def test_an_unreachable_store_keeps_the_tally_for_the_next_refresh(
    fs_store: FirestoreStore, firestore_emulator: object
) -> None:
    tasks(fs_store, 4)
    assert_board_exact(fs_store)
    fs_store.claim_due("w1", 1, LEASE)
    firestore_emulator.pause()  # type: ignore[attr-defined]
    try:
        with pytest.raises(StoreUnavailable):
            fs_store.board_figures(now=utcnow(), today=utcnow(), window=utcnow())
    finally:
        firestore_emulator.resume()  # type: ignore[attr-defined]

    board = assert_board_exact(fs_store)
    assert board[0][TaskState.PROCESSING] == 1
    assert fs_store.health.board_tally.reads["full"] == 1


def test_a_document_written_without_an_update_time_is_read_again_each_refresh(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    """Another writer's document with a state but no ``updatedAt``: no listing of the recent
    changes finds its changes, so the board reads it back by id."""
    tasks(fs_store, 2)
    ref = raw.collection("emailQueue").document("other-1")
    ref.set(
        {
            "type": "both",
            "bookingNumber": "1",
            "clientEmail": "a@example.ro",
            "status": "dead",
            "createdAt": utcnow(),
        }
    )
    assert assert_board_exact(fs_store)[0][TaskState.DEAD] == 1

    ref.update({"status": "bounced"})
    board = assert_board_exact(fs_store)

    assert board[0][TaskState.DEAD] == 0 and board[0][TaskState.BOUNCED] == 1


def assert_board_matches_with_a_website_document(store: FirestoreStore) -> tuple:
    """As ``assert_board_exact``; the oldest wait, a website document's, is exact on the
    board and within 1/32 in the full count."""
    board, full = board_and_full(store)
    assert board[:2] + board[3:] == full[:2] + full[3:]
    assert full[2] is not None and full[2] <= board[2] <= full[2] * 33 / 32
    return board


def test_a_task_deleted_as_a_website_document_arrives_leaves_no_wrong_figure(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    """The queue's count stays the same when one task goes and a website document (no
    ``updatedAt``, so no listing of the recent changes finds it) comes between two refreshes:
    the board still drops the one and counts the other."""
    tasks(fs_store, 3)
    claimed = fs_store.claim_due("w1", 1, LEASE)
    fs_store.fail_permanent(claimed[0], "w1", REJECTED)
    assert assert_board_exact(fs_store)[0][TaskState.DEAD] == 1

    raw.collection("emailQueue").document(claimed[0].id).delete()  # erased
    raw.collection("emailQueue").document("web-2").set(
        {
            "type": "both",
            "bookingNumber": "867963",
            "clientEmail": "maria@example.ro",
            "createdAt": utcnow() - timedelta(minutes=5),
        }
    )
    board = assert_board_matches_with_a_website_document(fs_store)

    assert board[0][TaskState.DEAD] == 0 and board[0][TaskState.PENDING] == 3


def test_a_task_written_again_without_an_update_time_is_counted_as_it_is_now(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    """Another writer sets a dead task's document again as a fresh website document (no
    state, no ``updatedAt``): the queue's count does not change, the board still sees it."""
    tasks(fs_store, 2)
    claimed = fs_store.claim_due("w1", 1, LEASE)
    fs_store.fail_permanent(claimed[0], "w1", REJECTED)
    assert assert_board_exact(fs_store)[0][TaskState.DEAD] == 1

    raw.collection("emailQueue").document(claimed[0].id).set(
        {
            "type": "both",
            "bookingNumber": "867964",
            "clientEmail": "dan@example.ro",
            "createdAt": utcnow() - timedelta(minutes=3),
        }
    )
    board = assert_board_matches_with_a_website_document(fs_store)

    assert board[0][TaskState.DEAD] == 0 and board[0][TaskState.PENDING] == 2
