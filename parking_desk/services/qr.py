"""Signed ticket payloads and their QR images.

The payload stays inside QR's alphanumeric alphabet (0-9 A-Z space $%*+-./:) so the code is
about a third smaller than in byte mode and reads reliably off a phone screen or a cheap
thermal print::

    PD1:867962:B123ABC:202612011200:K3XQ7ZPA:<103 base32 characters of signature>

version, booking number, plate, end of validity (UTC, to the minute), key id, and the
Ed25519 signature over everything before it. A gate holding only the public key can tell a
genuine ticket from a forged or altered one offline. The signature proves a ticket genuine,
not unused: check-in and check-out are state changes in the store.

A ticket string has exactly one valid encoding. The signature's 64 bytes take 103 base32
characters, the last of which carries 3 spare bits: they must be zero, or eight different
strings would verify as the same ticket. The booking number keeps its case although QR's
alphanumeric alphabet has no lower case: the website may allocate ``ab12cd``, and the store
knows the booking by exactly that. A lower-case letter is written ``$`` and the letter
(``$A$B12$C$D``), a ``$`` of the number itself ``$$``; a scanner that inverts caps lock
changes nothing, since ``$a`` and ``$A`` read the same. Numbers without lower case or ``$``
(every number the desk allocates) look exactly as before.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from parking_desk.services import qr_image
from parking_desk.services.keys import key_id, load_or_create_private_key, public_key_pem
from parking_desk.services.keys import load_public_key as _load_public_key
from parking_desk.timeutil import utcnow

VERSION = "PD1"
STAMP_FORMAT = "%Y%m%d%H%M"
SIGNATURE_CHARS = 103  # 64 bytes in base32 without padding
_FIELD = re.compile(r"^[0-9A-Z$%*+\-./]{1,24}$")  # alphanumeric minus ":" and space
_NUMBER_FIELD = re.compile(r"^[0-9A-Z$%*+\-./]{1,48}$")  # the number with its case marks
CASE_MARK = "$"

VALID, FORGED, ALTERED, EXPIRED, MALFORMED = "valid", "forged", "altered", "expired", "malformed"
# Genuine, but signed by a key a supervisor has revoked (decided by the site's key ring).
REVOKED = "revoked"


@dataclass(frozen=True)
class Verification:
    status: str  # valid | forged | altered | expired | malformed (| revoked, by the key ring)
    booking_number: str = ""
    plate: str = ""
    valid_until: datetime | None = None
    key_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status == VALID


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    """Strict: the decoder ignores a last character's spare bits, so a string that does not
    re-encode to itself (spare bits set) is refused rather than read as its twin."""
    data = base64.b32decode(text + "=" * (-len(text) % 8))
    if _b32(data) != text:
        raise ValueError("non-canonical base32 (spare bits set)")
    return data


def encode_number(number: str) -> str:
    """The booking number as the ticket carries it: upper case with ``$`` case marks."""
    text = str(number).strip()
    if not 1 <= len(text) <= 24:
        raise ValueError(f"booking number {number!r} cannot go in a ticket (1 to 24 characters)")
    out = []
    for ch in text:
        if ch == CASE_MARK:
            out.append(CASE_MARK * 2)
        elif "a" <= ch <= "z":
            out.append(CASE_MARK + ch.upper())
        else:
            out.append(ch)
    encoded = "".join(out)
    if not _NUMBER_FIELD.match(encoded):
        raise ValueError(
            f"booking number {number!r} cannot go in a ticket (letters, digits, -./ only)"
        )
    return encoded


def decode_number(field: str) -> str | None:
    """The booking number a ticket field names; None for a field no ticket can carry (a
    lone ``$``, or one before anything but a letter or ``$``: one number, one spelling)."""
    if not _NUMBER_FIELD.match(field):
        return None
    out, i = [], 0
    while i < len(field):
        ch = field[i]
        if ch != CASE_MARK:
            out.append(ch)
            i += 1
            continue
        nxt = field[i + 1 : i + 2]
        if nxt == CASE_MARK:
            out.append(CASE_MARK)
        elif "A" <= nxt <= "Z":
            out.append(nxt.lower())
        else:
            return None
        i += 2
    number = "".join(out)
    return number if len(number) <= 24 else None


def _field(value: str, what: str) -> str:
    text = str(value).strip().upper()
    if what == "plate":
        text = re.sub(r"[\s\-.·]+", "", text)
    if not _FIELD.match(text):
        raise ValueError(f"{what} {value!r} cannot go in a ticket (letters, digits, -./ only)")
    return text


class QrSigner:
    """Issues signed payloads with the desk's private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    @classmethod
    def load_or_create(cls, path: Path) -> QrSigner:
        return cls(load_or_create_private_key(Path(path)))

    def public_key_pem(self) -> bytes:
        return public_key_pem(self.public_key)

    def payload(self, booking_number: str, plate: str, valid_until: datetime) -> str:
        if valid_until.tzinfo is None:
            raise ValueError("valid_until must carry a time zone")
        stamp = valid_until.astimezone(UTC).strftime(STAMP_FORMAT)
        body = ":".join(
            (
                VERSION,
                encode_number(booking_number),
                _field(plate, "plate"),
                stamp,
                self.key_id,
            )
        )
        return f"{body}:{_b32(self._key.sign(body.encode('ascii')))}"


def load_public_key(pem: bytes | str) -> Ed25519PublicKey:
    return _load_public_key(pem)


def normalise_scan(payload: str) -> str:
    """Scanners type like keyboards: drop whitespace they add, undo a caps-lock inversion."""
    return re.sub(r"\s+", "", payload or "").upper()


def verify(
    payload: str, public_keys: Sequence[Ed25519PublicKey], now: datetime | None = None
) -> Verification:
    """Say whether *payload* is a genuine, unexpired ticket, never raising on bad input."""
    text = normalise_scan(payload)
    parts = text.split(":")
    if len(parts) != 6 or parts[0] != VERSION:
        return Verification(MALFORMED)
    _, number_field, plate, stamp, kid, signature = parts
    number = decode_number(number_field)
    if number is None or len(signature) != SIGNATURE_CHARS:
        return Verification(MALFORMED)
    try:
        valid_until = datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC)
        sig = _unb32(signature)
    except (ValueError, binascii.Error):
        return Verification(MALFORMED)
    if valid_until.strftime(STAMP_FORMAT) != stamp:  # "2026121120" for 2026-12-01 12:00
        return Verification(MALFORMED)
    if not _FIELD.match(plate) or len(sig) != 64:
        return Verification(MALFORMED)
    found = Verification(FORGED, number, plate, valid_until, kid)
    keys = [k for k in public_keys if key_id(k) == kid]
    if not keys:
        return found  # signed by a key we never issued tickets with
    body = text.rsplit(":", 1)[0].encode("ascii")
    for key in keys:
        try:
            key.verify(sig, body)
            break
        except InvalidSignature:
            continue
    else:
        return Verification(ALTERED, number, plate, valid_until, kid)
    if (now or utcnow()) > valid_until:
        return Verification(EXPIRED, number, plate, valid_until, kid)
    return Verification(VALID, number, plate, valid_until, kid)


def render_png(
    payload: str, *, error_correction: str = "M", box_size: int = 10, border: int = 4
) -> bytes:
    """The QR as PNG bytes: "M" for screens and e-mail, "Q" for printed tickets.

    Made once per delivered e-mail, so it is native code and a fixed mask
    (``parking_desk.services.qr_image``).
    """
    return qr_image.png(qr_image.symbol(payload, error_correction), box_size, border)
