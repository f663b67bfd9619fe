"""``parking-desk kiosk``: the health board, full screen, on its own.

The store is opened by the board's first background read, not here, so an unreachable
database shows "offline" on screen instead of stopping the kiosk from starting.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from parking_desk.config import Settings
from parking_desk.services.runtime import open_store
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.kiosk.kiosk_window import KioskWindow
from parking_desk.ui.translations import Translations, choose_language


def build_kiosk(settings: Settings) -> tuple[QApplication, KioskWindow, Bridge]:
    """The application, translations and the board, full screen; no event loop yet."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Parking Desk Kiosk")
    translations = Translations(app)
    translations.apply(choose_language(settings.desk.language))
    bridge = Bridge(read_workers=1)
    window = KioskWindow(lambda: open_store(settings), bridge, settings)
    window.showFullScreen()
    return app, window, bridge


def main(settings: Settings) -> int:
    app, window, bridge = build_kiosk(settings)
    try:
        return app.exec()
    finally:
        bridge.shutdown(wait=False)
        window.shutdown()
