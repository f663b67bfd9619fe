"""What the ring needs from a store: both backends (``sqlite/keys.py``,
``firestore/keys.py``) keep the site's signing keys."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from parking_desk.services.key_ring.signing_key import SigningKey


@runtime_checkable
class SigningKeyStore(Protocol):
    """What the ring needs from a store (both backends, ``sqlite_keys`` / ``firestore_keys``)."""

    def publish_signing_key(self, key: SigningKey) -> SigningKey:
        """Create ``signingKeys/{kid}`` unless it exists; the stored key either way."""

    def signing_keys(self) -> list[SigningKey]: ...

    def revoke_signing_key(
        self, kid: str, *, revoked_by: str, at: datetime
    ) -> tuple[SigningKey | None, bool]:
        """Mark the key revoked unless it already is: (the key as stored, whether this call
        revoked it); (None, False) for a kid the ring does not hold."""

    def record_audit(
        self,
        operator: str,
        action: str,
        task_ids: Iterable[str] = (),
        *,
        filter: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Any: ...


class Unsubscribe(Protocol):
    def unsubscribe(self) -> None: ...


def key_store(store: object) -> SigningKeyStore:
    """*store* as the ring's role (every backend has it; until ``Store`` declares it, this
    is where a wrong object says so)."""
    if not isinstance(store, SigningKeyStore):
        raise TypeError(f"{type(store).__name__} keeps no signing keys")
    return store
