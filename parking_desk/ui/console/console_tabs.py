"""Joins the supervisor's Queue, Bounced addresses and Audit tabs to the desk's main window.

The desk connects to its store in the background, so the tabs are built first and handed
the store when it arrives; closing the window stops the queue's change feed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, SignalInstance
from PySide6.QtWidgets import QWidget

from parking_desk.services.store.base import Store
from parking_desk.ui.console.audit_tab import AuditTab
from parking_desk.ui.console.keys_tab import KeysTab, keys_title
from parking_desk.ui.console.queue_tab import QueueTab
from parking_desk.ui.console.suppressions_tab import SuppressionsTab, suppressions_title
from parking_desk.ui.context import AppContext


class DeskWindow(Protocol):
    ctx: AppContext
    closing: SignalInstance

    def add_tab(self, widget: QWidget, title: str | Callable[[], str]) -> int: ...


def _queue_title() -> str:
    return QCoreApplication.translate("ConsoleTabs", "&Queue")


def _audit_title() -> str:
    return QCoreApplication.translate("ConsoleTabs", "&Audit log")


class ConsoleTabs(QObject):
    def __init__(self, window: DeskWindow) -> None:
        super().__init__()
        ctx = window.ctx
        self.queue = QueueTab(ctx, bounces_read=ctx.settings.imap is not None)
        # The audit log and the suppression list read again when the change hub says their
        # kind changed, whichever tab wrote (a recipient fixed in the queue may lift a
        # suppression): no tab is told of another's actions here.
        self.audit = AuditTab(ctx)
        self.suppressions = SuppressionsTab(ctx)
        self.queue.lock.role_changed.connect(lambda _role: self.suppressions.retranslate_ui())
        window.add_tab(self.queue, _queue_title)
        window.add_tab(self.suppressions, suppressions_title)
        window.add_tab(self.audit, _audit_title)
        window.add_tab(KeysTab(ctx), keys_title)
        window.closing.connect(self.queue.shutdown)

    def set_store(self, store: Store | None) -> None:
        if store is not None:
            self.queue.set_store(store)
            self.audit.connected()


def attach_console(window: DeskWindow) -> ConsoleTabs:
    return ConsoleTabs(window)
