"""A ticket checked against the ring: the signature's verdict and the key behind it.

A ticket a revoked key signed is refused for that reason, not read as forged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parking_desk.services.key_ring.signing_key import SigningKey
from parking_desk.services.qr import (
    EXPIRED,
    FORGED,
    REVOKED,
    VALID,
    Verification,
    verify,
)


@dataclass(frozen=True)
class TicketVerdict:
    """A ticket checked against the ring: the signature's verdict, and the key behind it."""

    status: str  # valid | forged | altered | expired | malformed | revoked
    check: Verification
    key: SigningKey | None = None

    @property
    def ok(self) -> bool:
        return self.status == VALID

    @property
    def booking_number(self) -> str:
        return self.check.booking_number

    def message_code(self) -> str:
        if self.status == REVOKED and not (self.key and self.key.revoked_by):
            return "ticket.revoked_unnamed"  # a ring exported before it named who revoked
        return f"ticket.{self.status}"

    def params(self) -> dict[str, Any]:
        key = self.key
        until = self.check.valid_until
        return {
            "number": self.check.booking_number,
            "plate": self.check.plate,
            "until": until.strftime("%Y-%m-%d %H:%M UTC") if until else "",
            "kid": self.check.key_id,
            "machine": key.machine if key and key.machine else self.check.key_id,
            "revoked_at": key.revoked_at.strftime("%Y-%m-%d %H:%M UTC")
            if key and key.revoked_at
            else "",
            "revoked_by": key.revoked_by if key else "",
        }

    def text(self, lang: str = "en") -> str:
        from parking_desk.messages import message

        return message(self.message_code(), lang, **self.params())


def check_ticket(
    payload: str, keys: Sequence[SigningKey], now: datetime | None = None
) -> TicketVerdict:
    """Verify *payload* against *keys*, revoked ones included so that their tickets are
    refused for that reason (before expiry: a revoked ticket is never "only expired")."""
    public = [k.public_key for k in keys if k.public_key is not None]
    check = verify(payload, [p for p in public if p is not None], now)
    key = next((k for k in keys if k.kid == check.key_id), None) if check.key_id else None
    status = check.status
    genuine = status in (VALID, EXPIRED)
    unverifiable = key is not None and status == FORGED and key.public_key is None  # a note
    if key is not None and key.revoked and (genuine or unverifiable):
        status = REVOKED
    return TicketVerdict(status, check, key)
