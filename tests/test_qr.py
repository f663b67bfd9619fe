"""Signed QR tickets, decoded by an independent reader (zxing-cpp) and verified."""

from __future__ import annotations

import io
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image

from parking_desk.services import qr, qr_image
from parking_desk.services.keys import (
    KeyFileError,
    load_or_create_private_key,
    write_public_key,
)
from parking_desk.services.qr import QrSigner, load_public_key, render_png, verify

ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
DEPARTURE = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
VALID_UNTIL = DEPARTURE + timedelta(hours=12)
BEFORE = DEPARTURE - timedelta(days=2)


@pytest.fixture
def signer(tmp_path: Path) -> QrSigner:
    return QrSigner.load_or_create(tmp_path / "keys" / "qr-signing-key.pem")


def decode(png: bytes) -> zxingcpp.Barcode:
    image = Image.open(io.BytesIO(png))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return found[0]


def test_payload_uses_only_the_alphanumeric_alphabet(signer: QrSigner) -> None:
    payload = signer.payload("867962", "b 123-abc", VALID_UNTIL)
    assert set(payload) <= ALPHANUMERIC
    assert ":867962:B123ABC:202612012130:" in payload
    assert len(payload) < 160
    assert len(payload.rsplit(":", 1)[1]) == qr.SIGNATURE_CHARS


@pytest.mark.parametrize("level", ["M", "Q"])
def test_png_decodes_with_zxing_and_verifies(signer: QrSigner, level: str) -> None:
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    barcode = decode(render_png(payload, error_correction=level))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == payload
    assert barcode.ec_level == level
    result = verify(barcode.text, [signer.public_key], now=BEFORE)
    assert result.status == "valid" and result.ok
    assert (result.booking_number, result.plate, result.valid_until) == (
        "867962",
        "B123ABC",
        VALID_UNTIL,
    )


def test_png_has_a_quiet_zone_of_four_modules(signer: QrSigner) -> None:
    png = render_png(signer.payload("1", "B1ABC", VALID_UNTIL), box_size=10, border=4)
    image = Image.open(io.BytesIO(png)).convert("L")
    margin = image.crop((0, 0, image.width, 40))  # four modules of ten pixels, top edge
    assert margin.getextrema() == (255, 255)
    assert image.getpixel((40, 40)) == 0, "the finder pattern starts right after the margin"


@pytest.mark.parametrize("level", ["M", "Q"])
def test_symbol_is_bit_for_bit_what_an_independent_encoder_makes(signer: QrSigner, level: str):
    """The same payload, level and mask fix every module: segno (pure Python) must agree."""
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    made = qr_image.symbol(payload, level)
    reference = segno.make_qr(
        payload, error=level.lower(), mask=qr_image.FIXED_MASK, boost_error=False
    )
    expected = [[bool(m) for m in row] for row in reference.matrix_iter(scale=1, border=4)]
    assert qr_image.rows(made, border=4) == expected


@pytest.mark.parametrize(("box_size", "border"), [(1, 4), (3, 4), (10, 4), (7, 0)])
def test_png_sizes_decode(signer: QrSigner, box_size: int, border: int) -> None:
    payload = signer.payload("42", "CJ01XYZ", VALID_UNTIL)
    png = render_png(payload, box_size=box_size, border=border)
    image = Image.open(io.BytesIO(png))
    side = qr_image.symbol(payload).side
    assert image.size == ((side + 2 * border) * box_size,) * 2
    if box_size >= 3:  # one pixel per module is too small for any camera, and for zxing
        canvas = Image.new("L", (image.width + 80, image.height + 80), 255)
        canvas.paste(image.convert("L"), (40, 40))  # a quiet zone for the borderless one
        out = io.BytesIO()
        canvas.save(out, format="PNG")
        assert decode(out.getvalue()).text == payload


def test_printed_ticket_modules_with_the_scored_mask_decode(signer: QrSigner) -> None:
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    modules = qr_image.rows(qr_image.symbol(payload, "Q", mask=None), border=4)
    image = Image.new("1", (len(modules), len(modules)), 1)
    image.putdata([0 if dark else 1 for row in modules for dark in row])
    image = image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    found = decode(out.getvalue())
    assert (found.text, found.ec_level) == (payload, "Q")


@pytest.mark.parametrize(
    ("payload", "level"), [("A" * 5000, "M"), ("", "M"), ("PD1:1", "X"), ("PD1:1", "m")]
)
def test_what_cannot_be_a_qr_code_is_a_clear_value_error(payload: str, level: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        render_png(payload, error_correction=level)


def test_altered_payload_is_refused(signer: QrSigner) -> None:
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    other_plate = payload.replace(":B123ABC:", ":B999XYZ:")
    later = payload.replace(":202612012130:", ":202712012130:")
    for altered in (other_plate, later):
        result = verify(altered, [signer.public_key], now=BEFORE)
        assert result.status == "altered" and not result.ok


def test_ticket_signed_by_another_key_is_forged(signer: QrSigner, tmp_path: Path) -> None:
    stranger = QrSigner.load_or_create(tmp_path / "stranger.pem")
    payload = stranger.payload("867962", "B123ABC", VALID_UNTIL)
    assert verify(payload, [signer.public_key], now=BEFORE).status == "forged"
    assert verify(payload, [signer.public_key, stranger.public_key], now=BEFORE).ok


def test_expired_ticket_is_refused(signer: QrSigner) -> None:
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    result = verify(payload, [signer.public_key], now=VALID_UNTIL + timedelta(minutes=1))
    assert result.status == "expired" and result.booking_number == "867962"
    assert verify(payload, [signer.public_key], now=VALID_UNTIL).ok


def test_scanner_typing_with_whitespace_and_lowercase_is_accepted(signer: QrSigner) -> None:
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    typed = "  " + payload[:40].lower() + "\r\n" + payload[40:] + "\n"
    assert verify(typed, [signer.public_key], now=BEFORE).ok


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "hello",
        "PD1:1:2:3:4:5",
        "PD1:867962:B1ABC:209913011200:AAAAAAAA:" + "A" * 103,
        "PD1:867962:B1ABC:202612011200:AAAAAAAA:!!!",
        "PD9:1:B:202612011200:K:S",
    ],
)
def test_malformed_scans_are_reported_not_raised(signer: QrSigner, junk: str) -> None:
    assert verify(junk, [signer.public_key]).status == "malformed"


def test_fields_outside_the_alphabet_are_rejected_when_issuing(signer: QrSigner) -> None:
    with pytest.raises(ValueError):
        signer.payload("86:79", "B123ABC", VALID_UNTIL)
    with pytest.raises(ValueError):
        signer.payload("867962", "BĂ123", VALID_UNTIL)
    with pytest.raises(ValueError):
        signer.payload("867962", "B123ABC", datetime(2026, 12, 1))


def test_key_is_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "qr-signing-key.pem"
    first = QrSigner.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = QrSigner.load_or_create(path)
    assert second.key_id == first.key_id
    payload = first.payload("5", "B1ABC", VALID_UNTIL)
    gate_key = load_public_key(second.public_key_pem())
    assert verify(payload, [gate_key], now=BEFORE).ok
    assert b"PRIVATE" not in first.public_key_pem()


def test_public_key_exported_for_a_gate(signer: QrSigner, tmp_path: Path) -> None:
    exported = write_public_key(signer.public_key, tmp_path / "gate" / "desk-1.pub.pem")
    gate_keys = [load_public_key(exported.read_bytes())]
    payload = signer.payload("867962", "B123ABC", VALID_UNTIL)
    assert verify(payload, gate_keys, now=BEFORE).ok
    with pytest.raises(KeyFileError):
        load_public_key(b"-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n")


def test_a_key_readable_by_others_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    first = QrSigner.load_or_create(path)
    path.chmod(0o644)
    assert QrSigner.load_or_create(path).key_id == first.key_id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_racing_first_runs_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "race.pem"
    ids: list[str] = []
    start = threading.Barrier(4)

    def create() -> None:
        start.wait()
        ids.append(QrSigner.load_or_create(path).key_id)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["race.pem"]


def test_a_corrupt_key_file_is_never_silently_replaced(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("not a key")
    with pytest.raises(KeyFileError):
        load_or_create_private_key(path)
    assert path.read_text() == "not a key"
