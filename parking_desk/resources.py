"""Where the shipped resources (templates, icons, translations) are at run time.

An installed wheel carries them as package data in ``parking_desk/_resources/`` (setup.py
copies them there). From a source checkout or an editable install they sit in ``resources/``
next to the package; inside a PyInstaller bundle they are unpacked under ``sys._MEIPASS``.
``PARKING_DESK_RESOURCES`` points elsewhere, for a packager that lays files out differently.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resources_root() -> Path:
    explicit = os.environ.get("PARKING_DESK_RESOURCES", "").strip()
    if explicit:
        return Path(explicit)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    # The package's own copy first: next to an installed package, parent / "resources" is
    # site-packages/resources, which any other distribution may have put there.
    installed = PACKAGE / "_resources"
    if installed.is_dir():
        return installed
    return PACKAGE.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of a shipped file, e.g. ``resource_path("templates", "confirmation.html")``."""
    return resources_root().joinpath(*parts)
