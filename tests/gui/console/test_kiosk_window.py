"""The kiosk on real widgets over a real SQLite store: no personal data, offline and back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from console_data import PIN
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from parking_desk.booking import Booking
from parking_desk.config import Settings
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.staff import StaffService
from parking_desk.services.store import Store, open_firestore
from parking_desk.services.store.base import DeliveryOutcome, WorkerInfo
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.site_time import local
from parking_desk.task import LastError
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.kiosk.exit_dialog import KioskExitDialog
from parking_desk.ui.kiosk.kiosk_window import KioskWindow

WAIT = 5000
FIRESTORE_WAIT = 30_000  # a freshly started emulator can be slow to answer its first reads
CLIENTS = [
    ("Ștefania Rădulescu", "stefania.radulescu@example.ro", "0722 111 222", "B 123 XYZ"),
    ("Mihai Ionescu", "mihai.ionescu@example.ro", "0733 222 333", "CJ 45 ABC"),
    ("Ana Popa", "ana.popa@example.ro", "0744 333 444", "IF 07 POP"),
]


def seed(store: SqliteStore) -> None:
    """Three bookings: one e-mail sent, one bounced for good, one waiting; one live worker."""
    now = datetime.now(UTC)
    for name, email, phone, plate in CLIENTS:
        store.create_booking(
            Booking(
                client_name=name,
                client_email=email,
                phone=phone,
                plate=plate.replace(" ", ""),
                arrival=now + timedelta(days=2),
                departure=now + timedelta(days=5),
            )
        )
    first, second = store.claim_due("kiosk-test-worker", 2, timedelta(minutes=5))
    store.complete(first, "kiosk-test-worker", DeliveryOutcome("smtp", "<m1@example.ro>", True))
    store.fail_permanent(
        second,
        "kiosk-test-worker",
        LastError("smtp.550", f"550 5.1.1 <{second.client_email}>: mailbox unavailable", True),
    )
    store.heartbeat(
        WorkerInfo("worker-ana-laptop-4242-c0ffee", "ana-laptop", 4242, "worker", now, now)
    )


def visible_strings(window: QWidget) -> list[str]:
    """Everything the board shows or announces: label text, titles, accessible text."""
    texts = [window.windowTitle()]
    for widget in [window, *window.findChildren(QWidget)]:
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        texts += [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
    return [t for t in texts if t]


@pytest.fixture
def settings() -> Settings:
    made = Settings()
    made.desk.language = "en"
    return made


class Counted:
    """The store as the board sees it, counting the board's rounds: each of its reads (the
    queue's health, the lot's figures) asks the store whether it answers first."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self.pings = 0

    def ping(self) -> None:
        self.pings += 1
        self._store.ping()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def counted(store: SqliteStore) -> Counted:
    return Counted(store)


@pytest.fixture
def kiosk(qtbot: QtBot, counted: Counted, bridge: Bridge, settings: Settings) -> Iterator:
    made: list[KioskWindow] = []

    def make() -> KioskWindow:
        window = KioskWindow(lambda: cast(Store, counted), bridge, settings, refresh_ms=100)
        # Out of full screen first, or closing it at the end would ask for a supervisor.
        qtbot.addWidget(
            window, before_close_func=lambda w: w.setWindowState(Qt.WindowState.WindowNoState)
        )
        window.resize(1366, 800)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.shutdown()  # no refresh once the store and the bridge are torn down


def rounds_later(qtbot: QtBot, counted: Counted, rounds: int) -> None:
    """Wait until the board has read the store *rounds* more times, on its own timer."""
    target = counted.pings + 2 * rounds  # two reads a round
    qtbot.waitUntil(lambda: counted.pings >= target, timeout=WAIT)


def test_the_board_shows_figures_and_no_personal_data(
    qtbot: QtBot, store: SqliteStore, kiosk
) -> None:
    seed(store)
    window = kiosk()
    qtbot.waitUntil(lambda: window.snapshot is not None, timeout=WAIT)

    assert window.tiles["dead"].value.text() == "1"
    assert window.tiles["today"].value.text() == "1"
    assert window.tiles["hour"].value.text() == "1"
    assert window.tiles["rate"].value.text() == "50 %"
    # 1 failed of 2 finished is above the red failure rate; 1 failed task is the amber count.
    assert window.light_text.text() == "Problem"
    assert window.reasons.text() == "high failure rate\nfailed e-mails"
    assert window.worker_labels[0].text().startswith("server #c0ffee: heartbeat ")
    assert "peak 1" in window.sparkline.accessibleDescription()

    shown = "\n".join(visible_strings(window)).casefold()
    assert "ana-laptop" not in shown  # a host named after its user is a name too
    for name, email, phone, plate in CLIENTS:
        for secret in (name, *name.split(), email, email.split("@")[0], phone, plate):
            assert secret.casefold() not in shown, secret
        assert plate.replace(" ", "").casefold() not in shown


def test_offline_when_the_store_goes_away_and_back_by_itself(
    qtbot: QtBot, store: SqliteStore, counted: Counted, kiosk
) -> None:
    seed(store)
    window = kiosk()
    qtbot.waitUntil(lambda: window.snapshot is not None, timeout=WAIT)
    assert window.status.text().startswith("Updated ")

    moved = Path(str(store.path) + ".away")
    Path(store.path).rename(moved)
    qtbot.waitUntil(lambda: window.status.text().startswith("Offline since "), timeout=WAIT)
    since = local(window.offline_since).strftime("%H:%M")  # the site's clock
    assert window.status.text() == f"Offline since {since}"
    assert window.light_text.text() == "Offline"
    rounds_later(qtbot, counted, 3)  # several failed rounds: still the first moment it went away
    assert window.status.text() == f"Offline since {since}"

    moved.rename(store.path)
    qtbot.waitUntil(lambda: window.status.text().startswith("Updated "), timeout=WAIT)
    assert window.offline_since is None
    assert window.light_text.text() == "Problem"


def site_staff(store: SqliteStore) -> None:
    """The site's people: an admin, a supervisor (PIN ``PIN``) and a member of staff."""
    service = StaffService(store)
    admin = RoleSession(service.create_first_admin("Elena Admin", "1357"))
    service.add(admin, "Maria Pop", Role.SUPERVISOR, PIN)
    service.add(admin, "Ion Staff", Role.STAFF, "8080")


def full_screen_kiosk(qtbot: QtBot, kiosk) -> KioskWindow:
    window = kiosk()
    window.showFullScreen()
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT)
    return window


def open_exit_dialog(qtbot: QtBot, window: KioskWindow) -> KioskExitDialog:
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    dialog = window.exit_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    return dialog


def sign_in(qtbot: QtBot, dialog: KioskExitDialog, name: str, pin: str) -> None:
    form = dialog.form
    form.name.clear()
    qtbot.keyClicks(form.name, name)
    qtbot.keyClicks(form.pin, pin)
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)


def refused(qtbot: QtBot, dialog: KioskExitDialog, name: str, pin: str) -> str:
    """Sign in with a try the kiosk must refuse; the dialog's answer."""
    sign_in(qtbot, dialog, name, pin)
    qtbot.waitUntil(lambda: not dialog.form.busy, timeout=WAIT)
    assert dialog.isVisible()
    return dialog.form.error.text()


def test_wrong_pins_at_the_kiosk_lock_the_supervisor_out_even_with_the_right_pin_after(
    qtbot: QtBot, store: SqliteStore, counted: Counted, kiosk
) -> None:
    site_staff(store)
    window = full_screen_kiosk(qtbot, kiosk)
    rounds_later(qtbot, counted, 3)  # large type must not push it out of full screen
    assert window.isFullScreen()
    dialog = open_exit_dialog(qtbot, window)

    answers = [refused(qtbot, dialog, "Maria Pop", wrong) for wrong in ("1111", "2222", "3333")]
    answers.append(refused(qtbot, dialog, "Maria Pop", "4444"))
    assert answers == ["Wrong name or PIN."] * 4
    assert refused(qtbot, dialog, "Maria Pop", "5555") == (
        "Too many wrong PINs for Maria Pop. Try again in 30 s."
    )
    # Locked: the right PIN is refused too, and the board stays in full screen.
    assert refused(qtbot, dialog, "Maria Pop", PIN).startswith("Too many wrong PINs for Maria Pop.")
    assert window.isFullScreen()
    # A second Esc does not stack a second dialog over the board.
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.exit_dialog is dialog

    entries = [e for e in store.audit_log() if e.details.get("where") == "kiosk"]
    actions = [e.action for e in reversed(entries)]
    assert actions == ["sign_in_failed"] * 5 + ["sign_in_locked", "sign_in_refused"]
    assert {e.operator for e in entries} == {"Maria Pop (supervisor)"}


def test_a_supervisor_leaves_full_screen_and_staff_cannot(
    qtbot: QtBot, store: SqliteStore, kiosk
) -> None:
    site_staff(store)
    window = full_screen_kiosk(qtbot, kiosk)
    dialog = open_exit_dialog(qtbot, window)

    assert refused(qtbot, dialog, "Ion Staff", "8080") == (
        "This action requires the supervisor role."
    )
    assert refused(qtbot, dialog, "Nobody Here", PIN) == "Wrong name or PIN."
    assert window.isFullScreen()

    sign_in(qtbot, dialog, "maria pop", PIN)  # names are matched as a person types them
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=WAIT)
    assert window.exit_dialog is None
    assert window.isVisible()
    signed = [e for e in store.audit_log() if e.action == "sign_in"]
    assert [(e.operator, e.details["where"]) for e in signed[:1]] == [
        ("Maria Pop (supervisor)", "kiosk")
    ]

    # Closing the board from full screen asks the same; cancelled, it stays open.
    window.showFullScreen()
    qtbot.waitUntil(window.isFullScreen, timeout=WAIT)
    window.close()
    dialog = window.exit_dialog
    assert dialog is not None and window.isVisible()
    dialog.reject()
    assert window.isVisible() and window.isFullScreen()
    window.close()
    dialog = window.exit_dialog
    assert dialog is not None
    sign_in(qtbot, dialog, "Elena Admin", "1357")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)


def test_parking_desk_kiosk_starts_full_screen_on_the_configured_store(
    qtbot: QtBot, tmp_path: Path, settings: Settings
) -> None:
    # build_kiosk is all of main() but its event loop: a test must not run app.exec(), since
    # once the application quits, Qt refuses every later event loop in this process.
    from parking_desk.ui.kiosk.app import build_kiosk

    settings.store.sqlite_path = tmp_path / "kiosk.db"
    settings.desk.language = "en"
    _app, board, bridge = build_kiosk(settings)
    qtbot.addWidget(
        board, before_close_func=lambda w: w.setWindowState(Qt.WindowState.WindowNoState)
    )
    qtbot.waitUntil(lambda: board.snapshot is not None, timeout=WAIT)
    assert board.isFullScreen()
    assert board.windowTitle() == "E-mail queue health"
    assert settings.store.sqlite_path.exists()  # the board opened the store itself
    board.shutdown()
    bridge.shutdown()


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened: Store = SqliteStore(tmp_path / "queue.db", poll_interval=0.05)
    else:
        request.getfixturevalue("firestore_db")
        opened = open_firestore("parking-desk-test")
    yield opened
    opened.close()


def board_on(qtbot: QtBot, store: Store, bridge: Bridge, settings: Settings) -> KioskWindow:
    window = KioskWindow(lambda: store, bridge, settings, refresh_ms=100)
    qtbot.addWidget(window)
    window.resize(1366, 800)
    window.show()
    qtbot.waitUntil(lambda: window.snapshot is not None, timeout=FIRESTORE_WAIT)
    return window


def website_document(number: str, created: datetime) -> dict[str, Any]:
    """What the website's addToQueue writes: no status, no due time."""
    return {
        "type": "both",
        "bookingNumber": number,
        "clientEmail": f"client{number}@example.ro",
        "bookingData": {"clientName": "Ion Ionescu", "plate": "CJ12XYZ"},
        "createdAt": created,
    }


def test_website_documents_with_no_worker_running_are_waiting_not_green(
    qtbot: QtBot, any_store: Store, bridge: Bridge, settings: Settings
) -> None:
    now = datetime.now(UTC)
    any_store.import_raw_task("web-1", website_document("700001", now - timedelta(seconds=210)))
    any_store.import_raw_task("web-2", website_document("700002", now - timedelta(minutes=1)))

    window = board_on(qtbot, any_store, bridge, settings)

    assert window.tiles["pending"].value.text() == "2"
    assert window.tiles["oldest"].value.text() == "3 min"
    assert window.light_text.text() == "Attention"
    assert window.reasons.text() == "no worker running"
    assert window.worker_labels[0].text() == "No worker has reported"


def test_an_smtp_outage_turns_the_board_amber_at_the_first_failed_attempts(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, settings: Settings
) -> None:
    now = datetime.now(UTC)
    for i in range(3):
        store.create_booking(
            Booking(
                client_name="Ana Popa",
                client_email=f"ana{i}@example.ro",
                phone="0744 333 444",
                plate="IF07POP",
                arrival=now + timedelta(days=2),
                departure=now + timedelta(days=5),
            )
        )
    store.heartbeat(WorkerInfo("worker-srv-1-abc123", "srv-1", 1, "worker", now, now))
    outage = LastError("smtp.connect", "Connection refused", False)
    for task in store.claim_due("worker-srv-1-abc123", 3, timedelta(minutes=5)):
        # What the worker does when the server refuses: back to pending, tried again later.
        store.fail_transient(task, "worker-srv-1-abc123", outage, now + timedelta(minutes=2))

    window = board_on(qtbot, store, bridge, settings)

    assert window.tiles["retrying"].value.text() == "3"
    assert window.tiles["pending"].value.text() == "0"
    assert window.tiles["dead"].value.text() == "0"
    assert window.light_text.text() == "Attention"
    assert window.reasons.text() == "e-mails being retried"


def test_stopped_workers_leave_the_board_after_a_day_and_a_blocked_one_is_red(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, settings: Settings
) -> None:
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=3)
    beats = [
        ("worker-old-1-aaaaaa", now - timedelta(hours=25), "stopped"),
        ("worker-old-2-bbbbbb", now - timedelta(days=2), "running"),
        ("worker-srv-3-cccccc", now - timedelta(hours=2), "stopped"),
        ("worker-srv-4-dddddd", now - timedelta(seconds=5), "blocked"),
    ]
    for worker_id, last, state in beats:
        store.heartbeat(WorkerInfo(worker_id, "srv", 1, "worker", long_ago, last, 0, state))

    window = board_on(qtbot, store, bridge, settings)

    shown = [label.text() for label in window.worker_labels if not label.isHidden()]
    assert len(shown) == 2
    assert shown[0] == "server #cccccc: stopped 2 h 0 min ago"
    assert shown[1].startswith("server #dddddd: blocked, cannot record results (heartbeat ")
    assert window.light_text.text() == "Problem"
    assert window.reasons.text() == "a worker cannot record results"


def test_a_desk_working_from_its_offline_journal_shows_as_offline(
    qtbot: QtBot, store: SqliteStore, bridge: Bridge, settings: Settings
) -> None:
    now = datetime.now(UTC)
    started = now - timedelta(hours=3)
    # One desk lost its line ten minutes ago; another is back and still syncing.
    store.heartbeat(
        WorkerInfo("desk-a-1-aaaaaa", "a", 1, "desk", started, now - timedelta(minutes=10))
    )
    store.heartbeat(WorkerInfo("desk-b-2-bbbbbb", "b", 2, "desk", started, now, 0, "offline"))

    window = board_on(qtbot, store, bridge, settings)

    shown = [label.text() for label in window.worker_labels if not label.isHidden()]
    assert shown[0] == "desk #aaaaaa: offline, not heard from for 10 min"
    assert shown[1].startswith("desk #bbbbbb: offline, syncing what it did meanwhile (heartbeat ")
