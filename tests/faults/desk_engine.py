"""A desk's engine without its window: what a desk process runs besides the GUI.

The fault suite starts this next to ``parking-desk worker`` to have desks and headless
workers drain one queue together. Runs until SIGTERM, then stops as the desk does on close.
"""

from __future__ import annotations

import signal
import sys
import threading

from parking_desk.config import load_settings
from parking_desk.services.runtime import build_worker, open_store


def main() -> int:
    settings = load_settings()
    store = open_store(settings)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    _worker, engine = build_worker(settings, store, "desk")
    engine.start()
    while not stop.wait(0.5):
        pass
    engine.stop(settings.worker.shutdown_grace_s)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
