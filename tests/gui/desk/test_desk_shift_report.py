"""The shift report through its window: the figures for the signed-in person or everyone,
on screen, printed to PDF by QPrinter and as CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDateTime
from PySide6.QtPrintSupport import QPrinter

from parking_desk.booking import Booking, BookingStatus
from parking_desk.timeutil import utcnow
from parking_desk.ui.desk.shift_report_dialog import ShiftReportDialog


@pytest.fixture
def shift(store):
    """Ana booked a walk-in and checked it in, then undid Dan's check-in of another car."""
    now = utcnow()
    walk_in, _ = store.create_booking(
        Booking(
            "Ștefan Țăranu",
            "s@example.com",
            "+40712345678",
            "B12XYZ",
            now,
            now + timedelta(days=2),
            created_by="Ana (staff)",
        )
    )
    other, _ = store.create_booking(
        Booking("Ion Pop", "i@example.com", "+40712345679", "CJ34ABC", now, now + timedelta(days=1))
    )
    store.set_booking_status(
        walk_in.booking_number, BookingStatus.CHECKED_IN, operator="Ana (staff)"
    )
    store.set_booking_status(other.booking_number, BookingStatus.CHECKED_IN, operator="Dan (staff)")
    store.set_booking_status(
        other.booking_number, BookingStatus.CHECKED_OUT, operator="Dan (staff)"
    )
    store.undo_scan(
        other.booking_number, operator="Ana (staff)", not_before=now - timedelta(hours=1)
    )
    return walk_in, other


@pytest.fixture
def dialog(qtbot, ctx):
    widget = ShiftReportDialog(ctx)
    qtbot.addWidget(widget)
    widget.end.setDateTime(QDateTime.currentDateTime().addSecs(60))
    widget.show()
    return widget


def shown(qtbot, dialog: ShiftReportDialog):
    dialog.report = None
    dialog.show_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=5000)
    return dialog.report


def test_the_signed_in_persons_shift_on_screen(qtbot, dialog, shift):
    walk_in, other = shift
    assert dialog.person.text() == "Ana"  # the signed-in person by default
    assert not dialog.pdf_button.isEnabled()

    report = shown(qtbot, dialog)

    assert {k: n for k, n in report.counts.items() if n} == {
        "walk_in": 1,
        "check_in": 1,
        "undo": 1,
    }
    text = dialog.view.toPlainText()
    assert "Shift report: Ana" in text
    assert "Walk-ins" in text and "Scans undone" in text
    assert other.booking_number in text and walk_in.booking_number in text
    assert dialog.pdf_button.isEnabled()


def test_everyone_to_pdf_and_csv(qtbot, dialog, shift, tmp_path):
    dialog.person.clear()
    report = shown(qtbot, dialog)
    assert report.counts["check_in"] == 2 and report.counts["check_out"] == 0  # one undone

    pdf = tmp_path / "shift.pdf"
    dialog.write_pdf(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.print_to(printer)
    assert (tmp_path / "printed.pdf").stat().st_size > 0

    path = tmp_path / "shift.csv"
    dialog.write_csv(str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Shift report: everyone")
    assert "Check-ins;2" in lines and "Check-outs;0" in lines and "Scans undone;1" in lines
