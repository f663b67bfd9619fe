"""Demo data: a day at a park-and-fly lot near Otopeni, for trying the app and screenshots.

The bookings go through the store's own operations (create, claim, complete, fail, cancel,
check-in), so the demo shows exactly the states real use produces, including dead tasks
with the kind of reasons a supervisor meets. Addresses are on ``example.com`` so no demo
e-mail can reach a real person.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta

from parking_desk.booking import Booking, BookingStatus, Source
from parking_desk.services.store.base import DeliveryOutcome, Store
from parking_desk.task import LastError
from parking_desk.timeutil import utcnow

DEMO_WORKER = "demo-seed"
FIRST = [
    "Ștefan",
    "Ioana",
    "Mihai",
    "Ana",
    "Andreea",
    "Răzvan",
    "Cătălina",
    "Ionuț",
    "Bianca",
    "Tudor",
    "Alexandru",
    "Mădălina",
    "Florin",
    "Irina",
    "Bogdan",
    "Iulia",
    "Dănuț",
    "Elena",
]
LAST = [
    "Popescu",
    "Ionescu",
    "Țurcanu",
    "Stănescu",
    "Dumitrașcu",
    "Munteanu",
    "Bălănescu",
    "Câmpeanu",
    "Negruț",
    "Constantinescu",
    "Pîrvu",
    "Mureșan",
    "Rădulescu",
    "Ilieș",
]
COUNTIES = ["B", "IF", "CJ", "PH", "AG", "BV", "IS", "CT", "TM", "DB"]
FOREIGN = ["M AB 1234", "CB 1234 AB", "ABC-123", "HH XY 777", "W 12345 X"]
NOTES = [
    "",
    "",
    "",
    "Bagaj voluminos",
    "Copil cu scaun auto",
    "Zbor întors noaptea târziu",
    "Plata la sosire",
    "",
]
DEAD_ERRORS = [
    LastError("550", "5.1.1 The email account that you tried to reach does not exist.", True),
    LastError("invalid-address", "The domain name example.con does not exist.", True),
    LastError("552", "5.2.2 The email account that you tried to reach is over quota.", True),
    LastError(
        "421", "4.7.0 Try again later, closing connection. (gave up after 10 attempts)", False
    ),
]
RETRY_ERRORS = [
    LastError("451", "4.3.0 Mail server temporarily rejected message.", False),
    LastError("timeout", "timed out after 20 s waiting for the server", False),
    LastError("disconnected", "connection closed by the server during DATA", False),
]
# Share of each queue outcome; the rest stays pending (due now).
PLAN = [("completed", 0.62), ("dead", 0.1), ("retrying", 0.1), ("cancelled", 0.05)]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return plain.lower().replace(" ", "")


def _plate(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(FOREIGN)
    county = rng.choice(COUNTIES)
    digits = rng.randint(10, 999) if county == "B" else rng.randint(10, 99)
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVXYZ") for _ in range(3))
    return f"{county} {digits:02d} {letters}"


def demo_booking(rng: random.Random, now: datetime) -> Booking:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    arrival = (now + timedelta(hours=rng.randint(-72, 96))).replace(
        minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0
    )
    return Booking(
        client_name=f"{first} {last}",
        client_email=f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.com",
        phone=f"+40 7{rng.choice((22, 23, 24, 26, 40, 45, 47, 50, 55, 60, 66, 70, 72))} "
        f"{rng.randint(100, 999)} {rng.randint(100, 999)}",
        plate=_plate(rng),
        arrival=arrival,
        departure=arrival + timedelta(days=rng.randint(2, 14), hours=rng.randint(0, 10)),
        passengers=rng.randint(1, 5),
        notes=rng.choice(NOTES),
        language="en" if rng.random() < 0.15 else "ro",
        source=Source.WEB if rng.random() < 0.55 else Source.DESK,
        created_by="demo",
    )


def _outcome(rng: random.Random) -> str:
    roll = rng.random()
    for name, share in PLAN:
        if roll < share:
            return name
        roll -= share
    return "pending"


def fill_demo(
    store: Store,
    count: int = 40,
    *,
    now: datetime | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Booking]:
    """Add *count* demo bookings with a realistic mix of booking and queue states."""
    rng = random.Random(seed)
    now = now or utcnow()
    planned = [(demo_booking(rng, now), _outcome(rng)) for _ in range(count)]
    processed = [(b, o) for b, o in planned if o in ("completed", "dead", "retrying")]
    later = [(b, o) for b, o in planned if o not in ("completed", "dead", "retrying")]

    created: list[Booking] = []
    plan: dict[str, str] = {}
    for booking, outcome in processed:
        saved, _task = store.create_booking(booking, now=now)
        plan[saved.booking_number or ""] = outcome
        created.append(saved)
    _settle_queue(store, plan, rng, now)
    for booking, outcome in later:
        saved, task = store.create_booking(booking, now=now)
        created.append(saved)
        if outcome == "cancelled":
            store.cancel_tasks([task.id], operator="demo", now=now)
    for i, saved in enumerate(created):
        _visit(store, saved, rng, now)
        if progress:
            progress(i + 1)
    return created


def _settle_queue(store: Store, plan: dict[str, str], rng: random.Random, now: datetime) -> None:
    """Play the worker for the planned tasks; anything else claimed on the way goes back."""
    left = len(plan)
    lease = timedelta(minutes=5)
    while left > 0:
        tasks = store.claim_due(DEMO_WORKER, min(left + 20, 200), lease, now=now)
        if not tasks:
            break
        for task in tasks:
            outcome = plan.pop(task.booking_number, None)
            if outcome is None:
                continue
            left -= 1
            done = now + timedelta(seconds=rng.randint(2, 40))
            if outcome == "completed":
                outcome_ = DeliveryOutcome("outbox", f"<task-{task.id}@example.com>", True)
                store.complete(task, DEMO_WORKER, outcome_, now=done)
            elif outcome == "dead":
                store.fail_permanent(task, DEMO_WORKER, rng.choice(DEAD_ERRORS), now=done)
            else:
                later = done + timedelta(minutes=rng.randint(2, 50))
                store.fail_transient(task, DEMO_WORKER, rng.choice(RETRY_ERRORS), later, now=done)
    store.release(DEMO_WORKER, now=now)


def _visit(store: Store, booking: Booking, rng: random.Random, now: datetime) -> None:
    """Arrivals in the past have mostly come and some have gone; a few were cancelled."""
    number = booking.booking_number or ""
    if rng.random() < 0.06:
        store.set_booking_status(number, BookingStatus.CANCELLED, operator="demo", now=now)
        return
    if booking.arrival <= now and rng.random() < 0.8:
        # Each at the time it happened: a stay that has ended can no longer be checked in.
        came = min(now, booking.arrival + timedelta(minutes=rng.randint(0, 40)))
        store.set_booking_status(number, BookingStatus.CHECKED_IN, operator="demo", now=came)
        if booking.departure <= now:
            left = min(now, booking.departure + timedelta(minutes=rng.randint(0, 30)))
            store.set_booking_status(number, BookingStatus.CHECKED_OUT, operator="demo", now=left)
