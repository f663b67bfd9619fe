"""Everything a screen needs, handed to it explicitly so no widget reaches for a global."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from parking_desk.config import Settings
from parking_desk.errors import StoreUnavailable
from parking_desk.services.key_ring import KeyRing
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.base import Store
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.local_time import use_time_zone
from parking_desk.ui.ops import ChangeHub


@dataclass
class AppContext:
    settings: Settings
    bridge: Bridge
    session: RoleSession
    signer: QrSigner | None = None
    # The site's key ring: what a scan trusts, kept up to date by its follower thread.
    key_ring: KeyRing | None = None
    # Bare keys trusted when there is no ring (a test, a desk built by hand).
    public_keys: list[Ed25519PublicKey] = field(default_factory=list)
    # None until the background connection succeeds; screens read it at call time.
    store: Store | None = None
    engine: Any = None
    # The UI language ("ro"/"en"); also picks the language of errors raised below the UI.
    language: str = "en"
    # Told of every write an operation made; views listen to it (``ops.py``).
    hub: ChangeHub = field(init=False)

    def __post_init__(self) -> None:
        # Every screen shows the site's time, whatever zone this machine is set to.
        use_time_zone(self.settings.desk.time_zone)
        self.hub = ChangeHub(self.wake_engine)

    def require_store(self) -> Store:
        """The connected store; raised errors reach the user as "cannot reach the database"."""
        if self.store is None:
            raise StoreUnavailable("not connected yet")
        return self.store

    def trusted_keys(self) -> KeyRing:
        """The ring tickets are checked against."""
        if self.key_ring is not None:
            return self.key_ring
        return KeyRing.of_public_keys(self.public_keys)

    def operator(self) -> str:
        return self.session.operator_name()

    def wake_engine(self) -> None:
        """A new task was committed: let the in-app worker send it now, not at its next tick.

        Once per enqueue: an engine that listens to the queue hears of the task from its
        listener (the SQLite store tells its listeners of this process's writes at once), so
        only an engine that does not listen is woken from here."""
        if self.engine is not None and not self.engine.listening:
            self.engine.wake()

    def ticket_valid_until(self, departure: datetime) -> datetime:
        return departure + timedelta(hours=self.settings.qr.validity_hours_after_departure)

    def site_name(self) -> str:
        return self.settings.desk.site_name or self.settings.mail.site_name
