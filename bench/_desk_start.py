"""One desk start, as ``parking-desk`` does it, reporting when the window is painted and
when it is connected (store open, in-app engine running): the moment a booking can be saved.

Run by ``cold_start.py``; prints ``shown T`` and ``connected T`` in ``time.monotonic()``
seconds (CLOCK_MONOTONIC, shared with the parent process), then quits.
"""

from __future__ import annotations

import sys
import time

from _harness import ROOT  # noqa: F401 (puts the project on sys.path)
from PySide6.QtCore import QTimer

from parking_desk.config import load_settings
from parking_desk.ui.app import build_desk, shut_down


def main() -> int:
    settings = load_settings()
    desk = build_desk(settings)
    connected = desk.window.connected

    def on_connected(result, error) -> None:
        connected(result, error)
        print(f"connected {time.monotonic()!r} {'error' if error else 'ok'}", flush=True)
        QTimer.singleShot(0, desk.app.quit)

    desk.window.connected = on_connected
    desk.window.show()
    # The first event-loop turn after show() is when the window has been laid out and painted.
    QTimer.singleShot(0, lambda: print(f"shown {time.monotonic()!r}", flush=True))
    desk.start_connecting()
    QTimer.singleShot(60_000, desk.app.quit)
    desk.app.exec()
    shut_down(desk.ctx, desk.pending)
    return 0


if __name__ == "__main__":
    sys.exit(main())
