"""Desk screens on real widgets, a real SQLite store in a temporary file and a real key.

The context's bridge is the synchronous one: an operation a test starts has finished, its
callbacks run, when the call that started it returns. Tests about the threads themselves
(responsiveness, a screen closed mid-job) build a real ``Bridge`` of their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from parking_desk.booking import Booking
from parking_desk.config import Settings
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.store import open_sqlite
from parking_desk.services.store.base import Store
from parking_desk.timeutil import utcnow
from parking_desk.ui.bridge import Bridge, SyncBridge
from parking_desk.ui.context import AppContext


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_sqlite(tmp_path / "desk.db")
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings()
    s.store.sqlite_path = tmp_path / "desk.db"
    s.qr.key_path = tmp_path / "qr-key.pem"
    s.mail.outbox_dir = tmp_path / "outbox"
    s.desk.site_name = "Parcare Otopeni Test"
    s.desk.language = "en"
    return s


@pytest.fixture
def ctx(qapp, settings: Settings, store: Store) -> Iterator[AppContext]:
    signer = QrSigner.load_or_create(settings.qr.key_path)
    bridge = SyncBridge()
    context = AppContext(
        settings=settings,
        bridge=bridge,
        session=RoleSession(Person("ana", "Ana", Role.STAFF)),
        signer=signer,
        public_keys=[signer.public_key],
        store=store,
        language="en",
    )
    yield context
    bridge.shutdown(wait=True)


@pytest.fixture
def threaded_ctx(ctx: AppContext) -> Iterator[AppContext]:
    """The same desk on the real, threaded bridge: for what is about the threads."""
    bridge = Bridge()
    yield AppContext(
        settings=ctx.settings,
        bridge=bridge,
        session=ctx.session,
        signer=ctx.signer,
        public_keys=ctx.public_keys,
        store=ctx.store,
        language=ctx.language,
    )
    bridge.shutdown(wait=True)


@pytest.fixture
def type_text(qtbot):
    return lambda widget, text: _type_text(qtbot, widget, text)


def _type_text(qtbot, widget, text: str) -> None:
    """Type like a keyboard. QTest only maps ASCII to keys, so ș, ț, ă arrive as key events
    carrying their text, which is how a Romanian keyboard layout delivers them."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)


@pytest.fixture
def new_booking(store: Store):
    """Create a booking in the store as the website would have (client with ș and ț)."""
    return lambda **changes: make_booking(store, **changes)


def make_booking(store: Store, **changes) -> Booking:
    now = utcnow().replace(microsecond=0)
    fields = dict(
        client_name="Ștefan Țăranu",
        client_email="stefan@example.com",
        phone="+40712345678",
        plate="CJ12XYZ",
        arrival=now,
        departure=now + timedelta(days=3),
    )
    fields.update(changes)
    booking, _task = store.create_booking(Booking(**fields))
    return booking
