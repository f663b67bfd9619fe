"""The site's key ring: which ticket-signing keys every desk, worker and gate trusts.

Each machine keeps its own Ed25519 private key (``keys.py``, never copied anywhere) and
publishes the public half in the store as ``signingKeys/{kid}`` (``publishing.py``). A
verifier trusts every key of the ring that is not revoked (``ring.py``, with its local copy
and the thread that follows the store), so a ticket printed at desk A or e-mailed by the
headless worker verifies at desk B and at the gate. A gate holds only an exported ring
(``ring_files.py``, ``export-public-key``) and checks with ``parking-desk ticket verify``.

Revoked keys stay in the ring, marked (``revocation.py``): a ticket they signed is refused
with the reason ("signed with a revoked key, desk X, revoked ...", ``verdict.py``) instead
of reading as forged, and the desk can print the client a new one (``reissue.py``).
"""

from parking_desk.services.key_ring.publishing import machine_name, own_key, publish_own_key
from parking_desk.services.key_ring.reissue import Reissued, booking_for_ticket, reissue_ticket
from parking_desk.services.key_ring.revocation import revoke_key
from parking_desk.services.key_ring.ring import (
    LISTENED_POLL_S,
    POLL_S,
    KeyRing,
    KeyRingFollower,
)
from parking_desk.services.key_ring.ring_files import (
    CACHE_NAME,
    RING_FORMAT,
    parse_ring,
    read_ring_file,
    ring_cache_path,
    ring_json,
    ring_pem,
    write_ring_file,
)
from parking_desk.services.key_ring.signing_key import (
    COLLECTION,
    KeyRingError,
    SigningKey,
    with_revocation,
)
from parking_desk.services.key_ring.store_role import SigningKeyStore, Unsubscribe, key_store
from parking_desk.services.key_ring.verdict import TicketVerdict, check_ticket

__all__ = [
    "CACHE_NAME",
    "COLLECTION",
    "LISTENED_POLL_S",
    "POLL_S",
    "RING_FORMAT",
    "KeyRing",
    "KeyRingError",
    "KeyRingFollower",
    "Reissued",
    "SigningKey",
    "SigningKeyStore",
    "TicketVerdict",
    "Unsubscribe",
    "booking_for_ticket",
    "check_ticket",
    "key_store",
    "machine_name",
    "own_key",
    "parse_ring",
    "publish_own_key",
    "read_ring_file",
    "reissue_ticket",
    "revoke_key",
    "ring_cache_path",
    "ring_json",
    "ring_pem",
    "with_revocation",
    "write_ring_file",
]
