"""Where the shipped resources (templates, icons, translations) are at run time.

From a source checkout or an editable install they sit next to the package; inside a
PyInstaller bundle they are unpacked under ``sys._MEIPASS``. ``PARKING_DESK_RESOURCES``
points elsewhere, for a packager that lays files out differently.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_root() -> Path:
    explicit = os.environ.get("PARKING_DESK_RESOURCES", "").strip()
    if explicit:
        return Path(explicit)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of a shipped file, e.g. ``resource_path("templates", "confirmation.html")``."""
    return resources_root().joinpath(*parts)
