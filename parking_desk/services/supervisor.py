"""Supervisor actions on the queue: retry, cancel, fix the recipient and resend.

Every action checks the role here, not only in the GUI, so a staff desk that somehow reaches
a button still gets ``PermissionDenied``. Bulk work goes to the store in batches: one call
per batch keeps each commit (and each audit entry) bounded, lets the caller show progress,
and gives a cancel button somewhere to take effect between batches.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Event
from typing import Any

from parking_desk.booking_rules import checked_email
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.store.base import QueueAdmin, TaskRow
from parking_desk.services.store.bounces import SuppressionList
from parking_desk.services.suppressions import clear_if_same
from parking_desk.task import NotificationTask, TaskFilter
from parking_desk.task_rules import RETRYABLE
from parking_desk.timeutil import utcnow

BATCH_SIZE = 500

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class BulkResult:
    requested: int  # how many ids were meant to be handled
    submitted: int  # how many of them were sent to the store before a stop
    changed: int  # how many the store actually changed
    cancelled: bool


def mask_email(email: str) -> str:
    """What staff see instead of a client's address: enough to recognise, not to copy."""
    local, sep, domain = (email or "").partition("@")
    if not sep:
        return f"{local[:1]}***" if local else ""
    return f"{local[:1]}***@{domain}"


class SupervisorService:
    def __init__(
        self,
        store: QueueAdmin,
        session: RoleSession,
        *,
        batch_size: int = BATCH_SIZE,
        suppressions: SuppressionList | None = None,
    ):
        """*suppressions*, when given, lets a fix to the same address lift its suppression."""
        self.store = store
        self.session = session
        self.batch_size = max(1, batch_size)
        self.suppressions = suppressions

    def _operator(self) -> str:
        self.session.require(Role.SUPERVISOR)
        return self.session.operator_name()

    # --- choosing what to act on -----------------------------------------------------------
    def retry_candidates(self, filter: TaskFilter) -> list[TaskRow]:
        """The rows the filter matches that a retry would change, so the confirmation's count
        is the number that will actually move. Rows, not whole tasks: listing 10,000 tasks
        reads their table fields only, and each row's version lets the retry skip a task
        that changed after it was counted."""
        self.session.require(Role.SUPERVISOR)
        return [r for r in self.store.list_task_rows(filter) if r.status in RETRYABLE]

    # --- actions ----------------------------------------------------------------------------
    def retry_one(self, task_id: str, *, now: datetime | None = None) -> int:
        return self.store.retry_tasks([(task_id, None)], operator=self._operator(), now=now)

    def retry(
        self,
        ids: Sequence[str],
        *,
        filter: TaskFilter | None = None,
        progress: Progress | None = None,
        stop: Event | None = None,
        now: datetime | None = None,
    ) -> BulkResult:
        """Retry *ids* batch by batch, whatever version each is at; *filter*, when the ids came
        from one, is audited too. The whole run is one audit entry."""
        unique = list(dict.fromkeys(ids))
        run = uuid.uuid4().hex[:20]

        def call(batch: list[str], operator: str) -> int:
            return self.store.retry_tasks(
                [(i, None) for i in batch],
                operator=operator,
                audit_id=run,
                filter=filter,
                requested=len(unique),
                now=now,
            )

        return self._in_batches(unique, call, progress, stop)

    def retry_matching(
        self,
        filter: TaskFilter,
        *,
        progress: Progress | None = None,
        stop: Event | None = None,
        now: datetime | None = None,
    ) -> BulkResult:
        rows = self.retry_candidates(filter)
        return self.retry_listed(rows, filter=filter, progress=progress, stop=stop, now=now)

    def retry_listed(
        self,
        rows: Sequence[TaskRow],
        *,
        filter: TaskFilter | None = None,
        progress: Progress | None = None,
        stop: Event | None = None,
        now: datetime | None = None,
    ) -> BulkResult:
        """Retry the listed rows batch by batch, each only if still at its listed version
        (a task a worker or another desk touched since is skipped, not overwritten). The
        whole run is one audit entry, with the filter and the count, grown batch by batch."""
        listed = list({r.id: (r.id, r.version) for r in rows}.values())
        run = uuid.uuid4().hex[:20]
        now = now or utcnow()

        def call(batch: list[tuple[str, int]], operator: str) -> int:
            return self.store.retry_tasks(
                list(batch),
                operator=operator,
                audit_id=run,
                filter=filter,
                requested=len(listed),
                now=now,
            )

        return self._in_batches(listed, call, progress, stop)

    def cancel(
        self,
        ids: Sequence[str],
        *,
        progress: Progress | None = None,
        stop: Event | None = None,
        now: datetime | None = None,
    ) -> BulkResult:
        def call(batch: list[str], operator: str) -> int:
            return self.store.cancel_tasks(batch, operator=operator, now=now)

        return self._in_batches(ids, call, progress, stop)

    def fix_recipient(
        self, task_id: str, email: str, *, now: datetime | None = None
    ) -> NotificationTask:
        """Correct the address on the task and its booking, and send again at once.

        Given the address the task already had, the supervisor vouches for it: a suppression
        of that address is cleared first (audited), or the worker would refuse it again."""
        operator = self._operator()
        address = checked_email(email)
        if self.suppressions is not None:
            task = self.store.get_task(task_id)
            if task is not None:
                clear_if_same(self.suppressions, task.client_email, address, operator, now=now)
        return self.store.update_recipient(task_id, address, operator=operator, now=now)

    def _in_batches(
        self,
        ids: Sequence[Any],
        call: Callable[[list[Any], str], int],
        progress: Progress | None,
        stop: Event | None,
    ) -> BulkResult:
        unique = list(dict.fromkeys(ids))
        total, done, changed = len(unique), 0, 0
        self._operator()
        if progress:
            progress(0, total)
        for start in range(0, total, self.batch_size):
            if stop is not None and stop.is_set():
                return BulkResult(total, done, changed, cancelled=True)
            # Checked again for every batch: a long run must stop if the desk relocks.
            operator = self._operator()
            batch = unique[start : start + self.batch_size]
            changed += call(batch, operator)
            done += len(batch)
            if progress:
                progress(done, total)
        return BulkResult(total, done, changed, cancelled=False)
