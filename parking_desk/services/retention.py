"""How long the site keeps personal data, the purge that applies it, and "Erase this client".

The periods are the site's, not one machine's: once an admin has set them they live in the
store (``siteSettings/retention``) and every desk and worker applies those, whatever its own
settings file says. Left to each machine, the shortest period on any of them would decide
for everybody (the first machine to purge deletes for the whole site), and lengthening a
period would take effect only once every machine was changed. A machine's ``[retention]``
settings are the figures until an admin sets the site's; a machine whose figures differ
from the site's says so in its log.

The purge runs once a day for the whole site: the store records whose turn it was
(``claim_purge``), so ten desks and two workers do not each purge, and ``worker --once``
run by cron every minute purges only when a day has passed.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from parking_desk.config import Settings, check_retention
from parking_desk.config_errors import SettingError
from parking_desk.errors import NotFound
from parking_desk.services.mail.outbox import erase_from_outbox, purge_outbox
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.store.base import Erasure, Housekeeping, PersonalData
from parking_desk.settings_model import RetentionSettings
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(days=1)
# Who the booking's history names for an anonymisation nobody asked for by hand.
RETENTION_OPERATOR = "retention"
FIGURES = tuple(f.name for f in dataclasses.fields(RetentionSettings))


class RetentionStore(PersonalData, Housekeeping, Protocol):
    """What the purge needs of a store."""


class ErasureStore(PersonalData, Protocol):
    """What "Erase this client" needs of a store."""

    def get_booking(self, number: str) -> Any: ...


@dataclass(frozen=True)
class PurgeReport:
    anonymised: int
    tasks: int
    outbox_files: int


@dataclass(frozen=True)
class ErasureReport:
    bookings: list[str]
    tasks: int
    outbox_files: int
    audit_id: str


def figures_of(doc: dict[str, Any] | None) -> RetentionSettings | None:
    """The site's figures as stored, or None when none are (or they do not read)."""
    if not doc:
        return None
    try:
        figures = RetentionSettings(**{k: int(doc[k]) for k in FIGURES if k in doc})
        if any(getattr(figures, k) < 0 for k in FIGURES):
            raise ValueError("a negative period")
        check_retention(figures)
    except (TypeError, ValueError, SettingError) as exc:
        log.warning("The site's retention figures do not read (%s); using this machine's", exc)
        return None
    return figures


def site_retention(store: PersonalData, local: RetentionSettings) -> RetentionSettings:
    """The figures every machine of the site applies: the store's, else this machine's."""
    figures = figures_of(store.site_retention())
    if figures is None:
        return local
    if figures != local:
        log.warning(
            "This machine's [retention] settings differ from the site's; the site's apply: %s",
            ", ".join(f"{k} {getattr(figures, k)}" for k in FIGURES),
        )
    return figures


def set_site_retention(
    store: PersonalData,
    session: RoleSession,
    figures: RetentionSettings,
    *,
    now: datetime | None = None,
) -> None:
    """An admin sets the site's periods for every machine; audited. ``SettingError`` when
    a copy of the client's details would outlive the booking's own anonymisation."""
    session.require(Role.ADMIN)
    check_retention(figures)
    store.set_site_retention(dataclasses.asdict(figures), operator=session.operator_name(), now=now)


def _days(days: int) -> timedelta | None:
    return timedelta(days=days) if days else None


def purge(store: RetentionStore, settings: Settings, *, now: datetime | None = None) -> PurgeReport:
    """Apply the site's periods now: anonymise departed bookings, delete finished and dead
    tasks, delete old outbox messages."""
    now = now or utcnow()
    figures = site_retention(store, settings.retention)
    anonymised: list[str] = []
    if figures.anonymise_after_days:
        before = now - timedelta(days=figures.anonymise_after_days)
        anonymised = store.anonymise_departed(before, operator=RETENTION_OPERATOR, now=now)
    tasks = store.purge_finished(
        _days(figures.finished_tasks_days),
        dead_older_than=_days(figures.dead_tasks_days),
        now=now,
    )
    files = 0
    if figures.outbox_days:
        files = purge_outbox(
            Path(settings.mail.outbox_dir), timedelta(days=figures.outbox_days), now
        )
    report = PurgeReport(len(anonymised), tasks, files)
    if anonymised or tasks or files:
        log.info(
            "Retention: %d booking(s) anonymised, %d task(s) and %d outbox file(s) deleted",
            report.anonymised,
            report.tasks,
            report.outbox_files,
        )
    return report


def purge_if_due(
    store: RetentionStore,
    settings: Settings,
    *,
    now: datetime | None = None,
    every: timedelta = PURGE_EVERY,
) -> PurgeReport | None:
    """Purge when the site's last purge is *every* old (on any machine); None otherwise."""
    now = now or utcnow()
    if not store.claim_purge(now - every, now=now):
        return None
    return purge(store, settings, now=now)


def erase_client(
    store: ErasureStore,
    session: RoleSession,
    number: str,
    *,
    outbox_dir: Path,
    now: datetime | None = None,
) -> ErasureReport:
    """A supervisor's "Erase this client", from one of their bookings: the person's data
    leaves that booking and every other booking with their e-mail address, their tasks,
    the audit log and this machine's outbox folder. The audit entry names the booking
    numbers and the supervisor, never the data."""
    session.require(Role.SUPERVISOR)
    operator = session.operator_name()
    booking = store.get_booking(number)
    if booking is None:
        raise NotFound(number=number)
    emails = [booking.client_email] if booking.client_email else []
    erased: Erasure = store.erase_client([number], emails, operator=operator, now=now)
    files = erase_from_outbox(Path(outbox_dir), erased.traces, erased.task_ids)
    log.info(
        "Client erased by %s from booking(s) %s: %d task(s), %d outbox file(s)",
        operator,
        ", ".join(erased.bookings),
        len(erased.task_ids),
        files,
    )
    return ErasureReport(erased.bookings, len(erased.task_ids), files, erased.audit_id)
