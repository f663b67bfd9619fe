"""The queue's health as the kiosk shows it: figures only, never a name, address or plate.

Computed here, without Qt, so the thresholds can be tested on their own and the same
snapshot could feed a CLI or a monitoring endpoint.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parking_desk.config import KioskSettings
from parking_desk.services.store.base import QueueHealth, QueueStats, WorkerInfo
from parking_desk.site_time import DEFAULT_TIME_ZONE, day_bounds
from parking_desk.site_time import today as site_today
from parking_desk.task import TaskState
from parking_desk.timeutil import utcnow

STALE_AFTER = timedelta(seconds=60)
# A worker that stopped, or went silent, stays on the board this long after its last
# heartbeat: long enough to be noticed on the next shift, not forever.
FORGET_AFTER = timedelta(days=1)
# Failures and sends are compared over this window, so an old bad day no longer colours
# the board and a fresh outage does at once.
RATE_WINDOW = timedelta(hours=1)
SPARK_MINUTES = 60
# What the board shows or colours its light by; the sent and cancelled are left uncounted.
BOARD_STATES = (TaskState.PENDING, TaskState.PROCESSING, TaskState.DEAD, TaskState.BOUNCED)


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class WorkerState(StrEnum):
    """What a worker's heartbeat says it is doing. ``blocked``: it cannot record outcomes
    (the store refuses writes) and has stopped claiming until it can."""

    RUNNING = "running"
    BLOCKED = "blocked"
    STOPPED = "stopped"
    # A desk working from its offline journal: bookings or scans made while it could not
    # reach the store still wait to sync (while the line is down it cannot write even this,
    # and its heartbeat grows old instead). Its engine sends as usual.
    OFFLINE = "offline"


@dataclass(frozen=True)
class WorkerBeat:
    worker_id: str
    kind: str
    age: timedelta
    stale: bool  # silent: running or blocked, and no heartbeat for STALE_AFTER
    state: WorkerState = WorkerState.RUNNING

    @property
    def draining(self) -> bool:
        """Alive and sending."""
        return self.state in (WorkerState.RUNNING, WorkerState.OFFLINE) and not self.stale

    @property
    def blocked(self) -> bool:
        """Alive, and saying it cannot record what it sends."""
        return self.state == WorkerState.BLOCKED and not self.stale


@dataclass(frozen=True)
class HealthSnapshot:
    at: datetime
    # The website's documents without a status are pending. The board's read counts the
    # states it shows (BOARD_STATES); ``queue stats`` (every_state) counts every state.
    counts: dict[TaskState, int]
    retrying: int
    oldest_due_age: timedelta | None
    sent_last_hour: int
    sent_today: int
    failed_last_hour: int
    failure_rate: float | None  # over RATE_WINDOW; None when nothing finished in it
    workers: list[WorkerBeat]
    per_minute: list[int]  # sends in each of the last SPARK_MINUTES minutes, oldest first
    light: Light
    reasons: list[str]  # codes of the rules that set the light, red ones first


def failure_rate(failed: int, sent: int) -> float | None:
    """Failed / finished over the same window; None before anything finished in it."""
    finished = failed + sent
    return failed / finished if finished else None


def traffic_light(
    stats: QueueStats,
    rate: float | None,
    workers: list[WorkerBeat],
    limits: KioskSettings,
) -> tuple[Light, list[str]]:
    """Red if any red threshold is reached, amber if any amber one is; the reasons say which.

    Retrying tasks count on their own: during an SMTP outage every send goes back to
    pending with a later due time, so neither the oldest due task nor the dead count moves
    for a long while, but the retrying count does at the first failed attempt."""
    red: list[str] = []
    amber: list[str] = []
    due_minutes = stats.oldest_due_age.total_seconds() / 60 if stats.oldest_due_age else 0.0
    # A bounced task waits for a supervisor just as a dead one does.
    dead = stats.counts.get(TaskState.DEAD, 0) + stats.counts.get(TaskState.BOUNCED, 0)
    checks = (
        ("oldest_due", due_minutes, limits.amber_oldest_due_minutes, limits.red_oldest_due_minutes),
        ("retrying", stats.retrying, limits.amber_retrying_count, limits.red_retrying_count),
        ("dead", dead, limits.amber_dead_count, limits.red_dead_count),
        ("failure_rate", rate or 0.0, limits.amber_failure_rate, limits.red_failure_rate),
    )
    for code, value, amber_at, red_at in checks:
        if value >= red_at and red_at > 0:
            red.append(code)
        elif value >= amber_at and amber_at > 0:
            amber.append(code)
    draining = any(w.draining for w in workers)
    if any(w.blocked for w in workers):
        # Red when nothing else sends: mail waits until the store takes writes again.
        (amber if draining else red).append("worker_blocked")
    elif stats.oldest_due_age is not None and not draining:
        amber.append("no_worker")  # work is due and nobody is draining it
    if red:
        return Light.RED, red + amber
    if amber:
        return Light.AMBER, amber
    return Light.GREEN, []


def per_minute(sent: list[datetime], now: datetime, minutes: int = SPARK_MINUTES) -> list[int]:
    buckets = [0] * minutes
    for at in sent:
        age = int((now - at).total_seconds() // 60)
        if 0 <= age < minutes:
            buckets[minutes - 1 - age] += 1
    return buckets


def beats(workers: list[WorkerInfo], now: datetime) -> list[WorkerBeat]:
    """The board's workers: those heard from within FORGET_AFTER, whatever their state."""
    shown = []
    for w in sorted(workers, key=lambda w: w.worker_id):
        age = now - w.last_heartbeat
        if age > FORGET_AFTER:
            continue
        try:
            state = WorkerState(w.state)
        except ValueError:
            state = WorkerState.RUNNING  # a newer worker's state: judge it by its heartbeat
        stale = state != WorkerState.STOPPED and age > STALE_AFTER
        shown.append(WorkerBeat(w.worker_id, w.kind, age, stale, state))
    return shown


def start_of_local_day(now: datetime, zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """Midnight of the site's day at *now*, whatever zone the kiosk's machine is set to."""
    return day_bounds(site_today(zone, now), zone)[0].astimezone(now.tzinfo)


def collect_health(
    store: QueueHealth,
    limits: KioskSettings,
    *,
    now: datetime | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
    every_state: bool = False,
) -> HealthSnapshot:
    """One round of reads; raises ``StoreUnavailable`` when the store cannot be reached.
    "Sent today" counts from the site's midnight (*time_zone*: ``desk.time_zone``).

    The board's counts are those of ``BOARD_STATES`` (pending, processing, dead,
    bounced): what it shows and what sets its light, read in fewer scans of the queue
    (``board_figures``). *every_state* (``queue stats``) counts the sent and cancelled
    too, one count per state. After the ping the reads run at once (both stores read from
    any thread): with Firestore 40 ms away the board waits for the slowest of them, not for
    their sum."""
    now = now or utcnow()
    store.ping()
    today = start_of_local_day(now, time_zone)
    window = now - RATE_WINDOW
    with ThreadPoolExecutor(max_workers=5) as pool:
        workers_f = pool.submit(lambda: store.workers(seen_since=now - FORGET_AFTER))
        if every_state:
            stats_f = pool.submit(lambda: store.queue_stats(now=now))
            # The last hour's sends one by one (the sparkline), the day's counted: a busy
            # day's thousands are not read for one figure.
            sent_f = pool.submit(store.sent_since, window)
            today_f = pool.submit(store.sent_count_since, today)
            failed_f = pool.submit(store.failures_since, window)
            stats, sent, sent_today = stats_f.result(), sent_f.result(), today_f.result()
            failed = len(failed_f.result())
        else:
            board = store.board_figures(now=now, today=today, window=window)
            counts = board.live.counts | {
                TaskState.DEAD: board.dead,
                TaskState.BOUNCED: board.bounced,
            }
            stats = QueueStats(counts, board.live.retrying, board.live.oldest_due_age)
            sent, sent_today, failed = board.sent, board.sent_today, len(board.failures)
        workers = beats(workers_f.result(), now)
    sent_last_hour = len(sent)
    rate = failure_rate(failed, sent_last_hour)
    light, reasons = traffic_light(stats, rate, workers, limits)
    return HealthSnapshot(
        at=now,
        counts=dict(stats.counts),
        retrying=stats.retrying,
        oldest_due_age=stats.oldest_due_age,
        sent_last_hour=sent_last_hour,
        sent_today=sent_today,
        failed_last_hour=failed,
        failure_rate=rate,
        workers=workers,
        per_minute=per_minute(sent, now),
        light=light,
        reasons=reasons,
    )
