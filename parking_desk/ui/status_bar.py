"""The status bar: which store, whether it answers, the offline journal, the background
worker, the queue.

Worker events and writes made at this desk (the change hub's queue tasks) only mark the
queue counts dirty; a GUI timer asks the store once per burst
(STYLE: never one query per event). The store is pinged on a slower timer, in the background.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from parking_desk.services.offline import OfflineDesk
from parking_desk.services.store.base import QueueStats, Store
from parking_desk.task import TaskState
from parking_desk.ui.context import AppContext
from parking_desk.ui.desk.offline_conflicts import ConflictsDialog
from parking_desk.ui.local_time import show
from parking_desk.ui.named import named
from parking_desk.ui.ops import Changes, Op

REFRESH_MS = 1000
PING_MS = 15_000


class StatusBar(QStatusBar):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store_label = named(QLabel(), "storeStatus")
        self.worker_label = named(QLabel(), "workerStatus")
        self.queue_label = named(QLabel(), "queueStatus")
        # The offline desk: since when, what waits to sync, and the conflicts for staff.
        self.offline_label = named(QLabel(), "offlineStatus")
        self.conflicts_button = named(QPushButton(), "offlineConflictsButton")
        self.conflicts_button.setFlat(True)
        self.conflicts_button.clicked.connect(self.show_conflicts)
        self.conflicts_button.hide()
        self.conflicts_dialog: ConflictsDialog | None = None
        for label in (self.store_label, self.offline_label, self.worker_label, self.queue_label):
            self.addPermanentWidget(label)
        self.addPermanentWidget(self.conflicts_button)
        self.online: bool | None = None  # None: not connected yet
        self.stats: QueueStats | None = None
        self._dirty = True
        self._asking = False
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._ping_timer = QTimer(self, interval=PING_MS)
        self._ping_timer.timeout.connect(self.ping)
        self._ping_timer.start()
        ctx.hub.changed.connect(self._changed)
        self.retranslate_ui()

    def stop(self) -> None:
        """The window is closing: no more background questions to a bridge shutting down."""
        self._timer.stop()
        self._ping_timer.stop()

    def mark_dirty(self, *_args: object) -> None:
        """Something in the queue moved; cheap enough to call from every event."""
        self._dirty = True

    def _changed(self, changes: Changes) -> None:
        if changes.tasks:
            self.mark_dirty()

    def set_online(self, online: bool | None) -> None:
        self.online = online
        self._show_store()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self._show_offline()
        self._show_store()
        self._show_worker()
        self._show_queue()

    def _tick(self) -> None:
        self._show_worker()
        self._show_offline()
        if self._dirty and not self._asking and self.ctx.store is not None:
            self._dirty = False
            self._asking = True
            Op(self.ctx, self, _queue_stats, write=False).success(self._got_stats).failure(
                self._no_stats
            ).run()

    def _no_stats(self, _error: BaseException) -> None:
        self._asking = False
        self.set_online(False)
        self._dirty = True

    def _got_stats(self, stats: QueueStats) -> None:
        self._asking = False
        self.stats = stats
        self.set_online(True)
        self._show_queue()

    def ping(self) -> None:
        if self.ctx.store is None:
            return
        Op(self.ctx, self, _ping, write=False).success(self._answered).failure(
            self._unanswered
        ).run()
        self._dirty = True  # another desk or the website may have queued work meanwhile

    def _answered(self, _result: None) -> None:
        self.set_online(True)

    def _unanswered(self, _error: BaseException) -> None:
        self.set_online(False)

    def _show_store(self) -> None:
        if self.ctx.settings.store.kind == "firestore":
            kind = self.tr("Firestore ({project})").format(
                project=self.ctx.settings.store.firestore_project
            )
        else:
            kind = self.tr("Embedded database")
        if self.online is None:
            state, colour = self.tr("connecting…"), "#8a5a00"
        elif self.online:
            state, colour = self.tr("online"), "#1b5e20"
        else:
            state, colour = self.tr("OFFLINE"), "#b00020"
        self.store_label.setText(f"{kind}: <b style='color:{colour}'>{state}</b>")
        self.store_label.setProperty("online", self.online)

    def offline_desk(self) -> OfflineDesk | None:
        store = self.ctx.store
        return store if isinstance(store, OfflineDesk) else None

    def _show_offline(self) -> None:
        """From the offline desk's memory, no store call: "offline since 10:05 — 3 bookings,
        2 scans waiting to sync", and a button to the conflicts when there are any."""
        desk = self.offline_desk()
        waiting = desk.status() if desk is not None else None
        if desk is None or waiting is None:
            self.offline_label.hide()
            self.conflicts_button.hide()
            return
        counts = self.tr("{bookings} bookings, {scans} scans waiting to sync").format(
            bookings=waiting.bookings, scans=waiting.scans
        )
        if not desk.online:
            since = waiting.offline_since
            when = show(since)[-5:] if since else "–"  # the site's HH:MM
            text = self.tr("offline since {when} — {counts}").format(when=when, counts=counts)
        elif waiting.total:
            text = self.tr("syncing — {counts}").format(counts=counts)
        else:
            text = ""
        self.offline_label.setText(text)
        self.offline_label.setVisible(bool(text))
        self.conflicts_button.setText(
            self.tr("{n} offline conflicts to resolve").format(n=waiting.conflicts)
        )
        self.conflicts_button.setVisible(waiting.conflicts > 0)
        if self.online is not None and desk.online != self.online:
            self.set_online(desk.online)  # the probe knew before the next ping

    def show_conflicts(self) -> None:
        desk = self.offline_desk()
        if desk is None:
            return
        if self.conflicts_dialog is None:
            self.conflicts_dialog = ConflictsDialog(self.ctx, desk, self.window())
        else:
            self.conflicts_dialog.refresh()
        self.conflicts_dialog.show()
        self.conflicts_dialog.raise_()

    def _show_worker(self) -> None:
        engine = self.ctx.engine
        if engine is None:
            text = (
                self.tr("Worker: off (another machine sends the e-mails)")
                if not self.ctx.settings.worker.run_in_app
                else self.tr("Worker: starting…")
            )
        else:
            status = engine.status()
            if not status.running:
                text = self.tr("Worker: stopped")
            elif status.last_error:
                text = self.tr("Worker: error ({error})").format(error=status.last_error[:60])
            elif status.draining:
                text = self.tr("Worker: sending…")
            else:
                text = self.tr("Worker: idle, {sent} sent").format(sent=status.sent_total)
        self.worker_label.setText(text)

    def _show_queue(self) -> None:
        if self.stats is None:
            self.queue_label.setText(self.tr("Queue: –"))
            return
        counts = self.stats.counts
        self.queue_label.setText(
            self.tr("Queue: {pending} waiting, {processing} sending, {dead} failed").format(
                pending=counts.get(TaskState.PENDING, 0),
                processing=counts.get(TaskState.PROCESSING, 0),
                dead=counts.get(TaskState.DEAD, 0),
            )
        )


def _queue_stats(store: Store) -> QueueStats:
    return store.queue_stats()


def _ping(store: Store) -> None:
    store.ping()
