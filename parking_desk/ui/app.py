"""Start the desk: the window first, the store and the in-app worker behind it.

The window appears at once; connecting to the store (Firestore may take seconds, or fail) and
starting the engine happen on the bridge, and the window learns the result by signal. On
close the engine stops within its grace period and hands unfinished leases back.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import signal
import subprocess
import sys
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import PySide6
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from parking_desk.config import Settings, default_settings_path, load_settings
from parking_desk.errors import ConfigError
from parking_desk.resources import resource_path
from parking_desk.services.key_ring import KeyRing, machine_name, own_key, ring_cache_path
from parking_desk.services.offline import open_desk_store
from parking_desk.services.qr import QrSigner
from parking_desk.services.roles import RoleSession
from parking_desk.services.runtime import build_worker
from parking_desk.services.store.base import Store
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.context import AppContext
from parking_desk.ui.engine_adapter import EngineAdapter
from parking_desk.ui.main_window import MainWindow
from parking_desk.ui.ops import Op
from parking_desk.ui.translations import Translations, choose_language

log = logging.getLogger(__name__)

SIGNAL_POLL_MS = 250
# The in-app engine's sending thread runs Python beside the GUI thread. Each time the GUI
# thread needs the GIL (a timer, a queued signal, a repaint's data() calls) while that thread
# holds it, it waits up to the switch interval, 5 ms by default. Switching between 5 ms and
# 1 ms at random moments during one 2,000-task drain, the 1 ms turns had the shorter worst
# gaps (61-70 ms against 110-133 ms) and about a fifth fewer gaps over 30 ms.
DESK_SWITCH_INTERVAL_S = 0.001


def connect(
    settings: Settings, adapter: EngineAdapter, ring: KeyRing | None = None
) -> tuple[Store, object]:
    """On a bridge thread: open the store, check it answers (or, on Firestore, that the desk
    can work offline), start the in-app worker. The
    key ring follows the store from here on, in its own thread."""
    store = open_desk_store(settings)  # on Firestore: carries on offline from a journal
    if ring is not None:
        ring.follow(store)
    # Start-up is over: the modules, the window and the store client are here to stay. A full
    # collection would walk all of them (tens of ms with the GIL held, whichever thread runs
    # it); frozen, later collections only walk what the drain and the tables allocate.
    gc.freeze()
    engine = None
    if settings.worker.run_in_app:
        sys.setswitchinterval(DESK_SWITCH_INTERVAL_S)
        _worker, engine = build_worker(settings, store, "desk", events=adapter.on_event)
        engine.start()
    return store, engine


def shut_down(ctx: AppContext, pending: list[Future]) -> None:
    """Bounded: the engine waits at most its grace period for sends in flight."""
    ctx.bridge.shutdown(wait=True)
    if ctx.key_ring is not None:
        ctx.key_ring.close()
    for future in pending:  # a connection that finished after the window closed
        if ctx.store is None and future.done() and future.exception() is None:
            ctx.store, ctx.engine = future.result()
    if ctx.engine is not None:
        try:
            released = ctx.engine.stop()
            log.info("Engine stopped; %d task(s) handed back", released)
        except Exception:
            log.exception("Stopping the engine failed")
    if ctx.store is not None:
        ctx.store.close()


@dataclass
class Desk:
    """The running desk's parts, so start-up can be driven by ``main`` or by a script."""

    app: QApplication
    ctx: AppContext
    window: MainWindow
    adapter: EngineAdapter
    pending: list[Future] = field(default_factory=list)
    signal_timer: QTimer | None = None

    def start_connecting(self) -> None:
        settings, adapter, ring = self.ctx.settings, self.adapter, self.ctx.key_ring
        future = (
            Op.without_store(self.ctx, self.window, lambda: connect(settings, adapter, ring))
            .success(self._connected)
            .failure(self._not_connected)
            .run()
        )
        if future is not None:
            self.pending.append(future)

    def _connected(self, result: tuple[Store, Any]) -> None:
        self.window.connected(result, None)

    def _not_connected(self, error: BaseException) -> None:
        self.window.connected(None, error)


# The libraries Qt's X11 (xcb) platform plugin loads, by the Debian/Ubuntu package that has
# each. Qt names only xcb-cursor0 when the plugin fails to load, whichever one is missing.
XCB_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
XCB_PLUGIN = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"


def xcb_chosen(env: dict[str, str] | os._Environ[str]) -> bool:
    """Whether Qt will load its xcb plugin: asked for, or left to choose outside Wayland."""
    if not sys.platform.startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if asked:
        return asked == "xcb"
    return not (env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland")


def missing_xcb_libraries(plugin: Path = XCB_PLUGIN) -> list[str]:
    """The libraries the xcb plugin needs that this machine lacks, as the dynamic loader
    resolves them (ldd follows the bundle's or the wheel's own library folder too)."""
    ldd = shutil.which("ldd")
    if ldd is None or not plugin.is_file():
        return []
    try:
        out = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split()[0] for line in out.splitlines() if "=> not found" in line})


def check_xcb_libraries(env: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Stop with the packages to install instead of Qt's abort naming xcb-cursor0. Printed in
    both languages: there is no window yet and no language chosen."""
    if not xcb_chosen(env):
        return
    missing = missing_xcb_libraries()
    if not missing:
        return
    packages = " ".join(dict.fromkeys(XCB_PACKAGES.get(name, name) for name in missing))
    raise SystemExit(
        f"Parking Desk: lipsesc bibliotecile de care are nevoie Qt pentru X11: "
        f"{', '.join(missing)}. Instalați-le (Debian/Ubuntu): sudo apt-get install {packages}\n"
        f"Parking Desk: Qt's X11 (xcb) platform plugin needs libraries this machine lacks: "
        f"{', '.join(missing)}. Install them (Debian/Ubuntu): sudo apt-get install {packages}"
    )


def _application() -> QApplication:
    """The running QApplication (a test's, or one made earlier), else a new one."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    check_xcb_libraries()
    return QApplication(sys.argv)


def build_desk(settings: Settings, settings_path: Path | None = None) -> Desk:
    """The QApplication, translators, context and main window; nothing is connected yet."""
    app = _application()
    QCoreApplication.setOrganizationName("parking-desk")
    QCoreApplication.setApplicationName("desk")
    QGuiApplication.setDesktopFileName("parking-desk")
    app.setWindowIcon(QIcon(str(resource_path("icons", "parking-desk.svg"))))
    language = choose_language(settings.desk.language)
    translations = Translations(app)
    translations.apply(language)
    signer = QrSigner.load_or_create(settings.qr.key_path)
    # The local copy of the site's ring: scans verify offline from the first second.
    ring = KeyRing.load(
        ring_cache_path(settings.qr.key_path),
        own=own_key(signer, machine_name(settings.desk.operator)),
    )
    ctx = AppContext(
        settings=settings,
        bridge=Bridge(),
        # Nobody is signed in yet: the window opens on the sign-in screen.
        session=RoleSession(relock_after_s=settings.security.relock_minutes * 60),
        signer=signer,
        key_ring=ring,
        language=language,
    )
    adapter = EngineAdapter()
    window = MainWindow(
        ctx,
        translations,
        engine_events=adapter,
        settings_path=settings_path or default_settings_path(),
    )
    desk = Desk(app, ctx, window, adapter)
    window.reconnect = desk.start_connecting
    return desk


def _close_on_signals(desk: Desk) -> None:
    """A logout or ``kill`` sends SIGTERM: close the window as if the user had, so the engine
    hands its leases back instead of leaving them to expire. Python only runs signal handlers
    between bytecodes, so a small timer gives it a chance while Qt waits for events."""

    def close(*_args: object) -> None:
        QTimer.singleShot(0, desk.window.close)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, close)
    desk.signal_timer = QTimer(desk.window, interval=SIGNAL_POLL_MS)
    desk.signal_timer.timeout.connect(lambda: None)
    desk.signal_timer.start()


def main(
    settings: Settings | None = None,
    self_test: bool = False,
    settings_path: Path | None = None,
) -> int:
    if settings is None:
        try:
            settings = load_settings(settings_path)
        except ConfigError as exc:
            _application()
            QMessageBox.critical(None, "Parking Desk", exc.translated(choose_language("")))
            return 2
    desk = build_desk(settings, settings_path)
    desk.window.show()
    if self_test:
        desk.app.processEvents()
        ok = desk.window.isVisible() and desk.window.tabs.count() >= 3
        desk.window.close()
        desk.ctx.bridge.shutdown(wait=True)
        return 0 if ok else 1
    desk.start_connecting()
    _close_on_signals(desk)
    code = desk.app.exec()
    shut_down(desk.ctx, desk.pending)
    return code


if __name__ == "__main__":
    raise SystemExit(main(self_test="--self-test" in sys.argv))
