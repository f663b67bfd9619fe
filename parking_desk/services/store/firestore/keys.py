"""The site's signing keys in Firestore: ``signingKeys/{kid}``, one small document each.

Publishing is a create: a key already published keeps its document (its creation time and
any revocation), so every start of every machine may publish without a read first. A
revocation is a write conditioned on the document's update time, so two supervisors
revoking at once leave the first one's name and time. The ring is a handful of documents:
the listener on the whole collection costs nothing worth an index or a narrower query.

signingKeys
  no filter                                     signing_keys, watch_signing_keys: none
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc

from parking_desk.errors import StoreUnavailable
from parking_desk.services.key_ring import COLLECTION, SigningKey, with_revocation
from parking_desk.services.store.firestore.docs import RPC, Watch, guarded

log = logging.getLogger(__name__)

REVOKE_TRIES = 20


def _key(snap: Any) -> SigningKey | None:
    try:
        return SigningKey.from_document(snap.to_dict() or {}, snap.id)
    except (TypeError, ValueError) as exc:  # written by someone else in another shape
        log.warning("signingKeys/%s unreadable (%s); ignored", snap.id, exc)
        return None


def _keys(snaps: Any) -> list[SigningKey]:
    keys = [k for k in (_key(s) for s in snaps) if k is not None]
    return sorted(keys, key=lambda k: (k.created_at, k.kid))


class FirestoreKeys:
    """The ``signingKeys`` collection; *watches* is the store's set of open listeners."""

    def __init__(self, db: Any, watches: set[Watch]) -> None:
        self._db = db
        self._watches = watches

    def _col(self) -> Any:
        return self._db.collection(COLLECTION)

    @guarded
    def publish(self, key: SigningKey) -> SigningKey:
        ref = self._col().document(key.kid)
        try:
            ref.create(key.to_document(), **RPC)
            return key
        except gexc.AlreadyExists:
            pass
        stored = _key(ref.get(**RPC))
        return stored if stored is not None else key

    @guarded
    def all(self) -> list[SigningKey]:
        return _keys(self._col().stream(**RPC))

    @guarded
    def revoke(self, kid: str, *, revoked_by: str, at: datetime) -> tuple[SigningKey | None, bool]:
        ref = self._col().document(kid)
        for _ in range(REVOKE_TRIES):
            snap = ref.get(**RPC)
            key = _key(snap) if snap.exists else None
            if key is None:
                return None, False
            revoked = with_revocation(key, by=revoked_by, at=at)
            if revoked == key:
                return key, False
            fields = {"revokedAt": revoked.revoked_at, "revokedBy": revoked.revoked_by}
            try:
                ref.update(
                    fields, option=self._db.write_option(last_update_time=snap.update_time), **RPC
                )
            except gexc.FailedPrecondition:
                continue  # changed since the read (another revocation?): read again
            return revoked, True
        raise StoreUnavailable(f"signingKeys/{kid}: revocation kept losing to other writes")

    def watch(self, callback: Callable[[list[SigningKey]], None]) -> Watch:
        """Call *callback* (on a listener thread) with the whole ring on every change."""

        def on_snapshot(docs: Any, _changes: Any, _read_time: Any) -> None:
            try:
                callback(_keys(docs))
            except Exception:  # a failing consumer must not kill the listener
                log.exception("key ring listener failed")

        return Watch(self._col().on_snapshot(on_snapshot), self._watches)
