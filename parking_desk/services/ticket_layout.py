"""What a printed ticket says, and in what order and size, whoever prints it.

The desk paints it with Qt (a system printer, the PDF, the preview image) and a receipt
printer gets it as ESC/POS commands (``receipt_printer``); both read the same blocks from
here, so a ticket from the thermal printer and one from the PDF never say different things.
The texts come from the shared catalogue, so a headless printer speaks the desk's language.

Printed codes get error correction Q: thermal paper smudges and fades, and a gate scanner
must still read it at the end of a two-week stay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from parking_desk.booking import Booking
from parking_desk.messages import message
from parking_desk.services import qr_image
from parking_desk.site_time import DEFAULT_TIME_ZONE, local

PAPER_WIDTH_MM = 80.0
PAPER_HEIGHT_MM = 150.0
MARGIN_MM = 4.0
QR_SIDE_MM = 60.0
THERMAL_DPI = 203  # the common 8 dots/mm print head
PRINTED_ERROR_CORRECTION = "Q"
QUIET_ZONE = 4
DISPLAY_FORMAT = "%d.%m.%Y %H:%M"


@dataclass(frozen=True)
class Ticket:
    site_name: str
    booking_number: str
    plate: str
    arrival: datetime
    departure: datetime
    payload: str


@dataclass(frozen=True)
class TextBlock:
    """One centred paragraph; *points* is its size on an 80 mm roll."""

    text: str
    points: float
    bold: bool = False
    gap_mm: float = 1.5


@dataclass(frozen=True)
class QrBlock:
    payload: str
    side_mm: float = QR_SIDE_MM
    gap_mm: float = 1.0


Block = TextBlock | QrBlock


def ticket_of(booking: Booking, payload: str, site_name: str) -> Ticket:
    """The ticket of *booking* as it is now: its current plate and dates with *payload*,
    which must have been signed for that plate (see ``key_ring.reissue_ticket``)."""
    return Ticket(
        site_name=site_name,
        booking_number=booking.booking_number or "",
        plate=booking.plate,
        arrival=booking.arrival,
        departure=booking.departure,
        payload=payload,
    )


def local_time(value: datetime, zone: str = DEFAULT_TIME_ZONE) -> str:
    """The site's time (the desk passes its own ``show``, which follows ``desk.time_zone``);
    never the zone of the machine that happens to print."""
    return local(value, zone).strftime(DISPLAY_FORMAT)


def blocks(
    ticket: Ticket, lang: str = "ro", when: Callable[[datetime], str] = local_time
) -> list[Block]:
    """The ticket top to bottom. *when* writes a time as the desk shows it."""
    return [
        TextBlock(ticket.site_name, 13, bold=True, gap_mm=3),
        QrBlock(ticket.payload),
        TextBlock(ticket.booking_number, 20, bold=True),
        TextBlock(ticket.plate, 16, bold=True, gap_mm=3),
        TextBlock(message("ticket.arrival", lang, when=when(ticket.arrival)), 9),
        TextBlock(message("ticket.departure", lang, when=when(ticket.departure)), 9, gap_mm=3),
        TextBlock(message("ticket.keep", lang), 8),
    ]


def qr_modules(payload: str) -> list[list[bool]]:
    """The code's modules, quiet zone included, at error correction Q. A ticket is printed
    once, so the encoder scores all eight masks for the most even pattern on paper."""
    found = qr_image.symbol(payload, PRINTED_ERROR_CORRECTION, mask=None)
    return qr_image.rows(found, border=QUIET_ZONE)


def dots_per_module(modules: int, dpi: int = THERMAL_DPI, side_mm: float = QR_SIDE_MM) -> int:
    """Whole device dots per module: sharp square modules on any print head."""
    return max(1, int(side_mm / 25.4 * dpi) // modules)
