"""The supervisor's task filter, compiled once.

A ``TaskFilter`` says what a person asked for (states, "retrying", a search text, a creation
range). ``compile_filter`` turns it into a ``FilterPlan``: the same request in the few
conditions a store can run (a state set, a creation range, ``attempts > 0``, a folded search
text), and ``RowTest``, the one predicate over a task's filtered facts that the table's
model, the Firestore listing's second pass and ``TaskFilter.matches`` all call. Each store
translates the conditions it can run, mechanically, and checks the others on the rows it
read with ``plan.residual(ran)``, so the backends and the table cannot drift apart.

The plan is a normal form: "retrying" is the pending state plus ``attempts > 0``; every
state is the same as no state condition; and a filter that nothing can match (retrying
among states without pending, a text containing the field separator) becomes an empty
creation range, which every backend already runs without a special case.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from parking_desk.task import NotificationTask, TaskFilter, TaskState

__all__ = [
    "SEPARATOR",
    "Condition",
    "FilterPlan",
    "RowFacts",
    "RowTest",
    "TaskFilter",
    "compile_filter",
    "search_text",
]

# Between the searched fields in a search text: a match never spans two fields, because a
# text with this character in it matches nothing.
SEPARATOR = "\x1f"
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # the empty range [_NEVER, _NEVER)
_EVERY_STATE = frozenset(str(s) for s in TaskState)


def search_text(booking_number: str, client_email: str, error_code: str, error_message: str) -> str:
    """What the search text is looked for in, folded: booking number, recipient, and the
    last error's code and message. A table folds it once per change, not once per query."""
    return SEPARATOR.join((booking_number, client_email, error_code, error_message)).casefold()


class Condition(StrEnum):
    """The parts of a plan, for a store to say which of them it ran."""

    STATES = "states"
    CREATED = "created"
    ATTEMPTS = "attempts"
    TEXT = "text"


class RowFacts(Protocol):
    """A table row (``TaskRow``) as the predicate reads it: times in epoch seconds."""

    @property
    def status(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def created_at(self) -> float | None: ...
    @property
    def booking_number(self) -> str: ...
    @property
    def client_email(self) -> str: ...
    @property
    def error_code(self) -> str: ...
    @property
    def error_message(self) -> str: ...


class RowTest:
    """The filter's predicate over a task's facts: its state, attempts, creation time in
    epoch seconds and search text (``search_text``). ``task`` and ``row`` read those facts
    from a ``NotificationTask`` and a table row; a table that keeps the search text of each
    row calls the instance itself."""

    __slots__ = ("_attempts", "_high", "_low", "_needle", "_ranged", "_states", "everything")

    def __init__(
        self,
        states: frozenset[str] | None,
        low: float | None,
        high: float | None,
        attempts: bool,
        needle: str,
    ) -> None:
        self._states = states
        self._ranged = low is not None or high is not None
        self._low = float("-inf") if low is None else low
        self._high = float("inf") if high is None else high
        self._attempts = attempts
        self._needle = needle
        # Lets a caller skip the per-row call when the answer is always yes.
        self.everything = states is None and not self._ranged and not attempts and not needle

    def __call__(self, status: str, attempts: int, created: float | None, hay: str) -> bool:
        if self._states is not None and status not in self._states:
            return False
        if self._attempts and attempts <= 0:
            return False
        if self._ranged and (created is None or not self._low <= created < self._high):
            return False
        return not self._needle or self._needle in hay

    def task(self, task: NotificationTask) -> bool:
        err = task.last_error
        return self(
            task.status,
            task.attempts,
            task.created_at.timestamp() if task.created_at is not None else None,
            search_text(
                task.booking_number,
                task.client_email,
                err.code if err else "",
                err.message if err else "",
            )
            if self._needle
            else "",
        )

    def select(
        self, ids: list[str], rows: Mapping[str, RowFacts], hay: Mapping[str, str]
    ) -> list[str]:
        """The ids among *ids* whose rows pass, in the same order; always a new list. The
        same test as a call per row, one condition at a time over the whole list: a table
        refilters 100,000 rows in a few milliseconds this way, where a call per row takes
        about four times as long."""
        out = ids
        if self._states is not None:
            states = self._states
            out = [i for i in out if rows[i].status in states]
        if self._attempts:
            out = [i for i in out if rows[i].attempts > 0]
        if self._ranged:
            low, high = self._low, self._high
            out = [
                i
                for i in out
                if (created := rows[i].created_at) is not None and low <= created < high
            ]
        if self._needle:
            needle = self._needle
            out = [i for i in out if needle in hay[i]]
        return list(out) if out is ids else out

    def row(self, row: RowFacts) -> bool:
        hay = (
            search_text(row.booking_number, row.client_email, row.error_code, row.error_message)
            if self._needle
            else ""
        )
        return self(row.status, row.attempts, row.created_at, hay)


@dataclass(frozen=True)
class FilterPlan:
    """A filter as conditions a store can run. Every condition holds for a task it lets
    through; an empty or false one is no condition."""

    states: tuple[str, ...] = ()  # sorted; empty: any state
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    with_attempts: bool = False  # attempts > 0
    needle: str = ""  # folded; looked for in the folded search text

    def residual(self, ran: Collection[Condition] = ()) -> RowTest:
        """The predicate over what a store that ran the conditions *ran* left to check on
        each row it read; with nothing ran, the whole filter."""
        ranged = Condition.CREATED not in ran
        return RowTest(
            frozenset(self.states) if self.states and Condition.STATES not in ran else None,
            self.created_from.timestamp() if ranged and self.created_from else None,
            self.created_to.timestamp() if ranged and self.created_to else None,
            self.with_attempts and Condition.ATTEMPTS not in ran,
            self.needle if Condition.TEXT not in ran else "",
        )

    @property
    def test(self) -> RowTest:
        return _whole(self)


@lru_cache(maxsize=256)
def _whole(plan: FilterPlan) -> RowTest:
    return plan.residual()


@lru_cache(maxsize=256)
def compile_filter(f: TaskFilter) -> FilterPlan:
    states = {str(s) for s in f.states} or set(_EVERY_STATE)
    if f.retrying:  # pending tasks with attempts
        states &= {str(TaskState.PENDING)}
    needle = f.text.casefold()
    if not states or SEPARATOR in needle:
        return FilterPlan(created_from=_NEVER, created_to=_NEVER)
    return FilterPlan(
        states=() if states == _EVERY_STATE else tuple(sorted(states)),
        created_from=f.created_from,
        created_to=f.created_to,
        with_attempts=f.retrying,
        needle=needle,
    )
