"""Bridge callbacks that hold their widget weakly.

A bridge job ends on a pool thread, and the job keeps its callback until then. If that were
the last reference to a widget (a closed dialog, a screen a test has finished with), Python
would destroy the widget on the pool thread, and Qt crashes when a QObject is destroyed off
its own thread. Holding the widget weakly leaves its end to the GUI thread.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

Done = Callable[[Any, BaseException | None], None]


def weak_done(method: Callable[..., None], *args: Any) -> Done:
    """``done(result, error)`` that calls ``method(*args, result, error)`` while its object
    lives, and does nothing once it is gone."""
    ref = weakref.WeakMethod(method)

    def done(result: Any, error: BaseException | None) -> None:
        target = ref()
        if target is not None:
            target(*args, result, error)

    return done
