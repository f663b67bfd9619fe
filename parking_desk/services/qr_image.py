"""QR symbols and their PNG images, made in C++ (zxing-cpp) and written straight with zlib.

Every delivered e-mail carries one QR code, so its cost is paid per task under the worker's
GIL. ``zxing-cpp`` builds the symbol (encoding, Reed-Solomon, masking) in native code; the
image is a 1-bit greyscale PNG: each module row is packed once and repeated for the module's
height, and the repeats use PNG's "up" filter, so they compress to almost nothing.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import zxingcpp

LEVELS = ("L", "M", "Q", "H")
# Any mask decodes; the standard's scoring only tunes how evenly dark and light modules spread.
# The payload is mostly signature bytes, already evenly spread, so a fixed mask costs scanners
# nothing and saves building the symbol eight times.
FIXED_MASK = 0
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CELLS = bytes.maketrans(b"\x00\xff", b"xy")  # zxing's dark 0 / light 255 as two letters


@dataclass(frozen=True)
class Symbol:
    side: int  # modules per side, without the quiet zone
    modules: bytes  # row by row, one byte per module: 0 dark, 255 light

    def dark(self, row: int, column: int) -> bool:
        return self.modules[row * self.side + column] == 0


def symbol(payload: str, error_correction: str = "M", mask: int | None = FIXED_MASK) -> Symbol:
    """The QR symbol for *payload*; *mask* None lets the encoder score all eight."""
    if error_correction not in LEVELS:
        raise ValueError(f"error correction {error_correction!r} is not L, M, Q or H")
    options: dict[str, object] = {"ec_level": error_correction}
    if mask is not None:
        options["data_mask"] = mask
    # zxing-cpp raises ValueError for empty or oversized content, in words.
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, **options)
    image = code.to_image(scale=1, add_quiet_zones=False)
    side = image.shape[0]
    # zxing-cpp's Image has the buffer protocol; its stubs do not say so.
    return Symbol(side, bytes(memoryview(image)))  # type: ignore[arg-type]


def rows(found: Symbol, border: int = 4) -> list[list[bool]]:
    """Dark or light for every module, the quiet zone of *border* modules included."""
    size = found.side + 2 * border
    blank = [False] * size
    middle = [
        [False] * border
        + [found.modules[r * found.side + c] == 0 for c in range(found.side)]
        + [False] * border
        for r in range(found.side)
    ]
    return [list(blank) for _ in range(border)] + middle + [list(blank) for _ in range(border)]


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(found: Symbol, box_size: int = 10, border: int = 4) -> bytes:
    """A 1-bit greyscale PNG, *box_size* pixels per module, *border* modules of quiet zone."""
    if box_size < 1 or border < 0:
        raise ValueError("box_size must be at least 1 and border not negative")
    width = (found.side + 2 * border) * box_size
    row_bytes = (width + 7) // 8
    dark, light = "0" * box_size, "1" * box_size  # PNG greyscale bit: 0 black, 1 white
    margin, pad = light * border, "1" * (-width % 8)
    bits = found.modules.translate(_CELLS).decode("ascii")
    bits = bits.replace("x", dark).replace("y", light)
    same = (b"\x02" + bytes(row_bytes)) * (box_size - 1)  # filter "up": a repeat of the row
    quiet = b"\x00" + b"\xff" * row_bytes + (b"\x02" + bytes(row_bytes)) * (border * box_size - 1)
    step = found.side * box_size
    raw = [quiet] if border else []
    for start in range(0, len(bits), step):
        line = int(margin + bits[start : start + step] + margin + pad, 2)
        raw.append(b"\x00" + line.to_bytes(row_bytes, "big"))
        raw.append(same)
    if border:
        raw.append(quiet)
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"".join(
        (
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            # Level 1: the repeated rows are zeros already; higher levels spend three to ten
            # times as long on such repetitive data to save a few hundred bytes.
            _chunk(b"IDAT", zlib.compress(b"".join(raw), 1)),
            _chunk(b"IEND", b""),
        )
    )
