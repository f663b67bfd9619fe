"""The kiosk: the queue's health and the lot's occupancy on a wall screen, readable from
across the room.

Read-only and free of personal data: it shows counts, ages and worker ids, nothing about a
booking. The store is read on a timer in the background; when it cannot be reached the
board says since when, keeps trying, and comes back by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from parking_desk.config import Settings
from parking_desk.services.lot import Occupancy
from parking_desk.services.queue_health import (
    HealthSnapshot,
    Light,
    WorkerBeat,
    WorkerState,
    collect_health,
)
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.base import Store
from parking_desk.site_time import local
from parking_desk.task import TaskState
from parking_desk.timeutil import utcnow
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.relative_time import age_text
from parking_desk.ui.context import AppContext
from parking_desk.ui.kiosk.exit_dialog import KioskExitDialog
from parking_desk.ui.kiosk.health_widgets import OccupancyBars, Sparkline, TrafficLight
from parking_desk.ui.kiosk.store_source import StoreSource, read_occupancy
from parking_desk.ui.ops import Op
from parking_desk.ui.translations import choose_language

REFRESH_MS = 5000
HUNG_READ = timedelta(seconds=20)
STYLE = """
KioskWindow { background: #111418; }
QLabel { color: #f2f2f2; }
QLabel[role="caption"] { color: #a9b1bb; }
QLabel[stale="true"] { color: #ff6b6b; }
QFrame[role="tile"] { background: #1c2128; border-radius: 12px; }
QFrame[offline="true"] QLabel { color: #59626c; }
QLabel[alarm="true"] {
    color: #ffffff; background: #b71c1c; border-radius: 8px; padding: 4px 16px;
}
"""


class Tile(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "tile")
        self.caption = QLabel(caption)
        self.caption.setProperty("role", "caption")
        self.value = QLabel("–")
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        for label in (self.caption, self.value):
            shrinkable(label)


def shrinkable(label: QLabel) -> QLabel:
    """Large type must never make the window wider than the screen (that would drop it out
    of full screen); a label too long for a small screen is cut instead."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(0)
    return label


def percent(rate: float | None) -> str:
    """Whole percent: a decimal is noise from across the room (and its separator differs
    between Romanian and English)."""
    if rate is None:
        return "–"
    if 0 < rate < 0.01:
        return "<1 %"
    return f"{round(rate * 100)} %"


class KioskWindow(QWidget):
    def __init__(
        self,
        open_store: Callable[[], Store],
        bridge: Bridge,
        settings: Settings,
        *,
        refresh_ms: int = REFRESH_MS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__()
        self.setStyleSheet(STYLE)
        self._source = StoreSource(open_store)
        self.bridge = bridge
        self.settings = settings
        # The board's operations run in a context of its own: nobody signed in, and no store
        # in it, since the board opens its source on its first read (``store_source``).
        self.ctx = AppContext(
            settings=settings,
            bridge=bridge,
            session=RoleSession(kiosk=True),
            language=choose_language(settings.desk.language),
        )
        self.clock = clock
        self.snapshot: HealthSnapshot | None = None
        self.offline_since: datetime | None = None
        self._busy = False
        self.occupancy: Occupancy | None = None
        self._occupancy_busy = False
        self._read_started: datetime | None = None
        self.exit_dialog: KioskExitDialog | None = None
        self._may_close = False
        self.setWindowTitle(self.tr("E-mail queue health"))
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        QTimer.singleShot(0, self.refresh)

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel(self.tr("E-mail queue"))
        self.status = QLabel(self.tr("Connecting…"))
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.addWidget(self.title, 3)
        header.addWidget(self.status, 2)

        self.light = TrafficLight()
        self.light_text = QLabel()
        self.light_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reasons = QLabel()
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reasons.setWordWrap(True)
        self.reasons.setProperty("role", "caption")
        left = QVBoxLayout()
        left.addWidget(self.light, 1)
        left.addWidget(self.light_text)
        left.addWidget(self.reasons)

        self.tiles = {
            "pending": Tile(self.tr("Waiting")),
            "retrying": Tile(self.tr("Retrying")),
            "processing": Tile(self.tr("Sending")),
            "dead": Tile(self.tr("Failed")),
            "oldest": Tile(self.tr("Waiting for")),
            "hour": Tile(self.tr("Sent, last hour")),
            "today": Tile(self.tr("Sent today")),
            "rate": Tile(self.tr("Failure rate, last hour")),
        }
        grid = QGridLayout()
        for i, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, i // 4, i % 4)

        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addLayout(grid, 4)

        self.spark_caption = QLabel(self.tr("Sends per minute, last hour"))
        self.spark_caption.setProperty("role", "caption")
        self.sparkline = Sparkline()
        self.workers_caption = QLabel(self.tr("Workers"))
        self.workers_caption.setProperty("role", "caption")
        self.workers = QVBoxLayout()
        self.worker_labels: list[QLabel] = []
        spark_box = QVBoxLayout()
        spark_box.addWidget(self.spark_caption)
        spark_box.addWidget(self.sparkline, 1)
        workers_box = QVBoxLayout()
        workers_box.addWidget(self.workers_caption)
        workers_box.addLayout(self.workers)
        workers_box.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addLayout(spark_box, 3)
        bottom.addLayout(workers_box, 2)

        self.lot_tile = Tile(self.tr("Cars on the lot"))
        self.lot_caption = QLabel(self.tr("Expected, next days"))
        self.lot_caption.setProperty("role", "caption")
        self.lot_bars = OccupancyBars()
        lot_days = QVBoxLayout()
        lot_days.addWidget(self.lot_caption)
        lot_days.addWidget(self.lot_bars, 1)
        lot_box = QHBoxLayout()
        lot_box.addWidget(self.lot_tile, 1)
        lot_box.addLayout(lot_days, 4)

        for label in (self.title, self.status, self.light_text, self.reasons, self.lot_caption):
            shrinkable(label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addLayout(header)
        layout.addLayout(top, 3)
        layout.addLayout(bottom, 2)
        layout.addLayout(lot_box, 2)
        self._set_light(None)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Type sized from the screen height, so a 1080p wall screen gets letters ~9 cm tall."""
        super().resizeEvent(event)
        h = max(self.height(), 400)
        sizes = ((self.title, h / 20, True), (self.status, h / 30, True))
        for widget, px, bold in sizes:
            self._font(widget, px, bold)
        for tile in self.tiles.values():
            self._font(tile.caption, h / 36, False)
            self._font(tile.value, h / 13, True)
        self._font(self.light_text, h / 22, True)
        self._font(self.lot_tile.caption, h / 36, False)
        self._font(self.lot_tile.value, h / 13, True)
        for widget in (self.reasons, self.spark_caption, self.workers_caption, self.lot_caption):
            self._font(widget, h / 36, False)
        for label in self.worker_labels:
            self._font(label, h / 32, False)

    @staticmethod
    def _font(widget: QWidget, px: float, bold: bool) -> None:
        font = QFont(widget.font())
        font.setPixelSize(max(10, int(px)))
        font.setBold(bold)
        widget.setFont(font)

    # --- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._refresh_occupancy()
        if self._busy:
            # The previous read is still running: a store that does not answer in time is
            # as good as offline, even before the call itself gives up.
            started = self._read_started
            if started is not None and self.clock() - started > HUNG_READ:
                self._went_offline(started)
            return
        self._busy = True
        self._read_started = self.clock()
        source, limits, now = self._source, self.settings.kiosk, self._read_started
        zone = self.settings.desk.time_zone
        # The job holds the store source, never the window: a window must not end its life on
        # a pool thread. Other machines' work is what the board watches, so it reads on its
        # timer rather than on this process's change hub.
        Op.without_store(
            self.ctx, self, lambda: collect_health(source.get(), limits, now=now, time_zone=zone)
        ).success(self._loaded).failure(self._unreachable).run()

    def _unreachable(self, _error: BaseException) -> None:
        self._busy = False
        started, self._read_started = self._read_started, None
        self._went_offline(started or self.clock())

    def _loaded(self, snapshot: HealthSnapshot) -> None:
        self._busy = False
        self._read_started = None
        self.offline_since = None
        self._show_offline(False)
        self.snapshot = snapshot
        self.status.setText(
            self.tr("Updated %1").replace("%1", self._local(snapshot.at).strftime("%H:%M:%S"))
        )
        self._show(snapshot)

    def _refresh_occupancy(self) -> None:
        """The lot's figures, read on their own job: a slow lot query never holds up the
        queue's health, and the health read alone decides whether the board is offline."""
        if self._occupancy_busy:
            return
        self._occupancy_busy = True
        source, desk, now = self._source, self.settings.desk, self.clock()
        capacity, zone = desk.capacity, desk.time_zone
        Op.without_store(
            self.ctx, self, lambda: read_occupancy(source, capacity, zone, now)
        ).success(self._occupancy_loaded).failure(self._occupancy_unread).run()

    def _occupancy_unread(self, _error: BaseException) -> None:
        self._occupancy_busy = False  # the health read says the board is offline; figures stay

    def _occupancy_loaded(self, occupancy: Occupancy) -> None:
        self._occupancy_busy = False
        self.occupancy = occupancy
        on_lot = str(occupancy.on_lot)
        if occupancy.capacity > 0:
            on_lot = f"{on_lot} / {occupancy.capacity}"
        self.lot_tile.value.setText(on_lot)
        self.lot_bars.set_days(occupancy.days, occupancy.capacity)

    def _local(self, at: datetime) -> datetime:
        return local(at, self.settings.desk.time_zone)  # the site's clock, not the machine's

    def _went_offline(self, since: datetime) -> None:
        if self.offline_since is None:
            self.offline_since = since
        when = self._local(self.offline_since).strftime("%H:%M")
        self.status.setText(self.tr("Offline since %1").replace("%1", when))
        self._show_offline(True)
        self._set_light(None)

    def _show_offline(self, offline: bool) -> None:
        """Last known figures stay visible but dimmed: they are no longer the truth."""
        self._flag(self.status, "alarm", offline)
        for tile in self.tiles.values():
            self._flag(tile, "offline", offline)
            for label in (tile.caption, tile.value):
                label.style().unpolish(label)
                label.style().polish(label)

    @staticmethod
    def _flag(widget: QWidget, name: str, on: bool) -> None:
        widget.setProperty(name, "true" if on else "false")
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _set_light(self, light: Light | None) -> None:
        text = {
            Light.GREEN: self.tr("All good"),
            Light.AMBER: self.tr("Attention"),
            Light.RED: self.tr("Problem"),
            None: self.tr("Offline"),
        }[light]
        self.light.set_light(light, text)
        self.light_text.setText(text)
        if light is None:
            self.reasons.setText("")

    def reason_text(self, code: str) -> str:
        return {
            "oldest_due": self.tr("e-mails waiting too long"),
            "retrying": self.tr("e-mails being retried"),
            "dead": self.tr("failed e-mails"),
            "failure_rate": self.tr("high failure rate"),
            "no_worker": self.tr("no worker running"),
            "worker_blocked": self.tr("a worker cannot record results"),
        }.get(code, code)

    def _show(self, s: HealthSnapshot) -> None:
        self._set_light(s.light)
        self.reasons.setText("\n".join(self.reason_text(r) for r in s.reasons))
        counts = s.counts
        values = {
            "pending": str(counts.get(TaskState.PENDING, 0) - s.retrying),
            "retrying": str(s.retrying),
            "processing": str(counts.get(TaskState.PROCESSING, 0)),
            "dead": str(counts.get(TaskState.DEAD, 0)),
            "oldest": age_text(s.oldest_due_age.total_seconds()) if s.oldest_due_age else "–",
            "hour": str(s.sent_last_hour),
            "today": str(s.sent_today),
            "rate": percent(s.failure_rate),
        }
        for key, value in values.items():
            self.tiles[key].value.setText(value)
        self.sparkline.set_values(s.per_minute)
        self._show_workers(s)

    def worker_label(self, beat: WorkerBeat) -> str:
        """Kind and the id's last part, never the whole id: it carries the host name, and a
        host may be named after the person who uses it."""
        kind = {"desk": self.tr("desk"), "worker": self.tr("server")}.get(beat.kind, beat.kind)
        return f"{kind} #{beat.worker_id.rsplit('-', 1)[-1][-6:]}"

    def worker_text(self, beat: WorkerBeat) -> str:
        if beat.state == WorkerState.STOPPED:
            text = self.tr("%1: stopped %2 ago")
        elif beat.state == WorkerState.BLOCKED:
            text = self.tr("%1: blocked, cannot record results (heartbeat %2 ago)")
        elif beat.kind == "desk" and beat.stale:
            # A desk that lost its line works on from its journal but cannot say so.
            text = self.tr("%1: offline, not heard from for %2")
        elif beat.state == WorkerState.OFFLINE:
            text = self.tr("%1: offline, syncing what it did meanwhile (heartbeat %2 ago)")
        else:
            text = self.tr("%1: heartbeat %2 ago")
        text = text.replace("%1", self.worker_label(beat))
        return text.replace("%2", age_text(beat.age.total_seconds()))

    def _show_workers(self, s: HealthSnapshot) -> None:
        while len(self.worker_labels) < max(len(s.workers), 1):
            label = shrinkable(QLabel())
            self.workers.addWidget(label)
            self.worker_labels.append(label)
        for label in self.worker_labels:
            label.hide()
        if not s.workers:
            self.worker_labels[0].setText(self.tr("No worker has reported"))
            self._flag(self.worker_labels[0], "stale", True)
            self.worker_labels[0].show()
        for label, beat in zip(self.worker_labels, s.workers, strict=False):
            label.setText(self.worker_text(beat))
            self._flag(label, "stale", beat.stale or beat.blocked)
            label.show()
        self.resizeEvent(QResizeEvent(self.size(), self.size()))

    # --- leaving full screen needs a supervisor -------------------------------------------
    def ask_supervisor(self, then: Callable[[], None]) -> None:
        """A supervisor or an admin signs in (see ``exit_dialog``); *then* runs once they
        have. The dialog is window-modal and opened, not exec'd: the board keeps refreshing
        behind it, and a second Esc while it is open does not stack another one."""
        if self.exit_dialog is not None and self.exit_dialog.isVisible():
            self.exit_dialog.raise_()
            return
        source = self._source
        self.ctx.language = choose_language(self.settings.desk.language)
        dialog = KioskExitDialog(source.get, self.ctx, self)
        dialog.accepted.connect(then)
        dialog.finished.connect(self._exit_dialog_closed)
        self.exit_dialog = dialog
        dialog.open()

    def _exit_dialog_closed(self, _result: int) -> None:
        dialog, self.exit_dialog = self.exit_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Escape, Qt.Key.Key_F11) and self.isFullScreen():
            self.ask_supervisor(self.showNormal)
            return
        if key == Qt.Key.Key_F11:
            self.showFullScreen()
            return
        super().keyPressEvent(event)

    def shutdown(self) -> None:
        self.timer.stop()
        self._source.close()

    def _close_now(self) -> None:
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.isFullScreen() and not self._may_close:
            event.ignore()
            self.ask_supervisor(self._close_now)
            return
        self.timer.stop()
        super().closeEvent(event)
