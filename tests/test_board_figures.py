"""The board's live figures counted from the listed unfinished tasks (the rule both stores use)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parking_desk.board_figures import LiveTask, board_task, board_totals, live_counts
from parking_desk.task import TaskState

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def pending(attempts: int = 0, due: datetime | None = NOW, created: datetime | None = NOW):
    return LiveTask(TaskState.PENDING, attempts, due, created)


def test_only_due_pending_tasks_age_the_board_and_retried_ones_count_as_retrying() -> None:
    tasks = [
        pending(due=NOW - 5 * MIN),
        pending(attempts=2, due=NOW + 30 * MIN),  # retrying, not due yet
        pending(attempts=1, due=NOW - 2 * MIN),
        LiveTask(TaskState.PROCESSING, 1, None, NOW - 60 * MIN),  # being sent: no age
    ]

    figures = live_counts(tasks, now=NOW)

    assert figures.counts == {TaskState.PENDING: 3, TaskState.PROCESSING: 1}
    assert figures.retrying == 2
    assert figures.oldest_due_age == 5 * MIN


def test_nothing_due_has_no_age_and_a_clock_ahead_is_no_negative_wait() -> None:
    assert live_counts([pending(due=NOW + MIN)], now=NOW).oldest_due_age is None
    assert live_counts([], now=NOW).oldest_due_age is None
    ahead = pending(due=None, created=NOW + MIN)  # written by a machine whose clock runs ahead
    assert live_counts([ahead], now=NOW).oldest_due_age == timedelta(0)


def test_a_task_without_a_next_attempt_is_due_since_it_was_created() -> None:
    figures = live_counts([pending(due=None, created=NOW - 7 * MIN)], now=NOW)
    assert figures.oldest_due_age == 7 * MIN
    assert live_counts([pending(due=None, created=None)], now=NOW).oldest_due_age == timedelta(0)


def test_website_documents_without_a_state_are_pending_due_and_never_retried() -> None:
    figures = live_counts([pending(due=NOW - 3 * MIN)], now=NOW, unstated=2, unstated_age=40 * MIN)
    assert figures.counts[TaskState.PENDING] == 3
    assert figures.retrying == 0
    assert figures.oldest_due_age == 40 * MIN
    # Waiting less than the oldest listed task: the listed one is the oldest.
    younger = live_counts([pending(due=NOW - 3 * MIN)], now=NOW, unstated=1, unstated_age=MIN)
    assert younger.oldest_due_age == 3 * MIN
    # Alone, and undated: due now.
    assert live_counts([], now=NOW, unstated=1).oldest_due_age == timedelta(0)


def test_the_whole_boards_figures_from_every_task_by_state() -> None:
    today, window = NOW - 9 * 60 * MIN, NOW - 60 * MIN
    tasks = [
        board_task(TaskState.PENDING, next_attempt_at=NOW - 4 * MIN, created_at=NOW - 9 * MIN),
        board_task(TaskState.PENDING, attempts=2, next_attempt_at=NOW + 30 * MIN),
        board_task(TaskState.PROCESSING, attempts=1),
        board_task(TaskState.COMPLETED, completed_at=NOW - 5 * MIN),  # this hour
        board_task(TaskState.COMPLETED, completed_at=NOW - 3 * 60 * MIN),  # today, not this hour
        board_task(TaskState.COMPLETED, completed_at=NOW - 20 * 60 * MIN),  # yesterday
        board_task(TaskState.DEAD, updated_at=NOW - 10 * MIN),  # failed this hour
        board_task(TaskState.DEAD, updated_at=NOW - 2 * 60 * MIN),
        board_task(TaskState.BOUNCED, completed_at=NOW - 7 * MIN),  # no longer counted sent
        board_task(TaskState.CANCELLED),
        board_task(None, created_at=NOW - 12 * MIN),  # the website's, no state yet
    ]

    totals = board_totals(tasks, now=NOW, today=today, window=window)

    assert totals.live.counts == {TaskState.PENDING: 3, TaskState.PROCESSING: 1}
    assert totals.live.retrying == 1
    assert totals.live.oldest_due_age == 12 * MIN  # the website's document, since written
    assert (totals.dead, totals.bounced) == (2, 1)
    assert totals.failures == [NOW - 10 * MIN]
    assert totals.sent == [NOW - 5 * MIN]
    assert totals.sent_today == 2


def test_a_pending_tasks_creation_only_matters_while_it_has_no_due_time() -> None:
    due = board_task(TaskState.PENDING, next_attempt_at=NOW + MIN, created_at=NOW - 60 * MIN)
    undated = board_task(TaskState.PENDING, created_at=NOW - 6 * MIN)
    totals = board_totals([due, undated], now=NOW, today=NOW, window=NOW)
    assert totals.live.oldest_due_age == 6 * MIN
    assert board_totals([due], now=NOW, today=NOW, window=NOW).live.oldest_due_age is None
