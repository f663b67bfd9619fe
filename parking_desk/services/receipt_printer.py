"""Tickets straight to a thermal receipt printer, in ESC/POS, with no dialog.

The commands are composed once with python-escpos (its ``Dummy`` printer collects them) and
then sent to the printer the settings name: a socket to port 9100, the USB device by its
ids, or a CUPS queue through ``lp -o raw``. Composing apart from sending keeps one ticket
identical on every connection and lets a test read exactly what the printer would get.

The QR goes either as the printer's own QR command (``GS ( k``: the printer encodes the
payload, sharpest where the firmware has it) or as a raster image drawn here from the same
modules as the PDF, for printers without the command. Both at error correction Q.

Runs on a background thread (the desk's bridge): every call here may block on the network.
"""

from __future__ import annotations

import copy
import functools
import logging
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime

from escpos.capabilities import Profile
from escpos.constants import QR_ECLEVEL_Q
from escpos.printer import Dummy
from PIL import Image

from parking_desk.errors import PrinterError
from parking_desk.services.ticket_layout import (
    QrBlock,
    TextBlock,
    Ticket,
    blocks,
    dots_per_module,
    local_time,
    qr_modules,
)
from parking_desk.settings_model import PrinterSettings

log = logging.getLogger(__name__)

ESCPOS_KINDS = ("network", "usb", "cups")
PRINT_WIDTH_DOTS = 576  # 72 mm printable on an 80 mm roll at 8 dots/mm
NATIVE_MAX_MODULE_DOTS = 8  # the largest module most firmwares accept for a 60 mm code
# Legacy code pages have only the cedilla forms of Romanian ș and ț.
_CEDILLA = str.maketrans("ȘșȚț", "ŞşŢţ")


def printer_text(text: str) -> str:
    return text.translate(_CEDILLA)


def escpos_ticket(
    ticket: Ticket,
    *,
    qr_mode: str = "native",
    lang: str = "ro",
    when: Callable[[datetime], str] = local_time,
) -> bytes:
    """The ESC/POS commands that print *ticket* and cut the paper."""
    out = Dummy(profile=_receipt_profile())
    out.hw("INIT")
    for block in blocks(ticket, lang, when):
        if isinstance(block, QrBlock):
            _qr(out, block, qr_mode)
        else:
            _text(out, block)
    out.set(align="left", bold=False, normal_textsize=True)
    out.cut()
    return bytes(out.output)


def _text(out: Dummy, block: TextBlock) -> None:
    big = block.points >= 16
    out.set(
        align="center",
        bold=block.bold,
        double_height=block.points >= 12,
        double_width=big,
        normal_textsize=block.points < 12,
    )
    out.textln(printer_text(block.text))
    if block.gap_mm >= 3:
        out.ln()


def _qr(out: Dummy, block: QrBlock, qr_mode: str) -> None:
    modules = qr_modules(block.payload)
    dot = dots_per_module(len(modules), side_mm=block.side_mm)
    out.set(align="center")
    if qr_mode == "native":
        out.qr(
            block.payload,
            ec=QR_ECLEVEL_Q,
            size=max(1, min(NATIVE_MAX_MODULE_DOTS, dot)),
            native=True,
        )
        out.ln()
        return
    side = len(modules)
    image = Image.new("1", (side, side), 1)
    image.putdata([0 if dark else 1 for cells in modules for dark in cells])
    image = image.resize((side * dot, side * dot), Image.Resampling.NEAREST)
    out.image(image, impl="bitImageRaster", center=True)


@functools.cache
def _receipt_profile() -> Profile:
    """python-escpos's generic profile with the width of an 80 mm roll, which it needs to
    centre an image (and leaves "Unknown"), and a cutter, without which it never cuts."""
    features = dict(Profile.profile_data["features"], paperFullCut=True)
    profile = Profile(features=features)
    profile.profile_data = copy.deepcopy(Profile.profile_data)  # the class's copy is shared
    profile.profile_data["media"]["width"]["pixels"] = PRINT_WIDTH_DOTS
    profile.profile_data["media"]["width"]["mm"] = 72
    return profile


def where(settings: PrinterSettings) -> str:
    """The printer as a person names it in an error message."""
    if settings.kind == "network":
        return f"{settings.host}:{settings.port}"
    if settings.kind == "usb":
        return f"USB {settings.usb_vendor_id:04x}:{settings.usb_product_id:04x}"
    return settings.cups_queue


def send(settings: PrinterSettings, data: bytes, *, job_name: str = "ticket") -> None:
    """Deliver *data* to the configured ESC/POS printer, or raise a ``PrinterError``."""
    if settings.kind == "network":
        _send_network(settings, data)
    elif settings.kind == "usb":
        _send_usb(settings, data)
    elif settings.kind == "cups":
        _send_cups(settings, data, job_name)
    else:
        raise ValueError(f"{settings.kind!r} is not an ESC/POS printer")
    log.info("Ticket sent to %s (%d bytes)", where(settings), len(data))


def _send_network(settings: PrinterSettings, data: bytes) -> None:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    printer = Network(settings.host, settings.port, timeout=settings.timeout_s)
    try:
        printer.open()
        printer._raw(data)
    except (DeviceNotFoundError, OSError) as exc:
        raise PrinterError(
            code="error.printer_unreachable", printer=where(settings), reason=_reason(exc)
        ) from exc
    finally:
        printer.close()


def _send_usb(settings: PrinterSettings, data: bytes) -> None:
    try:
        from escpos.printer import Usb

        printer = Usb(
            settings.usb_vendor_id,
            settings.usb_product_id,
            timeout=int(settings.timeout_s * 1000),
        )
        printer.open()
        try:
            printer._raw(data)
        finally:
            printer.close()
    except Exception as exc:  # pyusb missing, no device, no permission, a stalled write
        raise PrinterError(
            code="error.printer_usb", printer=where(settings), reason=_reason(exc)
        ) from exc


def _send_cups(settings: PrinterSettings, data: bytes, job_name: str) -> None:
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError(
            code="error.printer_cups", printer=settings.cups_queue, reason="lp not installed"
        )
    try:
        done = subprocess.run(
            [lp, "-d", settings.cups_queue, "-t", job_name, "-o", "raw"],
            input=data,
            capture_output=True,
            timeout=settings.timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrinterError(
            code="error.printer_cups", printer=settings.cups_queue, reason=_reason(exc)
        ) from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip() or f"lp exit {done.returncode}"
        raise PrinterError(code="error.printer_cups", printer=settings.cups_queue, reason=reason)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return text or type(exc).__name__


def print_ticket(
    settings: PrinterSettings,
    ticket: Ticket,
    *,
    lang: str = "ro",
    when: Callable[[datetime], str] = local_time,
) -> None:
    data = escpos_ticket(ticket, qr_mode=settings.qr_mode, lang=lang, when=when)
    send(settings, data, job_name=f"ticket {ticket.booking_number}")
