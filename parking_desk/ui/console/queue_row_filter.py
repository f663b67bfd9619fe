"""The queue filter as the model applies it: one row at a time for a live change, and over
every id at once for a refilter. Both are the domain's compiled filter
(``parking_desk.task_filter``), given the row's search text the model folded once per
change."""

from __future__ import annotations

from parking_desk.services.store.base import TaskRow
from parking_desk.task import TaskFilter
from parking_desk.task_filter import compile_filter


def accepts(f: TaskFilter, row: TaskRow, hay: str) -> bool:
    return compile_filter(f).test(row.status, row.attempts, row.created_at, hay)


def filtered(
    f: TaskFilter, ids: list[str], rows: dict[str, TaskRow], hay: dict[str, str]
) -> list[str]:
    """The ids among *ids* that *f* lets through, in the same order; always a new list."""
    return compile_filter(f).test.select(ids, rows, hay)
