"""A ticket printed in ESC/POS to a listener on loopback, read back the way a printer would:
the QR command's payload, the raster's code and the booking number in the text."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from PIL import Image
from zxingcpp import read_barcodes

from parking_desk.config import load_settings
from parking_desk.errors import ConfigError, PrinterError
from parking_desk.services import receipt_printer
from parking_desk.services.qr import QrSigner, verify
from parking_desk.services.ticket_layout import Ticket
from parking_desk.settings_model import PrinterSettings
from parking_desk.timeutil import utcnow


@dataclass
class Listener:
    """A printer's port 9100 on 127.0.0.1: takes connections and keeps what each one sent."""

    sock: socket.socket
    jobs: list[bytes] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
            self.jobs.append(b"".join(chunks))
            self.done.set()

    def job(self) -> bytes:
        assert self.done.wait(30), "the printer never got a job"
        return self.jobs[-1]


@pytest.fixture
def listener() -> Iterator[Listener]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    found = Listener(sock)
    thread = threading.Thread(target=found.serve, daemon=True)
    thread.start()
    yield found
    sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() the thread is blocked in
    sock.close()
    thread.join()


@pytest.fixture
def signer(tmp_path) -> QrSigner:
    return QrSigner.load_or_create(tmp_path / "key.pem")


def a_ticket(signer: QrSigner, number: str = "W-20417") -> Ticket:
    now = utcnow().replace(microsecond=0)
    payload = signer.payload(number, "B123ABC", now + timedelta(days=3, hours=12))
    return Ticket("Parcare Otopeni", number, "B123ABC", now, now + timedelta(days=3), payload)


def native_qr_payloads(data: bytes) -> list[str]:
    """The data stored by each ``GS ( k`` "store symbol data" command (cn 49, fn 80)."""
    found, at = [], 0
    while (at := data.find(b"\x1d(k", at)) >= 0:
        length = data[at + 3] + 256 * data[at + 4]
        body = data[at + 5 : at + 5 + length]
        if body[:3] == b"1P0":
            found.append(body[3:].decode("ascii"))
        at += 5 + length
    return found


def raster_images(data: bytes) -> list[Image.Image]:
    """Each ``GS v 0`` raster bit image as a picture (1 bits are black dots)."""
    images, at = [], 0
    while (at := data.find(b"\x1dv0", at)) >= 0:
        width_bytes = data[at + 4] + 256 * data[at + 5]
        height = data[at + 6] + 256 * data[at + 7]
        start = at + 8
        bits = data[start : start + width_bytes * height]
        image = Image.frombytes("1", (width_bytes * 8, height), bits)
        images.append(Image.eval(image.convert("L"), lambda v: 255 - v))
        at = start + len(bits)
    return images


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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
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
