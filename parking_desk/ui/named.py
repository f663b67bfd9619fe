"""Object names for the widgets that tests, style sheets and saved state find by name.

PySide6 accepts any Qt property as a constructor keyword (``QLabel(objectName="x")``), but
its type stubs list only the class's own properties, so an inherited one such as
``objectName`` fails the type check. ``named(QLabel(wordWrap=True), "x")`` keeps the
construction on one line and typed.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

Obj = TypeVar("Obj", bound=QObject)


def named(obj: Obj, name: str) -> Obj:
    """``obj`` with its object name set to ``name``."""
    obj.setObjectName(name)
    return obj
