"""The desk's bookings list with 100,000 bookings: load and the first screenful, one row
read again with one booking changed, a sort by name.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bookings_model.py [--rows N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import _harness as h
from PySide6.QtWidgets import QApplication

from parking_desk.booking import Booking, BookingStatus, Source
from parking_desk.ui.desk.bookings_model import BookingsModel, Column

NAMES = ["Zamfir Ana", "Ionescu Mihai", "Popa Elena", "Ardelean Ioan", "Pîrvu Mădălina"]


def bookings(n: int) -> list[Booking]:
    arrival = datetime(2026, 12, 1, 8, tzinfo=UTC)
    return [
        Booking(
            client_name=f"{NAMES[i % len(NAMES)]} {i}",
            client_email=f"client{i}@example.ro",
            phone="+40721000000",
            plate=f"B {i % 1000:03d} ABC",
            arrival=arrival,
            departure=arrival + timedelta(days=7),
            passengers=2,
            source=Source.WEB,
            booking_number=f"{i:06d}",
        )
        for i in range(n)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 3 runs")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.runs = 20_000, 3
    h.header(f"bookings list: {args.rows} bookings, {args.runs} runs")
    QApplication.instance() or QApplication(sys.argv)
    rows = bookings(args.rows)
    loads, updates, sorts = [], [], []
    for _ in range(args.runs):
        model = BookingsModel()
        started = time.perf_counter()
        model.set_bookings(rows)
        for row in range(40):  # one screenful
            for column in Column:
                model.index(row, column).data()
        loads.append(time.perf_counter() - started)
        again = list(rows)
        at = len(rows) * 7 // 9
        again[at] = rows[at].with_changes(status=BookingStatus.CHECKED_IN)
        started = time.perf_counter()
        model.set_bookings(again)  # read again after a check-in: one row repainted
        updates.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.sort(Column.NAME)
        sorts.append(time.perf_counter() - started)
    for label, values, scale, unit in (
        ("load + first screenful", loads, 1000, "ms"),
        ("read again, one changed", updates, 1000, "ms"),
        ("sort by name", sorts, 1000, "ms"),
    ):
        mid, worst = statistics.median(values) * scale, max(values) * scale
        print(f"   {label:<24} median {mid:8.1f} {unit}  max {worst:8.1f} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
