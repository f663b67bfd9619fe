"""A published signing key as the ring holds it, and the revocation rule both stores apply.

``signingKeys/{kid}`` holds the public half of one machine's Ed25519 key, the machine's
name, when it was made, and, once a supervisor revokes it, when and by whom.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from parking_desk.errors import ParkingDeskError
from parking_desk.services.keys import KeyFileError, load_public_key
from parking_desk.timeutil import as_utc, utcnow

log = logging.getLogger(__name__)


COLLECTION = "signingKeys"


class KeyRingError(ParkingDeskError):
    code = "error.key_ring_unreadable"


@dataclass(frozen=True)
class SigningKey:
    """One published key. ``public_key_pem`` is empty for a revocation note (an exported
    ring names a revoked key but does not carry it)."""

    kid: str
    public_key_pem: str
    machine: str
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str = ""

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @functools.cached_property
    def public_key(self) -> Ed25519PublicKey | None:
        if not self.public_key_pem:
            return None
        try:
            return load_public_key(self.public_key_pem)
        except KeyFileError:
            log.warning("Signing key %s in the ring is not an Ed25519 key; ignored", self.kid)
            return None

    def to_document(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "publicKey": self.public_key_pem,
            "machine": self.machine,
            "createdAt": self.created_at,
            "revokedAt": self.revoked_at,
            "revokedBy": self.revoked_by,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any], kid: str | None = None) -> SigningKey:
        created = doc.get("createdAt")
        revoked = doc.get("revokedAt")
        return cls(
            kid=str(doc.get("kid") or kid or ""),
            public_key_pem=str(doc.get("publicKey") or ""),
            machine=str(doc.get("machine") or ""),
            created_at=_when(created) or utcnow(),
            revoked_at=_when(revoked),
            revoked_by=str(doc.get("revokedBy") or ""),
        )


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return as_utc(datetime.fromisoformat(value))
    return as_utc(value)


def with_revocation(key: SigningKey, *, by: str, at: datetime) -> SigningKey:
    """The revocation rule, once for both stores: the first revocation stands."""
    if key.revoked:
        return key
    return replace(key, revoked_at=at, revoked_by=by)
