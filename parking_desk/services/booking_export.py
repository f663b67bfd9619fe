"""Bookings of a date range for a spreadsheet, with no Qt: which bookings, and the XLSX file.

The XLSX is written with the standard library (``zipfile``): one sheet of text and whole
numbers needs five small XML parts, and the desk's bundle then carries no spreadsheet
library (openpyxl and et_xmlfile) for one button. Cells are inline strings, which Excel
never reads as formulas, so a name typed as ``=HYPERLINK(…)`` stays text without the
apostrophe the CSV needs.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import escape

from parking_desk.booking import Booking
from parking_desk.services.store.base import BookingQuery

EXPORT_LIMIT = 200_000


class BookingSearch(Protocol):
    def search_bookings(self, query: BookingQuery) -> list[Booking]: ...


def bookings_in_range(store: BookingSearch, start: datetime, end: datetime) -> list[Booking]:
    """Every booking whose stay touches ``[start, end)`` (arrival before the end, departure
    at or after the start), by arrival."""
    found = store.search_bookings(
        BookingQuery(arrival_before=end, departure_from=start, limit=EXPORT_LIMIT)
    )
    return sorted(found, key=lambda b: (b.arrival, b.booking_number or ""))


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: str | int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = escape("".join(ch for ch in str(value) if ch in "\t\n" or ch >= " "))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def write_xlsx(
    path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[str | int]], sheet: str
) -> int:
    """One sheet, the header row frozen in place by being first; returns the data rows."""
    count = 0
    lines = []
    table: list[Sequence[str | int]] = [headers, *rows]
    for r, values in enumerate(table, start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(values))
        lines.append(f'<row r="{r}">{cells}</row>')
        count = r - 1
    sheet_xml = (
        f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>{"".join(lines)}</sheetData></worksheet>'
    )
    name = escape("".join(ch for ch in sheet if ch not in "[]:*?/\\")[:31] or "Sheet1")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK.format(name=name))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return count
