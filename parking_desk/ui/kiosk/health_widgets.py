"""The kiosk's painted parts: the traffic light, the sends-per-minute sparkline and the lot's
expected occupancy of the days ahead.

Both are painted with QPainter so they scale to any screen; the figures they paint are
also set as accessible text, which is what screen readers (and the tests) read.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from parking_desk.services.queue_health import Light

LIGHT_COLOURS = {
    Light.GREEN: QColor("#2e9d46"),
    Light.AMBER: QColor("#f0a000"),
    Light.RED: QColor("#d32f2f"),
}
OFFLINE_COLOUR = QColor("#7a7a7a")


class TrafficLight(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.light: Light | None = None
        self.setMinimumSize(QSize(160, 160))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def set_light(self, light: Light | None, text: str) -> None:
        self.light = light
        self.setAccessibleName(text)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        side = min(self.width(), self.height()) - 8
        rect = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#222222"), 4))
        painter.setBrush(LIGHT_COLOURS[self.light] if self.light else OFFLINE_COLOUR)
        painter.drawEllipse(rect)
        painter.end()


class Sparkline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: list[int] = []
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_values(self, values: list[int]) -> None:
        self.values = list(values)
        peak = max(self.values, default=0)
        self.setAccessibleDescription(
            self.tr("Sends per minute over the last %1 minutes; peak %2")
            .replace("%1", str(len(self.values)))
            .replace("%2", str(peak))
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = 12.0
        width, height = self.width() - 2 * margin, self.height() - 2 * margin
        painter.setPen(QPen(QColor("#555555"), 2))
        painter.drawLine(QPointF(margin, margin + height), QPointF(margin + width, margin + height))
        if len(self.values) >= 2:
            peak = max(max(self.values), 1)
            step = width / (len(self.values) - 1)
            points = [
                QPointF(margin + i * step, margin + height - v / peak * height)
                for i, v in enumerate(self.values)
            ]
            area = QPolygonF(
                [
                    QPointF(margin, margin + height),
                    *points,
                    QPointF(margin + width, margin + height),
                ]
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(46, 157, 70, 70))
            painter.drawPolygon(area)
            painter.setPen(QPen(QColor("#2e9d46"), 4))
            painter.drawPolyline(QPolygonF(points))
            font = QFont(self.font())
            font.setPointSizeF(max(12.0, height / 8))
            painter.setFont(font)
            painter.setPen(QColor("#dddddd"))
            painter.drawText(
                QRectF(margin, margin, width, height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                self.tr("peak %1/min").replace("%1", str(max(self.values))),
            )
        painter.end()


class OccupancyBars(QWidget):
    """One bar per day ahead, as high as the places expected to be held, against the lot's
    capacity (a red bar is a full day); figures only, never whose car."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[tuple[date, int]] = []
        self.capacity = 0
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_days(self, days: list[tuple[date, int]], capacity: int) -> None:
        self.days = list(days)
        self.capacity = capacity
        figures = ", ".join(f"{d.strftime('%d.%m')}: {n}" for d, n in self.days)
        if capacity > 0:
            text = self.tr("Expected cars on the lot, of %1 places: %2").replace(
                "%1", str(capacity)
            )
        else:
            text = self.tr("Expected cars on the lot: %2")
        self.setAccessibleDescription(text.replace("%2", figures))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.days:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPixelSize(max(10, int(self.height() / 7)))
        painter.setFont(font)
        label_h = font.pixelSize() * 1.4
        top, bottom = label_h, self.height() - label_h
        height = max(bottom - top, 1.0)
        slot = self.width() / len(self.days)
        peak = max(self.capacity, *(n for _, n in self.days), 1)
        if self.capacity > 0:  # the capacity line
            y = bottom - self.capacity / peak * height
            painter.setPen(QPen(QColor("#a9b1bb"), 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(0, y), QPointF(self.width(), y))
        for i, (day, count) in enumerate(self.days):
            x = i * slot + slot * 0.15
            bar_h = count / peak * height
            full = self.capacity > 0 and count >= self.capacity
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#d32f2f") if full else QColor("#2e9d46"))
            painter.drawRect(QRectF(x, bottom - bar_h, slot * 0.7, bar_h))
            painter.setPen(QColor("#f2f2f2"))
            centre = Qt.AlignmentFlag.AlignHCenter
            painter.drawText(
                QRectF(i * slot, bottom - bar_h - label_h, slot, label_h),
                centre | Qt.AlignmentFlag.AlignBottom,
                str(count),
            )
            painter.setPen(QColor("#a9b1bb"))
            painter.drawText(
                QRectF(i * slot, bottom, slot, label_h),
                centre | Qt.AlignmentFlag.AlignVCenter,
                day.strftime("%d"),
            )
        painter.end()
