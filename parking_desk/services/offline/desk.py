"""The desk's store when its Firestore may drop: the desk's role (``BookingStore``) over the
Firestore store, carrying on from the journal while the store cannot be reached.

Online, every call goes to the store as before, and the bookings it returns are kept in the
journal's copy for offline look-ups. Offline (the sync thread's probe failed, or a call just
raised ``StoreUnavailable``), a walk-in is numbered from this desk's block and journalled,
and a check-in or check-out applies the domain's rules to the desk's copy of the booking and
is journalled: both answer in milliseconds, never after a network timeout. A booking with
journalled changes still waiting keeps going through the journal even once the line is back,
so its changes reach the store in the order they were made.

Anything else the desk's screens ask for (the queue's figures, amendments, resends) fails
at once while offline, saying so, instead of after the client library's retries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from parking_desk import booking_rules, offline_rules
from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import NotFound, StoreUnavailable
from parking_desk.offline_rules import Conflict, NumberBlock
from parking_desk.services.offline.journal import Entry, EntryState, Journal, Waiting
from parking_desk.services.offline.sync import Syncer
from parking_desk.services.store.base import BookingQuery, WorkerInfo
from parking_desk.task import NotificationTask, TaskType
from parking_desk.timeutil import utcnow
from parking_desk.validation import normalise_plate

log = logging.getLogger(__name__)

SCANS = frozenset({BookingStatus.CHECKED_IN, BookingStatus.CHECKED_OUT})
# Calls of the desk's screens that only read or change what is in the store: offline they
# fail at once. The engine's calls (claims, outcomes) go to the store unchanged.
FAIL_FAST = frozenset(
    {
        "queue_stats",
        "board_figures",
        "sent_since",
        "failures_since",
        "workers",
        "list_tasks",
        "list_task_rows",
        "get_task",
        "audit_log",
        "retry_now",
        "retry_listed",
        "cancel_tasks",
        "update_recipient",
        "record_audit",
        "revoke_signing_key",
    }
)


class OfflineReplay(Protocol):
    """What the journal needs from the store it replays into (``firestore/offline.py``)."""

    def reserve_number_block(self, *, desk_id: str, machine: str, size: int = ...) -> NumberBlock:
        """Create-only ``numberBlocks/{first}``: a block no other desk holds."""

    def replay_offline_booking(
        self, uid: str, booking: Booking, task_id: str, task_document: dict[str, Any]
    ) -> Conflict | None: ...

    def replay_offline_scan(
        self,
        uid: str,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        at: datetime,
        desk: str = "",
    ) -> Conflict | None: ...


def offline_unavailable() -> StoreUnavailable:
    return StoreUnavailable("offline", code="error.offline_unavailable")


class OfflineDesk:
    """The store a Firestore desk's screens and engine hold. Thread-safe: the store-write
    thread saves and scans, the sync thread replays, the GUI thread reads ``status()``."""

    kind = "firestore"

    def __init__(
        self,
        inner: Any,
        journal: Journal,
        replay: OfflineReplay,
        *,
        machine: str = "",
        probe_s: float = 2.0,
        block_size: int = offline_rules.BLOCK_SIZE,
    ) -> None:
        self.inner = inner
        self.journal = journal
        self.machine = machine
        self.block_size = block_size
        # Guards _status and _listeners: written by the saving and sync threads, read by
        # the GUI thread.
        self._lock = threading.Lock()
        self._status = journal.waiting()
        self._listeners: list[Callable[[], None]] = []
        self.syncer = Syncer(self, replay, probe_s=probe_s)

    # --- state ------------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.syncer.online

    def start(self) -> None:
        self.syncer.start()

    def status(self) -> Waiting:
        """Since when offline, and what waits to sync; from memory, for the GUI thread."""
        with self._lock:
            return self._status

    def subscribe(self, callback: Callable[[], None]) -> None:
        """*callback* runs on a background thread whenever the journal changed."""
        with self._lock:
            self._listeners.append(callback)

    def changed(self) -> None:
        status = self.journal.waiting()
        with self._lock:
            self._status = status
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback()
            except Exception:  # a listener must not stop a save or the replay
                log.exception("offline journal listener failed")

    def went_offline(self, reason: object = "") -> None:
        if self.syncer.online:
            log.warning("Store unreachable (%s): working from the offline journal", reason)
        self.syncer.set_online(False)
        self.journal.went_offline(utcnow())
        self.changed()

    def _passes(self, exc: StoreUnavailable) -> bool:
        """A plain "cannot reach": nothing was written, so the journal may take over. An
        unconfirmed save (it may still land) is told to staff as it is."""
        return exc.code == StoreUnavailable.code

    # --- BookingStore -------------------------------------------------------------------------
    def create_booking(
        self, booking: Booking, *, task_type: TaskType = TaskType.BOTH, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        if self.online:
            try:
                saved, task = self.inner.create_booking(booking, task_type=task_type, now=now)
            except StoreUnavailable as exc:
                if not self._passes(exc):
                    raise
                self.went_offline(exc)
            else:
                self.journal.remember([saved])
                self.syncer.kick()  # a number was not taken from the block, but check it
                return saved, task
        return self._book_offline(booking, TaskType(task_type), now or utcnow())

    def _book_offline(
        self, booking: Booking, task_type: TaskType, now: datetime
    ) -> tuple[Booking, NotificationTask]:
        operator = booking.created_by
        made: dict[str, Any] = {}

        def build(number: str, uid: str) -> tuple[Booking, str, dict[str, Any]]:
            change = offline_rules.offline_create(booking, number, operator, now, uid, task_type)
            assert change.queued is not None
            made["change"] = change
            return change.booking, change.queued.id, change.queued.to_document()

        self.journal.add_booking(operator, now, build)
        self.changed()
        change = made["change"]
        log.info("Booking %s saved to the offline journal", change.booking.booking_number)
        return change.booking, change.queued

    def get_booking(self, number: str) -> Booking | None:
        number = str(number).strip()
        if self.online and not self.journal.waiting_for(number):
            try:
                found: Booking | None = self.inner.get_booking(number)
            except StoreUnavailable as exc:
                self.went_offline(exc)
            else:
                if found is not None:
                    self.journal.remember([found])
                return found
        return self.journal.known_booking(number)

    def search_bookings(self, query: BookingQuery) -> list[Booking]:
        if self.online:
            try:
                found: list[Booking] = self.inner.search_bookings(query)
            except StoreUnavailable as exc:
                self.went_offline(exc)
            else:
                self.journal.remember(found)
                return self._with_waiting(found, query)
        return [b for b in self.journal.known_bookings(limit=5000) if _matches(b, query)][
            : query.limit
        ]

    def _with_waiting(self, found: list[Booking], query: BookingQuery) -> list[Booking]:
        """The store's answer, with this desk's own bookings not yet synced in it."""
        numbers = {b.booking_number for b in found}
        waiting = [
            b
            for e in self.journal.waiting_numbers()
            if e not in numbers and (b := self.journal.known_booking(e)) is not None
        ]
        return ([b for b in waiting if _matches(b, query)] + found)[: query.limit]

    def set_booking_status(
        self,
        number: str,
        to: BookingStatus,
        *,
        operator: str,
        now: datetime | None = None,
        desk: str = "",
    ) -> Booking:
        to = BookingStatus(to)
        if to in SCANS and (not self.online or self.journal.waiting_for(number)):
            return self._scan_offline(number, to, operator, now or utcnow())
        if not self.online:
            raise offline_unavailable()
        try:
            updated: Booking = self.inner.set_booking_status(
                number, to, operator=operator, now=now, desk=desk
            )
        except StoreUnavailable as exc:
            if to not in SCANS or not self._passes(exc):
                raise
            self.went_offline(exc)
            return self._scan_offline(number, to, operator, now or utcnow())
        self.journal.remember([updated])
        return updated

    def _scan_offline(
        self, number: str, to: BookingStatus, operator: str, now: datetime
    ) -> Booking:
        """The rules of a check-in or check-out, on the desk's copy: a second scan of the
        same ticket is refused here as it would be by the store."""
        booking = self.journal.known_booking(number)
        if booking is None:
            raise NotFound(number=number)
        updated = booking_rules.change_status(booking, to, operator, now).booking
        self.journal.add_scan(updated, str(to), operator, now)
        self.changed()
        log.info("%s of %s saved to the offline journal", to, number)
        return updated

    def ticket_booking(self, number: str, plate: str, valid_until: datetime) -> Booking | None:
        """Offline, a genuine ticket for a booking this desk never saw: the car goes in on
        the signature, and the replay tells whether the store knows the booking (a conflict
        for staff if not). None while online: the store's answer stands."""
        if self.online:
            return None
        known = self.journal.known_booking(number)
        if known is not None:
            return known
        now = utcnow()
        stand_in = Booking(
            client_name="",
            client_email="",
            phone="",
            plate=plate,
            arrival=min(now, valid_until),
            departure=valid_until,
            booking_number=number,
            created_at=now,
            notes="ticket scanned offline",
        )
        self.journal.remember([stand_in])
        return stand_in

    def amend_booking(
        self, number: str, changes: dict[str, Any], *, operator: str, now: datetime | None = None
    ) -> tuple[Booking, NotificationTask]:
        if not self.online or self.journal.waiting_for(number):
            raise offline_unavailable()
        result: tuple[Booking, NotificationTask] = self.inner.amend_booking(
            number, changes, operator=operator, now=now
        )
        return result

    def enqueue(
        self,
        booking_number: str,
        task_type: TaskType = TaskType.BOTH,
        *,
        operator: str = "",
        now: datetime | None = None,
    ) -> NotificationTask:
        if not self.online or self.journal.waiting_for(booking_number):
            raise offline_unavailable()
        task: NotificationTask = self.inner.enqueue(
            booking_number, task_type, operator=operator, now=now
        )
        return task

    # --- the staff's list of conflicts --------------------------------------------------------
    def conflicts(self) -> list[Entry]:
        """Entries the store would not take as they are, oldest first."""
        return self.journal.entries(EntryState.CONFLICT)

    def resolve_conflict(self, seq: int, *, operator: str) -> bool:
        """Staff dealt with it by hand (re-booked the client, told the other desk): off the
        list, and recorded in the audit log (at once, or as soon as the store answers)."""
        done = self.journal.resolve(seq, operator)
        self.changed()
        self.syncer.kick()
        return done

    def retry_conflict(self, seq: int) -> bool:
        """Replay the entry again (the other desk has synced the booking since)."""
        done = self.journal.retry(seq)
        self.changed()
        self.syncer.kick()
        return done

    # --- the rest of the store ----------------------------------------------------------------
    def ping(self) -> None:
        if not self.online:
            raise StoreUnavailable("offline: working from the journal")
        self.inner.ping()

    def heartbeat(self, info: WorkerInfo) -> None:
        """A desk that works from its journal says so on the kiosk: ``offline`` while
        anything waits to sync (a heartbeat cannot get through while the line is down, so
        the kiosk also reads a desk's silence as offline)."""
        if not self.online:
            raise offline_unavailable()
        if self.status().total or self.status().offline_since:
            info = replace(info, state="offline")
        self.inner.heartbeat(info)

    def close(self) -> None:
        self.syncer.stop()
        self.journal.close()
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "inner":
            raise AttributeError(name)
        if name in FAIL_FAST:

            def call(*args: Any, **kwargs: Any) -> Any:
                if not self.online:
                    raise offline_unavailable()
                return getattr(self.inner, name)(*args, **kwargs)

            return call
        return getattr(self.inner, name)


def _matches(booking: Booking, query: BookingQuery) -> bool:
    text = query.text.strip()
    if query.number and booking.booking_number != query.number:
        return False
    if text:
        plate = normalise_plate(text)
        if not (
            booking.booking_number == text
            or (plate and booking.plate.startswith(plate))
            or booking.client_name.casefold().startswith(text.casefold())
        ):
            return False
    if query.statuses and booking.status not in query.statuses:
        return False
    if query.plate and not booking.plate.startswith(normalise_plate(query.plate)):
        return False
    if query.name_prefix and not booking.client_name.casefold().startswith(
        query.name_prefix.strip().casefold()
    ):
        return False
    return not (query.arrival_day and booking.arrival.date() != query.arrival_day)


def ticket_booking(store: object, number: str, plate: str, valid_until: datetime) -> Booking | None:
    """For the scan: a genuine ticket's stand-in booking when *store* is an offline desk
    that cannot reach its store and never saw the booking; None otherwise."""
    stand_in = getattr(store, "ticket_booking", None)
    if not isinstance(store, OfflineDesk) or stand_in is None:
        return None
    result: Booking | None = stand_in(number, plate, valid_until)
    return result
