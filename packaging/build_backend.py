"""setuptools' build backend, asking for PySide6 in the build environment only when the
translations still need compiling (a fresh clone, where `make translations` has not run):
then `pip install .` works from any clone, and a build after `make` downloads nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403 (the whole PEP 517 interface)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
LRELEASE = "PySide6-Essentials>=6.7,!=6.12.0"


def translations_compiled() -> bool:
    for ts in TRANSLATIONS.glob("*.ts"):
        qm = ts.with_suffix(".qm")
        if not qm.is_file() or qm.stat().st_mtime < ts.stat().st_mtime:
            return False
    return True


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    needed = build_meta.get_requires_for_build_wheel(config_settings)
    return needed if translations_compiled() else [*needed, LRELEASE]
