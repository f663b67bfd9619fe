"""Fix a task's recipient: the new address is checked before anything is sent to the store,
and a bad one keeps the dialog open with the reason, so nothing typed is lost.

The old address opens selected, so what the supervisor types replaces it (an arrow key
keeps it for a small correction)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from parking_desk.booking_rules import checked_email
from parking_desk.errors import ValidationError
from parking_desk.ui.field_text import field_text

# Wide enough for a long address and its reason on a line or two, never clipped.
MIN_WIDTH = 460


class RecipientDialog(QDialog):
    def __init__(
        self, current: str, *, language: str = "en", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recipient-dialog")  # how a test finds it open
        self.language = language
        self.address = ""
        self.setWindowTitle(self.tr("Fix recipient and resend"))
        self.setMinimumWidth(MIN_WIDTH)
        self.email = QLineEdit(current)
        self.email.selectAll()
        self.email.setAccessibleName(self.tr("New e-mail address"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save and resend"))
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("New e-mail address:")))
        layout.addWidget(self.email)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.email.setFocus()

    def _try(self) -> None:
        try:
            self.address = checked_email(self.email.text())
        except ValidationError as exc:
            self.error.setText("\n".join(field_text(e, self.language) for e in exc.errors))
            self.error.show()
            self.adjustSize()  # the dialog grows to the message instead of clipping it
            return
        self.accept()
