"""Every GUI test starts with the previous test's widgets really gone.

pytest-qt closes a test's widgets and calls ``deleteLater()``, but deferred deletes only run
when an event loop gets round to them; until then an earlier test's timers, application
event filters and store subscriptions keep running into the next test.
"""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent


def _flush_deferred_deletes() -> None:
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


@pytest.fixture(autouse=True)
def deleted_leftovers(qapp):
    _flush_deferred_deletes()
    yield
