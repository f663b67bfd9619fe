"""The keys this machine trusts, its local copy, and the thread that follows the store.

Verification must work offline, so the ring is kept in a JSON file in the data folder. It is
read at start, before the store is reached, and rewritten whenever the store's ring changes.
A background thread (``KeyRingFollower``) publishes this machine's key, reads the ring, then
listens for changes (Firestore) or polls (SQLite); it never runs on the GUI thread and never
touches a widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from parking_desk.services.key_ring.publishing import publish_own_key
from parking_desk.services.key_ring.ring_files import read_ring_file, write_ring_file
from parking_desk.services.key_ring.signing_key import KeyRingError, SigningKey
from parking_desk.services.key_ring.store_role import SigningKeyStore, Unsubscribe, key_store
from parking_desk.services.key_ring.verdict import TicketVerdict, check_ticket
from parking_desk.services.keys import key_id, public_key_pem
from parking_desk.timeutil import utcnow

log = logging.getLogger(__name__)


# How often a follower reads the ring again: the only way SQLite desks learn of a new key,
# and on Firestore a safety net under the listener (which reconnects by itself).
POLL_S = 30.0
LISTENED_POLL_S = 600.0


class KeyRing:
    """The keys this machine trusts: the store's ring as last seen, plus its own key until
    the store has it. Read by the GUI thread (a scan), written by the follower's thread."""

    def __init__(
        self,
        keys: Iterable[SigningKey] = (),
        *,
        cache_path: Path | None = None,
        own: SigningKey | None = None,
    ) -> None:
        # Guards _keys and _own: replaced by the follower, read by every verifier.
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] = {k.kid: k for k in keys}
        self._own = own
        self.cache_path = cache_path
        self._listeners: list[Callable[[], None]] = []
        self._follower: KeyRingFollower | None = None

    @classmethod
    def of_public_keys(cls, keys: Iterable[Ed25519PublicKey]) -> KeyRing:
        """A fixed ring from bare keys (a gate's PEM file, a test)."""
        now = utcnow()
        return cls(SigningKey(key_id(k), public_key_pem(k).decode("ascii"), "", now) for k in keys)

    @classmethod
    def load(cls, cache_path: Path, *, own: SigningKey | None = None) -> KeyRing:
        """The ring as this machine last saw it; a missing or unreadable copy is an empty
        ring (the follower fills it in), never a reason not to start."""
        keys: list[SigningKey] = []
        if cache_path.exists():
            try:
                keys = read_ring_file(cache_path)
            except KeyRingError as exc:
                log.warning(
                    "Local key ring %s unreadable (%s); starting without it", cache_path, exc
                )
        return cls(keys, cache_path=cache_path, own=own)

    # --- reading --------------------------------------------------------------------------
    def members(self) -> list[SigningKey]:
        with self._lock:
            keys = dict(self._keys)
            own = self._own
        if own is not None and own.kid not in keys:
            keys[own.kid] = own
        return sorted(keys.values(), key=lambda k: (k.created_at, k.kid))

    def trusted(self) -> list[SigningKey]:
        return [k for k in self.members() if not k.revoked and k.public_key is not None]

    def get(self, kid: str) -> SigningKey | None:
        return next((k for k in self.members() if k.kid == kid), None)

    def verify(self, payload: str, now: datetime | None = None) -> TicketVerdict:
        return check_ticket(payload, self.members(), now)

    # --- changing -------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[], None]) -> None:
        """*callback* runs on the follower's thread after the ring changed."""
        self._listeners.append(callback)

    def set_own(self, key: SigningKey) -> None:
        with self._lock:
            self._own = key

    def replace(self, keys: Iterable[SigningKey]) -> bool:
        """Take the store's ring; True (and the local copy rewritten) if it changed."""
        new = {k.kid: k for k in keys}
        with self._lock:
            changed = new != self._keys
            self._keys = new
        if changed:
            self._save()
            for callback in list(self._listeners):
                try:
                    callback()
                except Exception:  # a failing listener must not stop the follower
                    log.exception("key ring listener failed")
        return changed

    def _save(self) -> None:
        if self.cache_path is None:
            return
        try:
            write_ring_file(self.members(), self.cache_path, include_revoked_keys=True)
        except OSError as exc:
            log.warning("Local key ring %s not saved: %s", self.cache_path, exc)

    # --- following the store --------------------------------------------------------------
    def follow(self, store: object, *, poll_s: float = POLL_S) -> KeyRingFollower:
        """Start keeping this ring in step with *store* in a background thread."""
        self.close()
        follower = KeyRingFollower(self, key_store(store), poll_s=poll_s)
        self._follower = follower
        follower.start()
        return follower

    def close(self) -> None:
        follower, self._follower = self._follower, None
        if follower is not None:
            follower.stop()


class KeyRingFollower:
    """Publishes this machine's key, then keeps the ring in step with the store."""

    def __init__(self, ring: KeyRing, store: SigningKeyStore, *, poll_s: float = POLL_S) -> None:
        self.ring = ring
        self.store = store
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._published = False
        self._watch: Unsubscribe | None = None
        self._thread = threading.Thread(target=self._run, name="key-ring", daemon=True)
        # Set after the first successful read of the store's ring (tests and the CLI wait).
        self.synced = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        watch, self._watch = self._watch, None
        if watch is not None:
            try:
                watch.unsubscribe()
            except Exception as exc:
                log.debug("key ring listener did not stop cleanly: %s", exc)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)

    def sync(self) -> bool:
        """One round: publish the own key if not yet done, read the ring. True if changed."""
        own = self.ring._own
        if own is not None and not self._published:
            self.ring.set_own(publish_own_key(self.store, own))
            self._published = True
        changed = self.ring.replace(self.store.signing_keys())
        self.synced.set()
        return changed

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sync()
                if self._watch is None:
                    self._watch = self._listen()
            except Exception as exc:  # offline: the local copy serves until the next round
                log.warning("Key ring not refreshed from the store: %s", exc)
            self._stop.wait(LISTENED_POLL_S if self._watch is not None else self.poll_s)

    def _listen(self) -> Unsubscribe | None:
        watch = getattr(self.store, "watch_signing_keys", None)
        if watch is None:
            return None
        result: Unsubscribe = watch(self._heard)
        return result

    def _heard(self, keys: list[SigningKey]) -> None:
        """On a listener thread: the whole ring as the store now has it."""
        if not self._stop.is_set():
            self.ring.replace(keys)
