"""The queue's health as the kiosk shows it: figures only, never a name, address or plate.

Computed here, without Qt, so the thresholds can be tested on their own and the same
snapshot could feed a CLI or a monitoring endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parking_desk.config import KioskSettings
from parking_desk.services.store.base import QueueStats, Store, WorkerInfo
from parking_desk.task import TaskState
from parking_desk.timeutil import utcnow

STALE_AFTER = timedelta(seconds=60)
SPARK_MINUTES = 60


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class WorkerBeat:
    worker_id: str
    kind: str
    age: timedelta
    stale: bool


@dataclass(frozen=True)
class HealthSnapshot:
    at: datetime
    counts: dict[TaskState, int]
    retrying: int
    oldest_due_age: timedelta | None
    sent_last_hour: int
    sent_today: int
    failure_rate: float | None  # dead / (dead + completed); None before anything finished
    workers: list[WorkerBeat]
    per_minute: list[int]  # sends in each of the last SPARK_MINUTES minutes, oldest first
    light: Light
    reasons: list[str]  # codes of the rules that set the light


def failure_rate(counts: dict[TaskState, int]) -> float | None:
    dead = counts.get(TaskState.DEAD, 0)
    finished = dead + counts.get(TaskState.COMPLETED, 0)
    return dead / finished if finished else None


def traffic_light(
    stats: QueueStats,
    rate: float | None,
    workers: list[WorkerBeat],
    limits: KioskSettings,
) -> tuple[Light, list[str]]:
    """Red if any red threshold is reached, amber if any amber one is; the reasons say which."""
    red: list[str] = []
    amber: list[str] = []
    due_minutes = stats.oldest_due_age.total_seconds() / 60 if stats.oldest_due_age else 0.0
    dead = stats.counts.get(TaskState.DEAD, 0)
    checks = (
        ("oldest_due", due_minutes, limits.amber_oldest_due_minutes, limits.red_oldest_due_minutes),
        ("dead", dead, limits.amber_dead_count, limits.red_dead_count),
        ("failure_rate", rate or 0.0, limits.amber_failure_rate, limits.red_failure_rate),
    )
    for code, value, amber_at, red_at in checks:
        if value >= red_at and red_at > 0:
            red.append(code)
        elif value >= amber_at and amber_at > 0:
            amber.append(code)
    if stats.oldest_due_age is not None and not any(not w.stale for w in workers):
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
    shown = [w for w in workers if w.state == "running"]
    return [
        WorkerBeat(
            w.worker_id, w.kind, now - w.last_heartbeat, now - w.last_heartbeat > STALE_AFTER
        )
        for w in sorted(shown, key=lambda w: w.worker_id)
    ]


def start_of_local_day(now: datetime) -> datetime:
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def collect_health(
    store: Store, limits: KioskSettings, *, now: datetime | None = None
) -> HealthSnapshot:
    """One round of reads; raises ``StoreUnavailable`` when the store cannot be reached."""
    now = now or utcnow()
    store.ping()
    stats = store.queue_stats(now=now)
    today = start_of_local_day(now)
    hour_ago = now - timedelta(hours=1)
    sent = store.sent_since(min(today, hour_ago))
    workers = beats(store.workers(), now)
    rate = failure_rate(stats.counts)
    light, reasons = traffic_light(stats, rate, workers, limits)
    return HealthSnapshot(
        at=now,
        counts=dict(stats.counts),
        retrying=stats.retrying,
        oldest_due_age=stats.oldest_due_age,
        sent_last_hour=sum(1 for at in sent if at >= hour_ago),
        sent_today=sum(1 for at in sent if at >= today),
        failure_rate=rate,
        workers=workers,
        per_minute=per_minute(sent, now),
        light=light,
        reasons=reasons,
    )
