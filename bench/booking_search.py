"""The desk's search box over 100,000 bookings, SQLite and Firestore side by side.

The bookings are laid down as ``create_booking`` writes them (the same documents and, in
SQLite, the same search tokens), in large transactions and batches rather than one commit
each. Each query is the desk's own (``BookingQuery(text=..., limit=500)``), run through the
store's ``search_bookings`` as the Bookings tab runs it; the figures are wall time per call.

    .venv/bin/python bench/booking_search.py [--bookings 100000] [--runs 20] [--quick]
        [--firestore-runs 3]

The Firestore emulator answers every query by reading the whole collection (it keeps no
indexes: an ``array_contains`` costs it about 0.5 ms per stored booking, an index lookup in
production costs per result), so its column measures the emulator, not Firestore; it runs
fewer times for that reason. ``--skip-firestore`` leaves it out.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _harness as h

from parking_desk.booking import Booking
from parking_desk.services.store.base import BookingQuery
from parking_desk.services.store.sqlite.booking_search import SqliteBookingSearch
from parking_desk.services.store.sqlite.schema import booking_row
from parking_desk.validation import validate_booking

FIRST = [
    "Ion",
    "Maria",
    "Andrei",
    "Elena",
    "Ștefan",
    "Ioana",
    "Mihai",
    "Ana",
    "Gheorghe",
    "Cristina",
    "Vasile",
    "Alexandra",
    "Constantin",
    "Mihaela",
    "Dumitru",
    "Andreea",
    "Nicolae",
    "Raluca",
    "Florin",
    "Oana",
    "Bogdan",
    "Irina",
    "Radu",
    "Diana",
    "Cătălin",
    "Roxana",
    "Sorin",
    "Simona",
    "Adrian",
    "Gabriela",
    "Marian",
    "Alina",
    "Răzvan",
    "Teodora",
    "Ovidiu",
    "Bianca",
]
SYLLABLES = [
    "ba",
    "bă",
    "ce",
    "ci",
    "da",
    "dă",
    "fe",
    "ga",
    "ghe",
    "io",
    "la",
    "lă",
    "ma",
    "mă",
    "ne",
    "ni",
    "po",
    "pă",
    "ra",
    "ră",
    "se",
    "șe",
    "ta",
    "ță",
    "te",
    "ți",
    "va",
    "vă",
    "zi",
    "mi",
    "ro",
    "lu",
    "cu",
    "tu",
    "ru",
    "gu",
    "bu",
    "ne",
    "sco",
]
ENDINGS = ("escu", "eanu", "aru", "ică", "oiu", "an", "ea", "u", "ă", "ache")
# Named surnames the queries look for, each given to about 0.1 % of the bookings.
KNOWN = ("Țîrcă", "Popescu", "Vîlcea")
DESK_LIMIT = 500


def surnames(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
        names.add((stem + rng.choice(ENDINGS)).capitalize())
    return sorted(names)


def bookings(count: int) -> list[Booking]:
    rng = random.Random(16)
    pool = surnames(5000, rng)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        last = KNOWN[n % 3] if n % 1000 == 0 else rng.choice(pool)
        first = rng.choice(FIRST)
        arrival = now + timedelta(minutes=37 * n)
        b = Booking(
            client_name=f"{first} {last}",
            client_email=f"{h_ascii(first)}.{h_ascii(last)}{n % 97}@example.ro",
            phone=f"+40 7{rng.randint(20, 49)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            plate=f"B{rng.randint(10, 999)}{''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXZ', k=3))}",
            arrival=arrival,
            departure=arrival + timedelta(days=rng.randint(1, 14)),
        )
        b = validate_booking(b).booking
        out.append(
            b.with_changes(
                booking_number=str(100000 + n),
                created_at=now + timedelta(seconds=n),
                updated_at=now + timedelta(seconds=n),
            )
        )
    return out


def h_ascii(text: str) -> str:
    from parking_desk.search_text import fold

    return fold(text).replace(" ", "")


def seed_sqlite(store, all_bookings: list[Booking]) -> None:
    with store.db.write() as conn:
        for b in all_bookings:
            row = booking_row(b)
            names = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            conn.execute(f"INSERT INTO bookings ({names}) VALUES ({marks})", row)
            SqliteBookingSearch.index(conn, b)


def seed_firestore(store, all_bookings: list[Booking]) -> None:
    db = store.conn.db
    writer = db.bulk_writer()
    for b in all_bookings:
        writer.set(db.collection("bookings").document(b.booking_number), b.to_document())
    writer.close()


def queries(sample: list[Booking]) -> list[tuple[str, str]]:
    probe = sample[len(sample) // 2]
    digits = "".join(c for c in probe.phone if c.isdigit())
    return [
        ("surname without diacritics", "tirca"),
        ("part of a surname", "opesc"),
        ("first name and surname", "ion vilcea"),
        ("last six digits of a phone", digits[-6:]),
        ("whole phone, as typed", probe.phone),
        ("e-mail", probe.client_email),
        ("part of a booking number", (probe.booking_number or "")[1:5]),
        ("whole booking number", probe.booking_number or ""),
        ("plate prefix", probe.plate[:4]),
        ("name prefix (the old search)", probe.client_name[:6]),
    ]


def time_queries(
    store, cases: list[tuple[str, str]], runs: int
) -> dict[str, tuple[float, float, int]]:
    out = {}
    for label, text in cases:
        query = BookingQuery(text=text, limit=DESK_LIMIT)
        found = store.search_bookings(query)  # warm up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            store.search_bookings(query)
            times.append(time.perf_counter() - started)
        out[label] = (statistics.median(times) * 1000, h.percentile(times, 95) * 1000, len(found))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--firestore-runs", type=int, default=3)
    parser.add_argument("--skip-firestore", action="store_true")
    parser.add_argument("--quick", action="store_true", help="10,000 bookings, 5 runs")
    args = parser.parse_args()
    if args.quick:
        args.bookings, args.runs, args.firestore_runs = 10_000, 5, 1
    logging.basicConfig(level=logging.WARNING)
    h.header(f"Booking search over {args.bookings:,} bookings, desk limit {DESK_LIMIT}")
    all_bookings = bookings(args.bookings)
    cases = queries(all_bookings)
    results: dict[str, dict[str, tuple[float, float, int]]] = {}

    from parking_desk.services.store import open_firestore, open_sqlite

    folder = Path(tempfile.mkdtemp(prefix="pd-bench-search-"))
    sqlite = open_sqlite(folder / "search.db")
    started = time.perf_counter()
    seed_sqlite(sqlite, all_bookings)
    print(f"   sqlite: seeded in {time.perf_counter() - started:.1f} s")
    results["sqlite"] = time_queries(sqlite, cases, args.runs)
    sqlite.close()

    results["firestore"] = {label: (float("nan"), float("nan"), -1) for label, _ in cases}
    if not args.skip_firestore:
        with h.emulator() as emu:
            firestore = open_firestore(emu.project)
            started = time.perf_counter()
            seed_firestore(firestore, all_bookings)
            print(f"   firestore (emulator): seeded in {time.perf_counter() - started:.1f} s")
            results["firestore"] = time_queries(firestore, cases, args.firestore_runs)
            firestore.close()

    print()
    print(
        f"   {'query':<32}{'typed':<26}{'found':>6}  {'SQLite median/p95':>20}  "
        f"{'Firestore median/p95':>22}"
    )
    for label, text in cases:
        s_med, s_p95, s_n = results["sqlite"][label]
        f_med, f_p95, f_n = results["firestore"][label]
        found = f"{s_n}" if s_n == f_n or f_n < 0 else f"{s_n}/{f_n}"
        print(
            f"   {label:<32}{text[:25]:<26}{found:>6}  {s_med:>9.1f} / {s_p95:>5.1f} ms"
            f"  {f_med:>10.1f} / {f_p95:>5.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
