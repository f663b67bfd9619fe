"""User actions as small operation objects, and the one hub that hears of every write.

A screen does not call the store, the bridge or the engine itself. It describes what the
user asked for and what to do with the answer::

    Op(self.ctx, self, lambda store: store.change_status(...), changes=Changes(bookings=True))
        .success(self._shown)
        .failure(self._refused)  # optional: without it the error is shown in a message box
        .run()

``run()`` takes the connected store (or fails at once with "cannot reach the database"),
runs the function off the GUI thread (writes in order on the store-write thread, reads in
the read pool), and on the GUI thread tells the ``ChangeHub`` what changed and then calls
the success callback. The operation's widget is its owner: once it is gone nothing is
called (``bridge.py``). This is the shape of Anki's ``CollectionOp``.

The hub is what every view listens to: after any write it says which kinds of data changed
(bookings, queue tasks, staff, keys, …), so a list redraws because the data changed, not
because the widget that wrote it remembered to tell it; and it lets the in-app engine know
when a write queued an e-mail and nothing else will tell it (``AppContext.wake_engine``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from parking_desk.ui.errors_text import error_text

if TYPE_CHECKING:
    from parking_desk.services.store.base import Store
    from parking_desk.ui.context import AppContext

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """What a write changed, for the views that show it."""

    bookings: bool = False
    tasks: bool = False  # queue tasks were written (rows of the supervisor's table)
    enqueued: bool = False  # an e-mail or QR task was queued: the engine has work
    bulk: bool = False  # many tasks at once: a table re-lists rather than follow its feed
    staff: bool = False
    keys: bool = False
    suppressions: bool = False
    audit: bool = False
    settings: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


NO_CHANGES = Changes()
# A booking written together with its queued confirmation (save, resend, amend, cancel).
BOOKING_AND_MAIL = Changes(bookings=True, tasks=True, enqueued=True, audit=True)


class ChangeHub(QObject):
    """``changed(Changes)`` on the GUI thread after every write an operation made."""

    changed = Signal(object)

    def __init__(self, wake_engine: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._wake_engine = wake_engine

    def notify(self, changes: Changes) -> None:
        if not changes:
            return
        if changes.enqueued and self._wake_engine is not None:
            self._wake_engine()
        self.changed.emit(changes)


def _held(callback: Callable[..., None], owner: QObject) -> Callable[[], Any]:
    """A callback the operation may keep without keeping its widget alive."""
    if getattr(callback, "__self__", None) is owner:
        return weakref.WeakMethod(callback)
    return lambda: callback


class Op(Generic[T]):
    """One user action: *fn(store)* off the GUI thread, then the hub, then *success*.

    *changes* says what a successful run changed: fixed, or worked out from the result
    (a save refused for want of capacity changed nothing). ``Op.without_store`` runs work
    that needs no store (an SMTP check, a printer test) the same way."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject,
        fn: Callable[[Store], T],
        *,
        write: bool = True,
        changes: Changes | Callable[[T], Changes] = NO_CHANGES,
    ) -> None:
        self._ctx = ctx
        # Weakly: a pending operation never keeps a closed screen alive.
        self._parent = weakref.ref(parent)
        self._fn: Callable[[Store], T] | None = fn
        self._work: Callable[[], T] | None = None
        self._write = write
        self._changes = changes
        self._success: Callable[[], Any] | None = None
        self._failure: Callable[[], Any] | None = None

    @classmethod
    def without_store(
        cls, ctx: AppContext, parent: QObject, fn: Callable[[], T], *, write: bool = False
    ) -> Op[T]:
        op: Op[T] = cls(ctx, parent, lambda _store: fn(), write=write)
        op._fn, op._work = None, fn
        return op

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._success = _held(callback, self._owner())
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._failure = _held(callback, self._owner())
        return self

    def _owner(self) -> QObject:
        owner = self._parent()
        assert owner is not None, "an operation is set up while its widget lives"
        return owner

    def run(self) -> Future[T] | None:
        """Start it; None when it could not start (no store yet: the failure was reported)."""
        work = self._work
        if work is None:
            fn = self._fn
            assert fn is not None
            try:
                store = self._ctx.require_store()
            except Exception as exc:
                self._failed(exc)
                return None
            work = lambda: fn(store)  # noqa: E731
        owner = self._parent()
        if owner is None:
            return None
        return self._ctx.bridge.run(work, self._finished, write=self._write, owner=owner)

    # --- on the GUI thread -------------------------------------------------------------
    def _finished(self, result: T, error: BaseException | None) -> None:
        if error is not None:
            self._failed(error)
            return
        changes = self._changes(result) if callable(self._changes) else self._changes
        if changes:
            self._ctx.hub.notify(changes)
        callback = self._success() if self._success is not None else None
        if callback is not None:
            callback(result)

    def _failed(self, error: BaseException) -> None:
        if self._failure is not None:
            callback = self._failure()
            if callback is not None:
                callback(error)
            return
        owner = self._parent()
        if owner is not None:
            show_error(owner, error, self._ctx.language)


def show_error(parent: QObject, error: BaseException, language: str) -> None:
    """What a failed operation says when its screen has nothing better: a message box over
    its window, not blocking the GUI thread."""
    if not shiboken6.isValid(parent):
        return
    window = parent.window() if isinstance(parent, QWidget) else None
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("Op", "Parking Desk"))
    box.setText(error_text(error, language))
    box.setObjectName("operation-error")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
