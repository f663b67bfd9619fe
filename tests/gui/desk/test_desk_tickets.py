"""A ticket for any booking, the website's too, from its details and from the search results:
shown full screen, printed with one key, saved as PDF and PNG; amended, it is signed again."""

from __future__ import annotations

import re
import zlib
from io import BytesIO

import pytest
from PIL import Image
from printer_listener import closed_port, native_qr_payloads, printer_listener
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from zxingcpp import read_barcodes

from parking_desk.booking import BookingStatus, Source
from parking_desk.services.qr import verify
from parking_desk.settings_model import PrinterSettings
from parking_desk.ui.desk.bookings_tab import BookingsTab
from parking_desk.ui.main_window import MainWindow


@pytest.fixture
def tab(qtbot, ctx):
    widget = BookingsTab(ctx)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def web_booking(new_booking):
    return new_booking(source=Source.WEB, plate="B123ABC", client_name="Ioana Țîrcă")


def pick(qtbot, tab: BookingsTab, number: str) -> None:
    """Find the booking by its number and pick it in the results, as staff do."""
    tab.search.setText(number)
    tab.refresh()
    qtbot.waitUntil(
        lambda: tab.model.rowCount() == 1 and tab.model.booking_at(0).booking_number == number,
        timeout=5000,
    )
    tab.table.selectRow(0)
    assert tab.details.booking is not None and tab.details.booking.booking_number == number


def received(qtbot, printer, number: int = 1) -> bytes:
    """The printer's *number*-th job, the GUI's event loop running meanwhile (the ticket is
    issued by a background job whose answer comes back through it)."""
    qtbot.waitUntil(lambda: len(printer.jobs) >= number, timeout=10_000)
    return printer.job(number)


def read_ticket(ctx, png: bytes):
    found = read_barcodes(Image.open(BytesIO(png)))
    assert len(found) == 1
    return verify(found[0].text, ctx.public_keys)


def pdf_texts(data: bytes) -> list[str]:
    """The text runs of a PDF that Qt wrote: content streams are deflated and each glyph is
    a 16-bit code that the font's ToUnicode map turns back into a character."""
    maps = []
    for found in re.finditer(rb"beginbfrange(.*?)endbfrange", data, re.S):
        mapping: dict[int, str] = {}
        for first, _last, targets in re.findall(
            rb"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)> \[([^\]]*)\]", found.group(1)
        ):
            for offset, target in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", targets)):
                mapping[int(first, 16) + offset] = chr(int(target, 16))
        maps.append(mapping)
    runs = []
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            content = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        for block in re.findall(rb"BT(.*?)ET", content, re.S):
            codes = [int(c, 16) for c in re.findall(rb"<([0-9A-Fa-f]{4})> Tj", block)]
            runs += ["".join(m.get(c, "?") for c in codes) for m in maps]
    return runs


def test_a_website_booking_picked_in_the_results_shows_its_signed_ticket_with_ctrl_t(
    qtbot, ctx, tab, web_booking
):
    number = web_booking.booking_number
    pick(qtbot, tab, number)
    qtbot.keyClick(tab.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.details.tickets.fullscreen is not None, timeout=5000)
    view = tab.details.tickets.fullscreen
    qtbot.waitExposed(view)
    assert view.isFullScreen()
    assert (view.number.text(), view.plate.text()) == (number, "B123ABC")
    check = read_ticket(ctx, tab.details.tickets.issued.png)
    assert check.ok and check.booking_number == number and check.plate == "B123ABC"
    actions = [(e.action, e.details.get("bookingNumber")) for e in ctx.store.audit_log()]
    assert ("reissue_ticket", number) in actions  # a ticket handed out is on record
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.details.tickets.fullscreen is None, timeout=3000)


def test_the_results_context_menu_offers_the_ticket(qtbot, tab, web_booking):
    pick(qtbot, tab, web_booking.booking_number)
    assert tab.table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    offered = {a.text(): a.shortcut().toString() for a in tab.table.actions()}
    assert offered == {
        "Show ticket": "Ctrl+T",
        "Print ticket": "Ctrl+P",
        "Save ticket as PDF…": "",
        "Save QR as PNG…": "",
    }
    assert all(a.isEnabled() for a in tab.table.actions())


def test_the_details_save_the_ticket_as_pdf_and_png(qtbot, ctx, tab, web_booking, tmp_path):
    number = web_booking.booking_number
    pick(qtbot, tab, number)
    pdf, png = tmp_path / "ticket.pdf", tmp_path / "ticket.png"
    tab.details.tickets.save_pdf(str(pdf))
    qtbot.waitUntil(pdf.exists, timeout=5000)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    texts = pdf_texts(data)
    assert number in texts and "B123ABC" in texts
    assert any("Departure" in t for t in texts), texts
    tab.details.tickets.save_png(str(png))
    qtbot.waitUntil(png.exists, timeout=5000)
    check = read_ticket(ctx, png.read_bytes())
    assert check.ok and check.booking_number == number and check.plate == "B123ABC"
    assert tab.details.message.text() == f"Saved {png}"


def test_an_amended_booking_gets_a_ticket_for_its_new_plate(qtbot, ctx, tab, web_booking):
    number = web_booking.booking_number
    pick(qtbot, tab, number)
    tickets = tab.details.tickets
    tickets.with_ticket(lambda _issued: None)
    qtbot.waitUntil(lambda: tickets.issued is not None, timeout=5000)
    old = tickets.issued
    tab.details.amend({"plate": "CJ99NEW"})
    qtbot.waitUntil(lambda: tab.details.booking.plate == "CJ99NEW", timeout=5000)
    tickets.show_ticket()
    qtbot.waitUntil(
        lambda: tickets.issued is not old and tickets.fullscreen is not None, timeout=5000
    )
    assert tickets.fullscreen.plate.text() == "CJ99NEW"
    check = read_ticket(ctx, tickets.issued.png)
    assert check.ok and check.booking_number == number and check.plate == "CJ99NEW"
    tickets.fullscreen.close()


def test_ctrl_p_prints_straight_to_the_receipt_printer_without_a_dialog(
    qtbot, ctx, tab, web_booking
):
    number = web_booking.booking_number
    with printer_listener() as printer:
        ctx.settings.printer = PrinterSettings(kind="network", host="127.0.0.1", port=printer.port)
        pick(qtbot, tab, number)
        port = printer.port
        qtbot.keyClick(tab.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        job = received(qtbot, printer)
    (payload,) = native_qr_payloads(job)
    check = verify(payload, ctx.public_keys)
    assert check.ok and check.booking_number == number and check.plate == "B123ABC"
    assert number.encode() in job.replace(payload.encode(), b"")
    qtbot.waitUntil(lambda: "sent to the printer" in tab.details.message.text(), timeout=5000)
    assert tab.details.message.text() == (f"Ticket {number} sent to the printer 127.0.0.1:{port}.")


def test_a_printer_that_does_not_answer_is_said_in_romanian(qtbot, ctx, tab, web_booking):
    port = closed_port()
    ctx.settings.printer = PrinterSettings(kind="network", host="127.0.0.1", port=port)
    ctx.language = "ro"
    pick(qtbot, tab, web_booking.booking_number)
    tab.details.ticket_buttons[1].click()  # Print ticket
    qtbot.waitUntil(lambda: tab.details.message.property("failed") is True, timeout=15_000)
    assert tab.details.message.text().startswith(
        f"Imprimanta de bilete 127.0.0.1:{port} nu răspunde"
    )


def test_no_ticket_for_a_cancelled_booking(qtbot, ctx, tab, new_booking):
    booking = new_booking()
    ctx.store.set_booking_status(booking.booking_number, BookingStatus.CANCELLED, operator="ana")
    pick(qtbot, tab, booking.booking_number)
    assert not any(a.isEnabled() for a in tab.details.tickets.actions())


def test_on_every_tab_at_most_one_screen_on_show_answers_ctrl_p(qtbot, ctx, tmp_path):
    """The new booking's panel and the bookings' details both hold Ctrl+T and Ctrl+P, as
    window shortcuts of a widget that is only active while it is on show: never two at once,
    so the key is never ambiguous and never prints the other tab's booking."""
    win = MainWindow(ctx, ui_state=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    holders = [win.new_booking.qr, win.bookings.details]
    for i in range(win.tabs.count()):
        win.tabs.setCurrentIndex(i)
        on_show = [h for h in holders if h.isVisible()]
        assert len(on_show) <= 1, win.tabs.tabText(i)
        for host in holders:
            action = host.tickets.print_action
            assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
            assert action in host.actions()


def test_the_shortcuts_are_taken_by_nothing_else_in_the_window(qtbot, ctx, tmp_path):
    win = MainWindow(ctx, ui_state=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    keys: dict[str, list[str]] = {}
    for action in win.findChildren(QAction):
        key = action.shortcut().toString()
        if key:
            keys.setdefault(key, []).append(action.objectName() or action.text())
    assert keys["Ctrl+T"] == ["showTicket", "showTicket"]  # the panel's and the details'
    assert keys["Ctrl+P"] == ["printTicket", "printTicket"]
    assert all(len(names) == 1 for key, names in keys.items() if key not in ("Ctrl+T", "Ctrl+P"))
