"""A ticket printed in ESC/POS to a listener on loopback, read back the way a printer would:
the QR command's payload, the raster's code and the booking number in the text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from printer_listener import (
    Listener,
    closed_port,
    native_qr_payloads,
    printer_listener,
    raster_images,
)
from zxingcpp import read_barcodes

from parking_desk.config import load_settings
from parking_desk.errors import ConfigError, PrinterError
from parking_desk.services import receipt_printer
from parking_desk.services.qr import QrSigner, verify
from parking_desk.services.ticket_layout import Ticket
from parking_desk.settings_model import PrinterSettings
from parking_desk.timeutil import utcnow


@pytest.fixture
def listener() -> Iterator[Listener]:
    with printer_listener() as found:
        yield found


@pytest.fixture
def signer(tmp_path) -> QrSigner:
    return QrSigner.load_or_create(tmp_path / "key.pem")


def a_ticket(signer: QrSigner, number: str = "W-20417") -> Ticket:
    now = utcnow().replace(microsecond=0)
    payload = signer.payload(number, "B123ABC", now + timedelta(days=3, hours=12))
    return Ticket("Parcare Otopeni", number, "B123ABC", now, now + timedelta(days=3), payload)


def network(port: int, qr_mode: str = "native") -> PrinterSettings:
    return PrinterSettings(kind="network", host="127.0.0.1", port=port, qr_mode=qr_mode)


def test_a_network_printer_gets_the_signed_ticket_in_its_own_qr_command(listener, signer):
    ticket = a_ticket(signer)
    receipt_printer.print_ticket(network(listener.port), ticket, lang="en")
    job = listener.job()
    assert native_qr_payloads(job) == [ticket.payload]
    check = verify(native_qr_payloads(job)[0], [signer.public_key])
    assert check.ok and check.booking_number == "W-20417" and check.plate == "B123ABC"
    assert b"W-20417" in job.replace(ticket.payload.encode(), b"")  # printed for the eye too
    assert b"\x1d(k\x03\x001E2" in job  # error correction Q
    assert job.startswith(b"\x1b@") and b"\x1dV" in job  # initialised, then cut


def test_a_printer_without_the_qr_command_gets_the_code_as_dots(listener, signer):
    ticket = a_ticket(signer, "PK-77")
    receipt_printer.print_ticket(network(listener.port, "raster"), ticket, lang="ro")
    job = listener.job()
    assert native_qr_payloads(job) == []
    (image,) = raster_images(job)
    assert image.width <= receipt_printer.PRINT_WIDTH_DOTS
    codes = read_barcodes(image)
    assert [c.text for c in codes] == [ticket.payload] and codes[0].ec_level == "Q"
    assert b"PK-77" in job and "Plecare:".encode("cp852") in job


def test_romanian_letters_reach_the_printer_in_a_code_page_it_has(signer):
    job = receipt_printer.escpos_ticket(
        a_ticket(signer), lang="ro", when=lambda _: "Țăndărei, Ștefan"
    )
    assert b"?" not in job.replace(b"\x1b?", b"")
    assert "Ţ".encode("cp852") in job and "Ş".encode("cp852") in job


def test_an_unreachable_printer_is_told_in_the_desks_language(signer):
    closed = closed_port()
    settings = network(closed)
    settings.timeout_s = 5
    with pytest.raises(PrinterError) as raised:
        receipt_printer.print_ticket(settings, a_ticket(signer))
    assert raised.value.translated("ro").startswith(
        f"Imprimanta de bilete 127.0.0.1:{closed} nu răspunde"
    )
    assert raised.value.translated("en").startswith(
        f"The ticket printer 127.0.0.1:{closed} does not answer"
    )


def test_a_cups_queue_that_does_not_exist_is_an_error_not_silence(signer):
    settings = PrinterSettings(kind="cups", cups_queue="no-such-queue-here", timeout_s=10)
    with pytest.raises(PrinterError) as raised:
        receipt_printer.print_ticket(settings, a_ticket(signer))
    assert "no-such-queue-here" in raised.value.translated("en")


def _load(tmp_path, text: str):
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, env={})


def test_printer_settings_come_with_what_each_kind_needs(tmp_path):
    printer = _load(
        tmp_path, '[printer]\nkind = "USB"\nusb_vendor_id = 0x04b8\nusb_product_id = 0x0202\n'
    ).printer
    assert (printer.kind, printer.usb_vendor_id, printer.qr_mode) == ("usb", 0x04B8, "native")
    assert _load(tmp_path, "").printer.kind == "dialog"
    refused = {
        '[printer]\nkind = "network"\n': "printer.host",
        '[printer]\nkind = "network"\nhost = "p"\nport = 70000\n': "printer.port",
        '[printer]\nkind = "usb"\nusb_vendor_id = 0x04b8\n': "printer.usb_product_id",
        '[printer]\nkind = "cups"\n': "printer.cups_queue",
        '[printer]\nkind = "system"\n': "desk.printer",
        '[printer]\nkind = "laser"\n': "printer.kind",
        '[printer]\nqr_mode = "vector"\n': "printer.qr_mode",
    }
    for text, name in refused.items():
        with pytest.raises(ConfigError) as raised:
            _load(tmp_path, text)
        assert raised.value.params["name"] == name, text
    assert _load(tmp_path, '[desk]\nprinter = "TM-T20"\n[printer]\nkind = "system"\n')
