"""Asks for the supervisor PIN. Used to unlock the console and to leave the kiosk's full
screen; the PIN is checked against its scrypt hash and never kept."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class PinDialog(QDialog):
    def __init__(self, check: Callable[[str], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._check = check
        self.setWindowTitle(self.tr("Supervisor PIN"))
        self.prompt = QLabel(self.tr("Enter the supervisor PIN:"))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName(self.tr("Supervisor PIN"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.prompt, self.pin, self.error, buttons):
            layout.addWidget(widget)

    def _try(self) -> None:
        pin = self.pin.text()
        self.pin.clear()
        if pin and self._check(pin):
            self.accept()
            return
        self.error.setText(self.tr("Wrong PIN."))
        self.error.show()
        self.pin.setFocus()
