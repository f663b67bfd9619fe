"""The supervisor's table opened on a desk with no kept rows yet (``cached_rows.ColdOpen``):
the whole queue listed in pages, each shown as it comes, then only what changed since the
listing began; a listing cut short leaves a cache the next opening shows and lists on from.
With no table kept at all, the feed follows every change of the whole queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore
from test_table_cache import LONG_AGO, QUEUE, Table, queue_now, task_doc

from parking_desk.services.store import TaskRowBatch
from parking_desk.services.store.firestore import task_rows
from parking_desk.services.store.firestore.store import FirestoreStore

PROJECT = "parking-desk-test"
PAGE = 5
TASKS = 23  # five pages: 5, 5, 5, 5, 3
WAIT_S = 30.0


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(task_rows, "ROW_PAGE", PAGE)


@pytest.fixture
def open_desk(firestore_db: Any, tmp_path: Path) -> Iterator[Callable[[], FirestoreStore]]:
    opened: list[FirestoreStore] = []

    def open_() -> FirestoreStore:
        store = FirestoreStore(PROJECT)
        store.keep_table_rows(tmp_path / "desk-data")
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


def seed(raw: firestore.Client) -> None:
    batch = raw.batch()
    for i in range(TASKS):
        batch.set(raw.collection(QUEUE).document(f"t{i:03d}"), task_doc(i, "dead"))
    batch.commit()


def website_doc(number: str) -> dict[str, Any]:
    """The website's document: no state, no ``updatedAt``, created long ago (so no range
    of the desk's can see it)."""
    return {
        "type": "email",
        "bookingNumber": number,
        "clientEmail": f"web{number}@example.ro",
        "bookingData": {},
        "createdAt": LONG_AGO,
    }


class ChangingTable(Table):
    """A table that runs *change* once, on the listing's thread, when the first page of
    the listing arrives (the rows of a page, not ``complete``)."""

    def __init__(self, change: Callable[[], None]) -> None:
        super().__init__()
        self._change: Callable[[], None] | None = change
        self.changed = threading.Event()

    def __call__(self, batch: TaskRowBatch) -> None:
        super().__call__(batch)
        if self._change is not None and not batch.complete and batch.rows:
            change, self._change = self._change, None
            change()
            self.changed.set()


class CutShort(Table):
    """A table whose listing stops after two pages: the second page's delivery waits until
    the feed is unsubscribed (the desk closes, or a bulk action begins)."""

    def __init__(self) -> None:
        super().__init__()
        self.second_page = threading.Event()
        self.closed = threading.Event()

    def __call__(self, batch: TaskRowBatch) -> None:
        super().__call__(batch)
        if len(self.rows) >= 2 * PAGE and not self.second_page.is_set():
            self.second_page.set()
            self.closed.wait(WAIT_S)


def cut_short(store: FirestoreStore) -> CutShort:
    table = CutShort()
    sub = store.watch_task_rows(table)
    assert table.second_page.wait(WAIT_S), f"no second page: {table.batches}"
    sub.unsubscribe()
    table.closed.set()
    return table


def completed_with(expected: dict[str, int]) -> Callable[[Table], bool]:
    return lambda t: t.versions() == expected and any(b.complete for b in t.batches)


@pytest.mark.firestore
def test_a_cold_open_shows_the_pages_as_they_come_then_every_row_with_what_changed_meanwhile(
    open_desk: Callable[[], FirestoreStore], raw: firestore.Client
) -> None:
    seed(raw)
    store = open_desk()

    def meanwhile() -> None:  # while the rest of the queue is being listed
        col = raw.collection(QUEUE)
        col.document("t001").update({"status": "pending", "updatedAt": datetime.now(UTC)})
        col.document("t002").delete()
        col.document("a-web").set(website_doc("300001"))  # before every id listed next
        col.document("t020").update({"clientEmail": "later@example.ro"})

    table = ChangingTable(meanwhile)
    sub = store.watch_task_rows(table)
    try:
        assert table.changed.wait(WAIT_S), "no page before the whole queue"
        now = queue_now(raw)
        table.wait(completed_with(now), "every row, as the queue is now")
    finally:
        sub.unsubscribe()

    first = table.batches[0]
    assert not first.complete and 0 < len(first.rows) <= PAGE  # a page, shown as it came
    (whole,) = [b for b in table.batches if b.complete]  # once, with every row
    assert {r.id: r.version for r in whole.rows} == now
    assert table.rows["t001"].status == "pending"
    assert table.rows["a-web"].client_email == "web300001@example.ro"
    assert table.rows["t020"].client_email == "later@example.ro"
    assert "t002" not in table.rows

    again = Table()
    sub = open_desk().watch_task_rows(again)  # the cache the cold open wrote: warm, exact
    try:
        again.wait(lambda t: bool(t.batches), "the rows from the disk")
    finally:
        sub.unsubscribe()
    painted = again.batches[0]
    assert painted.complete and {r.id: r.version for r in painted.rows} == now


@pytest.mark.firestore
def test_a_cold_open_cut_short_leaves_a_cache_the_next_opening_shows_and_lists_on_from(
    open_desk: Callable[[], FirestoreStore], raw: firestore.Client
) -> None:
    seed(raw)
    store = open_desk()
    first = cut_short(store)
    store.close()
    listed = {i: r.version for i, r in first.rows.items()}
    assert len(listed) == 2 * PAGE and not any(b.complete for b in first.batches)

    # While the desk is closed: a listed task deleted, another retried, a website document
    # and a task not listed yet changed.
    col = raw.collection(QUEUE)
    col.document("t001").delete()
    col.document("t003").update({"status": "pending", "updatedAt": datetime.now(UTC)})
    col.document("a-web").set(website_doc("300002"))
    col.document("t015").update({"clientEmail": "later@example.ro"})
    now = queue_now(raw)

    table = Table()
    sub = open_desk().watch_task_rows(table)
    try:
        table.wait(completed_with(now), "every row, as the queue is now")
    finally:
        sub.unsubscribe()
    shown = table.batches[0]  # the rows the cut-short listing kept, from the disk
    assert not shown.complete and {r.id: r.version for r in shown.rows} == listed
    (whole,) = [b for b in table.batches if b.complete]
    assert {r.id: r.version for r in whole.rows} == now
    assert table.rows["t003"].status == "pending" and "t001" not in table.rows

    again = Table()
    sub = open_desk().watch_task_rows(again)
    try:
        again.wait(lambda t: bool(t.batches), "the rows from the disk")
    finally:
        sub.unsubscribe()
    assert again.batches[0].complete
    assert {r.id: r.version for r in again.batches[0].rows} == now


@pytest.mark.firestore
def test_a_table_with_no_cache_kept_follows_every_change_whatever_its_stamp(
    fs_store: FirestoreStore, raw: firestore.Client
) -> None:
    """No table kept (the store's contract, for any reader of the feed): every change is
    reported, a deletion of a task last written long ago and the website's documents
    included, through the listener over the whole queue."""
    seed(raw)
    table = Table()
    sub = fs_store.watch_task_rows(table)
    try:
        table.wait(completed_with(queue_now(raw)), "every row")
        assert fs_store.retry_tasks([("t004", None)], operator="Maria") == 1
        new = {**website_doc("300003"), "createdAt": firestore.SERVER_TIMESTAMP}
        raw.collection(QUEUE).document("web-new").set(new)
        raw.collection(QUEUE).document("t007").delete()  # last written two days ago
        table.wait(lambda t: t.versions() == queue_now(raw), "the changes")
    finally:
        sub.unsubscribe()
    assert [b.complete for b in table.batches].count(True) == 1
    assert table.rows["t004"].status == "pending" and "web-new" in table.rows
    assert "t007" not in table.rows


@pytest.mark.firestore
def test_a_bulk_action_during_a_cold_open_still_leaves_the_table_with_every_row(
    open_desk: Callable[[], FirestoreStore], raw: firestore.Client
) -> None:
    seed(raw)
    store = open_desk()
    cut_short(store)  # the table stops following while the bulk runs
    bulk_began = datetime.now(UTC)
    assert store.retry_tasks([("t020", None)], operator="Maria") == 1

    table = Table()
    sub = store.rows.watch_task_rows_since(table, bulk_began)  # the tab's catch-up
    try:
        now = queue_now(raw)
        table.wait(completed_with(now), "every row, not only those the bulk changed")
    finally:
        sub.unsubscribe()
    assert table.rows["t020"].status == "pending"


@pytest.mark.firestore
def test_the_catch_up_after_a_bulk_retry_of_more_rows_than_a_page_lists_them_all(
    open_desk: Callable[[], FirestoreStore], raw: firestore.Client
) -> None:
    """A bulk retry of more tasks than one listing page (5,000 in the product): the table's
    catch-up lists them page after page, the next page starting after the last one's
    ``updatedAt``, and shows every one retried."""
    seed(raw)
    store = open_desk()
    bulk_began = datetime.now(UTC)
    ids = [f"t{i:03d}" for i in range(3 * PAGE + 2)]
    assert store.retry_tasks([(i, None) for i in ids], operator="Maria") == len(ids)

    table = Table()
    sub = store.rows.watch_task_rows_since(table, bulk_began)
    try:
        table.wait(completed_with(queue_now(raw)), "every row after the bulk's pages")
    finally:
        sub.unsubscribe()
    assert {i for i, row in table.rows.items() if row.status == "pending"} == set(ids)
