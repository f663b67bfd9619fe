"""This machine's own key, as the ring names it and as it is published in the store."""

from __future__ import annotations

import logging
import socket
from datetime import datetime

from parking_desk.services.key_ring.signing_key import SigningKey
from parking_desk.services.key_ring.store_role import key_store
from parking_desk.services.keys import public_key_pem
from parking_desk.services.qr import (
    QrSigner,
)
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)


def machine_name(desk_name: str = "", kind: str = "desk") -> str:
    """How the ring names this machine: the configured desk name, else the host's."""
    host = socket.gethostname().split(".")[0] or "host"
    if kind != "desk":
        return f"{kind} {host}"
    return desk_name.strip() or host


def own_key(signer: QrSigner, machine: str, *, now: datetime | None = None) -> SigningKey:
    return SigningKey(
        kid=signer.key_id,
        public_key_pem=public_key_pem(signer.public_key).decode("ascii"),
        machine=machine,
        created_at=(now or utcnow()).replace(microsecond=0),
    )


def publish_own_key(store: object, key: SigningKey) -> SigningKey:
    """Publish this machine's key (idempotent: a key already published keeps its record)."""
    stored = key_store(store).publish_signing_key(key)
    if stored.public_key_pem.strip() != key.public_key_pem.strip():
        log.error("Key id %s is already published for another key (%s)", key.kid, stored.machine)
    elif stored.revoked:
        log.warning(
            "This machine's signing key %s was revoked on %s by %s: its tickets are refused",
            key.kid,
            stored.revoked_at,
            stored.revoked_by,
        )
    return stored
