"""The supervisor's filter means one thing everywhere: for any set of tasks and any filter,
the domain's predicate, the console table's row filter, the SQLite listing and the Firestore
listing pick the same tasks.

The tasks are written as queue documents, as the website or another desk would leave them,
and the expected answer is the predicate over the domain's own reading of each document.
Field values come from a small alphabet (cases, Romanian diacritics, ``ß``/``ẞ``, ``İ``,
the field separator) so that generated search texts often hit, miss by case, or straddle
two fields; creation times and range bounds fall on each other often enough to test
``>=`` against ``<``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parking_desk.services.store import Store
from parking_desk.services.store.base import TaskRow
from parking_desk.task import LastError, NotificationTask, TaskFilter, TaskState, TaskType
from parking_desk.task_filter import SEPARATOR, compile_filter, search_text
from parking_desk.ui.console.queue_columns import search_text as table_search_text
from parking_desk.ui.console.queue_row_filter import accepts, filtered

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
PROJECT = "parking-desk-test"

LETTERS = "aAsSșȘßẞİi1@.-_ "
words = st.text(alphabet=LETTERS.strip(), min_size=1, max_size=5)
moments = st.builds(
    lambda s, us: T0 + timedelta(seconds=s, microseconds=us),
    st.integers(0, 5),
    st.sampled_from([0, 1, 999_999]),
)


@st.composite
def tasks(draw: st.DrawFn, index: int) -> NotificationTask:
    status = draw(st.sampled_from(list(TaskState)))
    created = draw(moments)
    error = None
    if draw(st.booleans()):
        error = LastError(
            draw(st.text(alphabet="smtp.54" + SEPARATOR, max_size=6)),
            draw(st.text(alphabet=LETTERS + SEPARATOR, max_size=10)),
            draw(st.booleans()),
        )
    return NotificationTask(
        id=f"task-{index:02d}",
        type=TaskType.BOTH,
        booking_number=draw(words),
        client_email=f"{draw(words).replace(' ', '')}@{draw(words).replace(' ', '')}.ro",
        booking_data={"clientName": "Ana", "language": "ro"},
        status=status,
        attempts=draw(st.integers(0, 2)),
        next_attempt_at=created if status == TaskState.PENDING else None,
        lease_owner="w1" if status == TaskState.PROCESSING else None,
        lease_expires_at=created + timedelta(minutes=5) if status == TaskState.PROCESSING else None,
        last_error=error,
        created_at=created,
        updated_at=created,
    )


@st.composite
def task_sets(draw: st.DrawFn) -> list[NotificationTask]:
    count = draw(st.integers(0, 10))
    return [draw(tasks(i)) for i in range(count)]


def _swap_case(text: str, flips: list[bool]) -> str:
    flips = (flips + [False] * len(text))[: len(text)]
    return "".join(c.swapcase() if f else c for c, f in zip(text, flips, strict=True))


@st.composite
def filters(draw: st.DrawFn, known: list[NotificationTask]) -> TaskFilter:
    """A filter as a supervisor sets one, its text and bounds often taken from the tasks."""
    fields = [
        part
        for t in known
        for part in (
            t.booking_number,
            t.client_email,
            t.last_error.code if t.last_error else "",
            t.last_error.message if t.last_error else "",
        )
    ]
    hay = SEPARATOR.join(fields)
    text = ""
    choice = draw(st.sampled_from(["none", "piece", "free"]))
    if choice == "piece" and hay:
        start = draw(st.integers(0, len(hay) - 1))
        piece = hay[start : start + draw(st.integers(1, 6))]
        text = _swap_case(piece, draw(st.lists(st.booleans(), max_size=6)))
    elif choice == "free":
        text = draw(st.text(alphabet=LETTERS + SEPARATOR, max_size=4))
    times = [t.created_at for t in known if t.created_at is not None]
    bound = st.one_of(st.none(), moments, st.sampled_from(times) if times else st.none())
    return TaskFilter(
        states=frozenset(draw(st.sets(st.sampled_from(list(TaskState)), max_size=3))),
        retrying=draw(st.booleans()),
        text=text,
        created_from=draw(bound),
        created_to=draw(bound),
    )


def _expected(written: list[NotificationTask], f: TaskFilter) -> tuple[set[str], list[Any]]:
    """The ids the domain's predicate picks, over the domain's reading of each document;
    and those readings."""
    read = [NotificationTask.from_document(t.id, t.to_document()) for t in written]
    return {t.id for t in read if f.matches(t)}, read


def _check_in_memory(read: list[NotificationTask], f: TaskFilter, want: set[str]) -> None:
    plan = compile_filter(f)
    rows = {t.id: TaskRow.of(t) for t in read}
    hay = {i: table_search_text(r) for i, r in rows.items()}
    ids = sorted(rows)
    assert {i for i, r in rows.items() if plan.test.row(r)} == want
    assert {i for i in ids if accepts(f, rows[i], hay[i])} == want
    assert set(filtered(f, ids, rows, hay)) == want
    assert filtered(f, ids, rows, hay) == [i for i in ids if i in want]  # order kept
    for i, r in rows.items():  # the table's folded text is the domain's
        fields = (r.booking_number, r.client_email, r.error_code, r.error_message)
        assert hay[i] == search_text(*fields)


def _listed(store: Store, f: TaskFilter) -> tuple[list[str], list[str]]:
    return [t.id for t in store.list_tasks(f)], [r.id for r in store.list_task_rows(f)]


def _check_store(store: Store, f: TaskFilter, want: set[str]) -> None:
    tasks_ids, row_ids = _listed(store, f)
    assert sorted(tasks_ids) == sorted(want), "list_tasks"
    assert sorted(row_ids) == sorted(want), "list_task_rows"


@contextmanager
def _sqlite() -> Iterator[Store]:
    from parking_desk.services.store.sqlite.store import SqliteStore

    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "store.db", poll_interval=0.05)
        try:
            yield store
        finally:
            store.close()


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_predicate_the_table_and_sqlite_pick_the_same_tasks(data: st.DataObject) -> None:
    written = data.draw(task_sets(), label="tasks")
    f = data.draw(filters(written), label="filter")
    want, read = _expected(written, f)
    _check_in_memory(read, f, want)
    with _sqlite() as store:
        for t in written:
            store.import_raw_task(t.id, t.to_document())
        _check_store(store, f, want)


@pytest.mark.firestore
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_firestore_listing_picks_the_same_tasks(
    firestore_emulator: Any, data: st.DataObject
) -> None:
    from parking_desk.services.store import open_firestore

    written = data.draw(task_sets(), label="tasks")
    f = data.draw(filters(written), label="filter")
    want, _ = _expected(written, f)
    firestore_emulator.reset()
    store = open_firestore(PROJECT)
    try:
        for t in written:
            store.import_raw_task(t.id, t.to_document())
        _check_store(store, f, want)
    finally:
        store.close()


# --- what the plan tells the stores ------------------------------------------------------


def test_retrying_is_the_pending_state_with_attempts() -> None:
    plan = compile_filter(TaskFilter(retrying=True))
    assert plan.states == ("pending",)
    assert plan.with_attempts
    both = compile_filter(
        TaskFilter(states=frozenset({TaskState.PENDING, TaskState.DEAD}), retrying=True)
    )
    assert both.states == ("pending",)


def test_every_state_is_no_state_condition() -> None:
    """So Firestore lists the website's documents without a state under "all states"."""
    assert compile_filter(TaskFilter(states=frozenset(TaskState))).states == ()


@pytest.mark.parametrize(
    "impossible",
    [
        TaskFilter(states=frozenset({TaskState.DEAD}), retrying=True),
        TaskFilter(text=f"a{SEPARATOR}b"),
    ],
)
def test_a_filter_nothing_matches_becomes_an_empty_creation_range(impossible: TaskFilter) -> None:
    plan = compile_filter(impossible)
    assert plan.states == ()
    assert plan.created_from is not None and plan.created_from == plan.created_to


def test_firestore_leaves_attempts_and_text_to_the_predicate() -> None:
    from parking_desk.services.store.firestore.filter import FIRESTORE_RUNS

    plan = compile_filter(
        TaskFilter(
            states=frozenset({TaskState.PENDING}),
            retrying=True,
            text="Timed",
            created_from=T0,
            created_to=T0 + timedelta(days=1),
        )
    )
    rest = plan.residual(FIRESTORE_RUNS)
    created = (T0 - timedelta(days=3)).timestamp()  # outside the range: the query ran it
    assert rest("dead", 1, created, "smtp timed out")  # and the state
    assert not rest("dead", 0, created, "smtp timed out")
    assert not rest("pending", 1, created, "refused")
    assert plan.residual().everything is False
    assert compile_filter(TaskFilter()).test.everything
