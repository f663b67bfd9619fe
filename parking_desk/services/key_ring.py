"""The site's key ring: which ticket-signing keys every desk, worker and gate trusts.

Each machine keeps its own Ed25519 private key (``keys.py``, never copied anywhere) and
publishes the public half in the store as ``signingKeys/{kid}``: the key, the machine's
name, when it was made, and, once a supervisor revokes it, when and by whom. A verifier
trusts every key of the ring that is not revoked, so a ticket printed at desk A or e-mailed
by the headless worker verifies at desk B and at the gate.

Verification must work offline, so the ring is kept in a JSON file in the data folder. It is
read at start, before the store is reached, and rewritten whenever the store's ring changes.
A background thread (``KeyRingFollower``) publishes this machine's key, reads the ring, then
listens for changes (Firestore) or polls (SQLite); it never runs on the GUI thread and never
touches a widget. A gate holds only an exported ring (``export-public-key``) and checks with
``parking-desk ticket verify``.

Revoked keys stay in the ring, marked: a ticket they signed is refused with the reason
("signed with a revoked key, desk X, revoked ...") instead of reading as forged. An exported
ring names a revoked key without its public key, so no reader can trust it by mistake.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from parking_desk.booking import Booking, BookingStatus
from parking_desk.errors import InvalidTransition, NotFound, ParkingDeskError, PermissionDenied
from parking_desk.services.keys import KeyFileError, key_id, load_public_key, public_key_pem
from parking_desk.services.qr import (
    EXPIRED,
    FORGED,
    REVOKED,
    VALID,
    QrSigner,
    Verification,
    verify,
)
from parking_desk.services.roles import Role, RoleSession
from parking_desk.timeutil import as_utc, utcnow

log = logging.getLogger(__name__)

COLLECTION = "signingKeys"
CACHE_NAME = "site-keys.json"
RING_FORMAT = "parking-desk-key-ring/1"
# How often a follower reads the ring again: the only way SQLite desks learn of a new key,
# and on Firestore a safety net under the listener (which reconnects by itself).
POLL_S = 30.0
LISTENED_POLL_S = 600.0


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


# --- the store's side ---------------------------------------------------------------------


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


# --- verdicts -----------------------------------------------------------------------------


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


# --- the ring on this machine -------------------------------------------------------------


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


# --- supervisor and desk actions ------------------------------------------------------------


def revoke_key(
    store: object, session: RoleSession, kid: str, *, now: datetime | None = None
) -> SigningKey:
    """Revoke *kid* for the whole site (supervisor only, audited). Revoking a key already
    revoked changes nothing and records nothing: the first revocation's time stands."""
    session.require(Role.SUPERVISOR)
    operator = session.operator_name()
    keys = key_store(store)
    now = (now or utcnow()).replace(microsecond=0)
    key, changed = keys.revoke_signing_key(kid, revoked_by=operator, at=now)
    if key is None:
        raise NotFound(code="error.key_not_found", kid=kid)
    if changed:
        keys.record_audit(
            operator, "revoke_key", (), details={"kid": kid, "machine": key.machine}, now=now
        )
        log.info("Signing key %s (%s) revoked by %s", kid, key.machine, operator)
    return key


def booking_for_ticket(store: Any, number: str) -> Booking | None:
    """The booking a ticket or a typed number names: exactly that number first, then the
    same in upper or lower case, for a number typed at the desk (which upper-cases what it
    reads, like a scanner in caps lock) or printed by an older ticket."""
    tried: list[str] = []
    for candidate in (number, number.upper(), number.lower()):
        if candidate in tried:
            continue
        tried.append(candidate)
        booking: Booking | None = store.get_booking(candidate)
        if booking is not None:
            return booking
    return None


@dataclass(frozen=True)
class Reissued:
    booking: Booking
    payload: str


def reissue_ticket(
    store: Any,
    signer: QrSigner,
    ring: KeyRing,
    session: RoleSession,
    number: str,
    *,
    validity: timedelta,
) -> Reissued:
    """A new ticket for a booking, signed with this desk's own key (for a client whose
    ticket a revoked key signed). Audited; refused for a booking that is over, and when
    this desk's own key is the revoked one."""
    session.require(Role.STAFF)
    own = ring.get(signer.key_id)
    if own is not None and own.revoked:
        raise PermissionDenied(code="error.own_key_revoked", kid=signer.key_id)
    booking = booking_for_ticket(store, number)
    if booking is None:
        raise NotFound(number=number)
    if booking.status == BookingStatus.CANCELLED:
        raise InvalidTransition(code="error.booking_cancelled", number=booking.booking_number)
    if booking.status == BookingStatus.CHECKED_OUT:
        raise InvalidTransition(code="error.already_checked_out", number=booking.booking_number)
    found = booking.booking_number or number
    payload = signer.payload(found, booking.plate, booking.departure + validity)
    key_store(store).record_audit(
        session.operator_name(),
        "reissue_ticket",
        (),
        details={"bookingNumber": found, "kid": signer.key_id},
    )
    return Reissued(booking, payload)


# --- files: the local copy and the gate's export ------------------------------------------

_PEM_BLOCK = re.compile(
    r"-----BEGIN PUBLIC KEY-----\s+.*?-----END PUBLIC KEY-----\s*?\n?", re.DOTALL
)
_NOTE = re.compile(r"^# (key|revoked) (\S+)(?: (.*))?$", re.MULTILINE)


def ring_json(keys: Iterable[SigningKey], *, include_revoked_keys: bool = False) -> str:
    entries = []
    for key in keys:
        doc = key.to_document()
        doc["createdAt"] = key.created_at.isoformat()
        doc["revokedAt"] = key.revoked_at.isoformat() if key.revoked_at else None
        if key.revoked and not include_revoked_keys:
            doc["publicKey"] = ""  # named, not carried: nobody can trust it by mistake
        entries.append(doc)
    body = {"format": RING_FORMAT, "exportedAt": utcnow().isoformat(), "keys": entries}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def ring_pem(keys: Iterable[SigningKey]) -> str:
    """The trusted keys as PEM blocks any Ed25519 tool reads, each followed by a comment
    naming it; revoked keys as comments only."""
    out: list[str] = []
    for key in keys:
        created = key.created_at.isoformat()
        if key.revoked:
            revoked = key.revoked_at.isoformat() if key.revoked_at else ""
            out.append(
                f"# revoked {key.kid} machine={_quote(key.machine)} revokedAt={revoked} "
                f"revokedBy={_quote(key.revoked_by)}\n"
            )
            continue
        out.append(key.public_key_pem.strip() + "\n")
        out.append(f"# key {key.kid} machine={_quote(key.machine)} createdAt={created}\n")
    return "".join(out)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_ring_file(
    keys: Iterable[SigningKey], path: Path, *, include_revoked_keys: bool = False
) -> Path:
    """Write the ring atomically: JSON for a ``.json`` name, else a PEM bundle. The folder
    must exist (an export into a mistyped folder is an error, not a new folder)."""
    path = Path(path)
    text = (
        ring_json(keys, include_revoked_keys=include_revoked_keys)
        if path.suffix.lower() == ".json"
        else ring_pem(keys)
    )
    fd, tmp = tempfile.mkstemp(prefix=".ring-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def parse_ring(text: str) -> list[SigningKey]:
    """Keys from an exported ring or a local copy, JSON or PEM; raises ``KeyRingError``."""
    if text.lstrip().startswith("{"):
        try:
            body = json.loads(text)
            entries = body["keys"]
            keys = [SigningKey.from_document(dict(e)) for e in entries]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyRingError(path="", reason=str(exc)) from None
        for key in keys:
            if key.public_key_pem and key.public_key is None:
                raise KeyRingError(path="", reason=f"key {key.kid} is not an Ed25519 public key")
        return keys
    keys = []
    now = utcnow()
    notes = {m.group(2): m for m in _NOTE.finditer(text)}
    for block in _PEM_BLOCK.finditer(text):
        pem = block.group(0).strip()
        try:
            public = load_public_key(pem)
        except KeyFileError as exc:
            raise KeyRingError(path="", reason=str(exc)) from None
        kid = key_id(public)
        note = notes.get(kid)
        machine = _field_of(note.group(3), "machine") if note else ""
        created = _field_of(note.group(3), "createdAt") if note else ""
        keys.append(SigningKey(kid, pem + "\n", machine, _when(created) or now))
    for kid, note in notes.items():
        if note.group(1) == "revoked":
            revoked = _when(_field_of(note.group(3), "revokedAt")) or now
            machine = _field_of(note.group(3), "machine")
            by = _field_of(note.group(3), "revokedBy")
            keys.append(SigningKey(kid, "", machine, revoked, revoked_at=revoked, revoked_by=by))
    if not keys:
        raise KeyRingError(path="", reason="no public key in the file")
    return keys


def _field_of(rest: str | None, name: str) -> str:
    match = re.search(rf'{name}=("(?:[^"\\]|\\.)*"|\S*)', rest or "")
    if not match:
        return ""
    value = match.group(1)
    if value.startswith('"'):
        try:
            return str(json.loads(value))
        except ValueError:
            return ""
    return value


def read_ring_file(path: Path) -> list[SigningKey]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyRingError(path=str(path), reason=str(exc)) from None
    try:
        return parse_ring(text)
    except KeyRingError as exc:
        raise KeyRingError(path=str(path), reason=exc.params.get("reason", "")) from None


def ring_cache_path(key_path: Path) -> Path:
    """The local copy sits in the data folder, next to this machine's private key."""
    return Path(key_path).parent / CACHE_NAME


def with_revocation(key: SigningKey, *, by: str, at: datetime) -> SigningKey:
    """The revocation rule, once for both stores: the first revocation stands."""
    if key.revoked:
        return key
    return replace(key, revoked_at=at, revoked_by=by)
