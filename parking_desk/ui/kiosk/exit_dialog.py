"""Leaving the kiosk's full screen: a supervisor or an admin of the site signs in.

The check is the desk's own sign-in (``StaffService``, on the kiosk's store, on the bridge's
store-write thread), so the wrong-PIN lockout and the audit entries are the same as at a desk;
the entries say ``where: kiosk``. The role is required in the same background call, right
after the PIN is accepted, so staff cannot leave the board either. Nobody stays signed in:
the kiosk holds no session, it only needs to know that a supervisor was there.

A dialog left open (someone pressed Esc and walked away) closes by itself after a minute
without typing, so the board is not left covered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from parking_desk.services.roles import Person, Role, RoleSession
from parking_desk.services.staff import StaffService, StaffStore
from parking_desk.services.store.base import Store
from parking_desk.ui.context import AppContext
from parking_desk.ui.named import named
from parking_desk.ui.sign_in import SignInDialog

IDLE_CLOSE_MS = 60_000


class SupervisorSignIn(StaffService):
    """``StaffService`` whose ``sign_in`` also requires a supervisor (or an admin)."""

    def sign_in(self, name: str, pin: str) -> Person:
        person = super().sign_in(name, pin)
        RoleSession(person).require(Role.SUPERVISOR)
        return person


def kiosk_sign_in(store: Callable[[], Store]) -> Callable[[], StaffService]:
    """For the store-write thread: the service on the kiosk's store, opened on first use."""

    def service() -> StaffService:
        return SupervisorSignIn(cast(StaffStore, store()), where="kiosk")

    return service


class KioskExitDialog(SignInDialog):
    """Name and PIN of a supervisor; accepted only once the service has let them through."""

    def __init__(
        self,
        store: Callable[[], Store],
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        idle_close_ms: int = IDLE_CLOSE_MS,
    ) -> None:
        super().__init__(kiosk_sign_in(store), ctx, "", parent)
        self.setObjectName("kioskExitDialog")
        title = self.tr("Leave full screen")
        self.setWindowTitle(title)
        self.form.title.setText(title)
        self.hint = named(QLabel(wordWrap=True), "kioskExitHint")
        self.hint.setText(
            self.tr(
                "A supervisor or an admin of the site signs in to leave full screen. "
                "Wrong PINs lock the account for a while, as at a desk."
            )
        )
        layout = self.layout()
        if layout is not None:
            layout.addWidget(self.hint)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(idle_close_ms)
        self.idle.timeout.connect(self._idle)
        for field in (self.form.name, self.form.pin):
            # A method, not a lambda over the dialog: a lambda held by its own child would
            # make a cycle only the garbage collector frees, on whichever thread it runs.
            field.textEdited.connect(self._typed)
        self.idle.start()

    def _typed(self, _text: str) -> None:
        self.idle.start()

    def _idle(self) -> None:
        if self.form.busy:
            self.idle.start()  # a check is in flight: its answer decides
            return
        self.reject()

    def _signed_in(self, person: Any) -> None:
        self.idle.stop()
        super()._signed_in(person)
