"""Bookings to CSV for Excel.

UTF-8 with a byte-order mark: without it Excel opens the file as the ANSI code page and
Romanian names lose their ș and ț. Excel in Romanian locales also expects ";" as separator.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from parking_desk.booking import Booking
from parking_desk.ui.desk.bookings_model import status_text
from parking_desk.ui.local_time import show


def headers() -> list[str]:
    return [
        QCoreApplication.translate("CsvExport", "Booking number"),
        QCoreApplication.translate("CsvExport", "Client"),
        QCoreApplication.translate("CsvExport", "E-mail"),
        QCoreApplication.translate("CsvExport", "Phone"),
        QCoreApplication.translate("CsvExport", "Plate"),
        QCoreApplication.translate("CsvExport", "Arrival"),
        QCoreApplication.translate("CsvExport", "Departure"),
        QCoreApplication.translate("CsvExport", "Passengers"),
        QCoreApplication.translate("CsvExport", "Status"),
        QCoreApplication.translate("CsvExport", "E-mail status"),
        QCoreApplication.translate("CsvExport", "Notes"),
    ]


def _safe(text: str) -> str:
    """A name typed as "=HYPERLINK(...)" must stay text in Excel, not become a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def row(b: Booking) -> list[str]:
    return [
        b.booking_number or "",
        _safe(b.client_name),
        _safe(b.client_email),
        b.phone,
        b.plate,
        show(b.arrival),
        show(b.departure),
        str(b.passengers),
        status_text(str(b.status)),
        status_text(str(b.email_status)),
        _safe(b.notes),
    ]


def write_csv(path: str | Path, bookings: Iterable[Booking], delimiter: str = ";") -> int:
    """Write the bookings; returns how many rows were written."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(headers())
        for booking in bookings:
            writer.writerow(row(booking))
            count += 1
    return count
