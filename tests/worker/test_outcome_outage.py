"""While the store cannot record outcomes, the worker claims and sends nothing; it says so
once in its log and in its heartbeat, resumes once a write lands, and no client receives
an e-mail twice.

``RefusingOutcomes`` is the store as a full disk leaves it for a while: every outcome write
(complete, retry, dead) fails as the SQLite store reports a full disk, until a given number
of them have been refused. Everything else goes through to the real store.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from worker_data import booking

from parking_desk.errors import StoreUnavailable
from parking_desk.services.headless import run_once
from parking_desk.services.runtime import build_worker
from parking_desk.task import TaskState
from parking_desk.timeutil import utcnow

pytestmark = pytest.mark.timeout(120)

STOP_LINE = "claiming and sending stop"
RESUME_LINE = "claiming and sending resume"


class RefusingOutcomes:
    """Passes every call to *inner*, except outcome writes once the disk is full: the
    *fill_at*-th completion fills it, and it is freed after *refusals* refused writes."""

    def __init__(self, inner: Any, smtp: Any, *, fill_at: int, refusals: int) -> None:
        self._inner = inner
        self.kind = inner.kind
        self._smtp = smtp
        self.fill_at, self.refusals = fill_at, refusals
        self.completions = self.refused = 0
        self.full = False
        self.sent_when_full: int | None = None
        self.sent_when_freed: int | None = None
        self.claims_while_full = 0
        self.states_while_full: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _outcome(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.full:
            self.refused += 1
            if self.refused >= self.refusals:
                self.full = False
                self.sent_when_freed = len(self._smtp.messages)
            raise StoreUnavailable("write to store.db failed: database or disk is full")
        return getattr(self._inner, name)(*args, **kwargs)

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        self.completions += 1
        if self.completions == self.fill_at:
            self.full = True
            self.sent_when_full = len(self._smtp.messages)
        return self._outcome("complete", *args, **kwargs)

    def fail_transient(self, *args: Any, **kwargs: Any) -> Any:
        return self._outcome("fail_transient", *args, **kwargs)

    def fail_permanent(self, *args: Any, **kwargs: Any) -> Any:
        return self._outcome("fail_permanent", *args, **kwargs)

    def claim_due(self, *args: Any, **kwargs: Any) -> Any:
        if self.full:
            self.claims_while_full += 1
        return self._inner.claim_due(*args, **kwargs)

    def heartbeat(self, info: Any) -> None:
        if self.full:
            self.states_while_full.append(info.state)
        self._inner.heartbeat(info)


def recipients(smtp: Any) -> Counter[str]:
    return Counter(a.addr_spec for m in smtp.messages for a in m["To"].addresses)


def lines_with(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def test_no_claim_or_send_while_outcomes_cannot_be_recorded(store, smtp, make_settings, caplog):
    caplog.set_level(logging.INFO)
    made = [store.create_booking(booking(email=f"c{i}@client.example"))[1] for i in range(8)]
    settings = make_settings(smtp, lease_s=30.0, send_parallelism=1, batch_size=50)
    full_disk = RefusingOutcomes(store, smtp, fill_at=3, refusals=6)
    out: list[str] = []

    assert run_once(settings, full_disk, out=out.append) == 0, out
    assert run_once(settings, full_disk, out=out.append) == 0, out  # nothing left to send

    assert full_disk.sent_when_full == 3 and full_disk.refused == 6
    assert full_disk.sent_when_freed == 3  # nothing was sent while the disk was full
    assert full_disk.claims_while_full == 0
    assert "blocked" in full_disk.states_while_full  # the heartbeat said so
    received = recipients(smtp)
    assert received == Counter(f"c{i}@client.example" for i in range(8))  # each exactly once
    assert {store.get_task(t.id).status for t in made} == {TaskState.COMPLETED}
    assert len(lines_with(caplog, STOP_LINE)) == 1
    assert len(lines_with(caplog, RESUME_LINE)) == 1
    assert {w.state for w in store.workers()} == {"running"}


def test_an_outcome_that_raises_is_logged_and_its_email_not_sent_again(
    store, smtp, make_settings, caplog
):
    """A write that fails with something other than the store being unavailable (a
    document id the store cannot take, a bug) must not vanish inside a sending thread."""
    caplog.set_level(logging.INFO)
    _saved, task = store.create_booking(booking(email="ana@client.example"))
    settings = make_settings(smtp, lease_s=30.0, send_parallelism=1)
    raising = RaisingComplete(store, task.id)
    worker, _engine = build_worker(settings, raising, "worker")
    start = utcnow()

    first = worker.drain_once(now=start)
    # Claimed again after the lease expired: recorded, not sent again.
    second = worker.drain_once(now=start + timedelta(seconds=31))
    raising.broken = False
    third = worker.drain_once(now=start + timedelta(seconds=62))

    assert (first.claimed, first.unrecorded, first.completed) == (1, 1, 0)
    assert (second.claimed, second.unrecorded, second.completed) == (1, 1, 0)
    assert (third.claimed, third.completed) == (1, 1)
    assert recipients(smtp) == Counter({"ana@client.example": 1})
    assert store.get_task(task.id).status == TaskState.COMPLETED
    logged = lines_with(caplog, "recording its outcome failed")
    assert len(logged) == 2 and all(task.id in line for line in logged)
    assert not lines_with(caplog, STOP_LINE)  # one task's problem does not stop the worker


class RaisingComplete:
    def __init__(self, inner: Any, task_id: str) -> None:
        self._inner = inner
        self.kind = inner.kind
        self.task_id = task_id
        self.broken = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def complete(self, task: Any, *args: Any, **kwargs: Any) -> Any:
        if self.broken and task.id == self.task_id:
            raise ValueError("A document must have an even number of path elements")
        return self._inner.complete(task, *args, **kwargs)
