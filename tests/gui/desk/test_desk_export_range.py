"""Exporting the bookings of a date range to CSV (either separator, with the BOM) and to
XLSX, read back as Excel would: the stays that touch the range, and only those."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QDate

from parking_desk.ui.desk.export_dialog import ExportDialog, day_start

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture
def dialog(qtbot, ctx):
    widget = ExportDialog(ctx)
    qtbot.addWidget(widget)
    widget.first.setDate(QDate(2026, 12, 1))
    widget.last.setDate(QDate(2026, 12, 7))
    return widget


@pytest.fixture
def stays(new_booking):
    """Inside, overlapping the start, and outside the first week of December (local)."""
    start = day_start(QDate(2026, 12, 1))

    def at(days: float) -> datetime:
        return start + timedelta(days=days)

    inside = new_booking(client_name="Ștefan Țăranu", arrival=at(2), departure=at(4))
    edge = new_booking(client_name="=HYPERLINK(1)", arrival=at(-3), departure=at(0.5))
    new_booking(client_name="Ion Later", arrival=at(8), departure=at(9))
    new_booking(client_name="Ion Before", arrival=at(-5), departure=at(-1))
    return inside, edge


def export(qtbot, dialog: ExportDialog, path, fmt: str) -> int:
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.export_to(str(path))
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=5000)
    return dialog.written


@pytest.mark.parametrize("fmt", ["csv;", "csv,"])
def test_csv_of_a_date_range(qtbot, dialog, stays, tmp_path, fmt):
    inside, edge = stays
    path = tmp_path / "range.csv"

    assert export(qtbot, dialog, path, fmt) == 2

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=fmt[-1]))
    assert rows[0][:2] == ["Booking number", "Client"]
    assert [r[0] for r in rows[1:]] == [edge.booking_number, inside.booking_number]
    assert rows[2][1] == "Ștefan Țăranu" and rows[1][1] == "'=HYPERLINK(1)"
    assert dialog.message.text() == "2 booking(s) exported."


def test_xlsx_of_a_date_range(qtbot, dialog, stays, tmp_path):
    inside, edge = stays
    path = tmp_path / "range.xlsx"

    assert export(qtbot, dialog, path, "xlsx") == 2

    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
    assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"} <= names
    assert workbook.find(f"{MAIN}sheets/{MAIN}sheet").get("name") == "Bookings"
    rows = []
    for row in sheet.iter(f"{MAIN}row"):
        cells = []
        for c in row.iter(f"{MAIN}c"):
            text = c.find(f"{MAIN}is/{MAIN}t")
            cells.append(text.text if text is not None else int(c.find(f"{MAIN}v").text))
        rows.append(cells)
    assert rows[0][0] == "Booking number"
    assert [r[0] for r in rows[1:]] == [edge.booking_number, inside.booking_number]
    assert rows[1][1] == "=HYPERLINK(1)"  # an inline string: text, never a formula
    assert rows[2][1] == "Ștefan Țăranu" and rows[2][7] == 1  # passengers as a number
