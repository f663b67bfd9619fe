"""The board's live figures counted from the listed unfinished tasks (the rule both stores use)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parking_desk.board_figures import LiveTask, live_counts
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
