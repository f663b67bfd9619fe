"""The queue as plain text for ``parking-desk queue stats`` and ``queue list``.

Fixed-width columns so the output reads in a terminal and still greps; times in UTC ISO
form because a server's operator may sit in any time zone. ``queue stats`` shows the same
snapshot, light and reasons as the kiosk (``queue_health``), so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from parking_desk.services.queue_health import HealthSnapshot
from parking_desk.task import NotificationTask, TaskState


def _stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def stats_lines(snap: HealthSnapshot) -> list[str]:
    lines = [f"{state!s:<11} {snap.counts.get(state, 0):>7}" for state in TaskState]
    lines.append(f"{'retrying':<11} {snap.retrying:>7}")
    if snap.oldest_due_age is None:
        lines.append("oldest due  -")
    else:
        lines.append(f"oldest due  {int(snap.oldest_due_age.total_seconds())} s")
    lines.append(f"{'sent 1 h':<11} {snap.sent_last_hour:>7}")
    lines.append(f"{'failed 1 h':<11} {snap.failed_last_hour:>7}")
    rate = "-" if snap.failure_rate is None else f"{snap.failure_rate:.0%}"
    lines.append(f"{'fail rate':<11} {rate:>7}")
    for w in snap.workers:
        state = "silent" if w.stale else str(w.state)
        lines.append(f"worker      {w.worker_id} {w.kind} {state} {int(w.age.total_seconds())} s")
    reasons = f" ({', '.join(snap.reasons)})" if snap.reasons else ""
    lines.append(f"health      {snap.light}{reasons}")
    return lines


def task_lines(tasks: Iterable[NotificationTask]) -> list[str]:
    header = f"{'ID':<22} {'STATE':<10} {'TRIES':>5} {'BOOKING':<10} {'RECIPIENT':<30} WHEN / ERROR"
    lines = [header]
    for t in tasks:
        when = t.completed_at if t.status == TaskState.COMPLETED else t.next_attempt_at
        error = f"{t.last_error.code}: {t.last_error.message}" if t.last_error else ""
        tries = f"{t.attempts}/{t.max_attempts}"
        lines.append(
            f"{t.id[:22]:<22} {t.status!s:<10} {tries:>5} {t.booking_number[:10]:<10} "
            f"{t.client_email[:30]:<30} {_stamp(when)} {error[:120]}".rstrip()
        )
    if len(lines) == 1:
        lines.append("(no tasks)")
    return lines
