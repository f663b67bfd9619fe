"""The QR alone on a screen, for the client to photograph or for a gate to scan.

With a second monitor facing the client it opens there, so the desk keeps its own screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent, QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class QrFullscreen(QWidget):
    def __init__(self, png: bytes, number: str, plate: str) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setStyleSheet("background: white; color: black;")
        self._pixmap = QPixmap()
        self._pixmap.loadFromData(png, "PNG")
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.number = QLabel(number, alignment=Qt.AlignmentFlag.AlignCenter)
        self.plate = QLabel(plate, alignment=Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        big = QFont()
        big.setPointSize(40)
        big.setBold(True)
        self.number.setFont(big)
        big.setPointSize(28)
        self.plate.setFont(big)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.number)
        layout.addWidget(self.plate)
        layout.addWidget(self.hint)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Ticket {number}").format(number=self.number.text()))
        self.hint.setText(self.tr("Press Esc or click to close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def open(self) -> None:
        """Full screen on the second monitor when there is one, else on the desk's own."""
        screens = QGuiApplication.screens()
        screen = screens[1] if len(screens) > 1 else QGuiApplication.primaryScreen()
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.showFullScreen()

    def resizeEvent(self, event: QResizeEvent) -> None:
        side = max(50, min(self.width(), self.height() - 220))
        self.image.setPixmap(
            self._pixmap.scaled(
                side,
                side,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )
        super().resizeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (
            Qt.Key.Key_Escape,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Space,
        ):
            self.close()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.close()
