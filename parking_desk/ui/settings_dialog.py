"""Settings a desk may change itself, saved to the same TOML file the worker reads.

Passwords are masked while typed and never logged. PINs are not here: each person has their
own, kept in the site's staff accounts (an admin resets them there). "Test connection" logs
in to the SMTP server on the bridge, never on the GUI thread, and reports in words a desk
can act on.
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from parking_desk.config import DEFAULT_PORTS, SMTP_SECURITY, Settings, SmtpSettings
from parking_desk.services.mail.smtp import SmtpTransport
from parking_desk.services.roles import Role
from parking_desk.ui.context import AppContext
from parking_desk.ui.named import named
from parking_desk.ui.ops import Op
from parking_desk.ui.settings_file import changed_keys, patch_file


class SmtpBox(QGroupBox):
    """One SMTP server: empty host means "not used"."""

    def __init__(self, ctx: AppContext, smtp: SmtpSettings | None, prefix: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.host = named(QLineEdit(smtp.host if smtp else ""), f"{prefix}Host")
        self.port = named(QSpinBox(), f"{prefix}Port")
        self.port.setRange(1, 65535)
        self.port.setValue(smtp.port if smtp else DEFAULT_PORTS["starttls"])
        self.security = named(QComboBox(), f"{prefix}Security")
        self.security.addItems(list(SMTP_SECURITY))
        self.security.setCurrentText(smtp.security if smtp else "starttls")
        self.user = named(QLineEdit(smtp.user if smtp else ""), f"{prefix}User")
        self.password = named(QLineEdit(smtp.password if smtp else ""), f"{prefix}Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = named(QPushButton(), f"{prefix}Test")
        self.test_button.clicked.connect(self.test_connection)
        self.result = named(QLabel(wordWrap=True), f"{prefix}TestResult")
        self.form = QFormLayout(self)
        self.labels = [QLabel() for _ in range(5)]
        for label, widget in zip(
            self.labels,
            (self.host, self.port, self.security, self.user, self.password),
            strict=True,
        ):
            self.form.addRow(label, widget)
        self.form.addRow(self.test_button, self.result)
        self._original = smtp

    def retranslate_ui(self) -> None:
        for label, text in zip(
            self.labels,
            (self.tr("Server"), self.tr("Port"), self.tr("Security"), self.tr("User")),
            strict=False,
        ):
            label.setText(text)
        self.labels[4].setText(self.tr("Password"))
        self.host.setPlaceholderText(self.tr("empty: not used"))
        self.test_button.setText(self.tr("Test connection"))

    def value(self) -> SmtpSettings | None:
        host = self.host.text().strip()
        if not host:
            return None
        smtp = copy.copy(self._original) if self._original else SmtpSettings(host=host)
        smtp.host = host
        smtp.port = self.port.value()
        smtp.security = self.security.currentText()
        smtp.user = self.user.text().strip()
        smtp.password = self.password.text()
        return smtp

    def test_connection(self) -> None:
        smtp = self.value()
        if smtp is None:
            self._say(self.tr("Enter a server first."), ok=False)
            return
        self.test_button.setEnabled(False)
        self._say(self.tr("Connecting…"), ok=None)
        Op.without_store(self.ctx, self, lambda: SmtpTransport(smtp).check()).success(
            self._connected
        ).failure(self._refused).run()

    def _connected(self, _result: None) -> None:
        self.test_button.setEnabled(True)
        self._say(self.tr("Connected and logged in."), ok=True)

    def _refused(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        # DeliveryError text carries the server's answer, never the password.
        self._say(self.tr("Failed: {reason}").format(reason=error), ok=False)

    def _say(self, text: str, ok: bool | None) -> None:
        colour = {True: "#1b5e20", False: "#b00020", None: "#555555"}[ok]
        self.result.setStyleSheet(f"color: {colour};")
        self.result.setProperty("ok", ok)
        self.result.setText(text)


class SettingsDialog(QDialog):
    def __init__(
        self, ctx: AppContext, settings_path: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings_path = settings_path
        s = ctx.settings
        self._language = s.desk.language
        self.store_kind = named(QComboBox(), "storeKind")
        self.store_kind.addItem("", "sqlite")
        self.store_kind.addItem("Firestore", "firestore")
        self.store_kind.setCurrentIndex(self.store_kind.findData(s.store.kind))
        self.sqlite_path = named(QLineEdit(str(s.store.sqlite_path)), "sqlitePath")
        self.project = named(QLineEdit(s.store.firestore_project), "firestoreProject")
        self.smtp = SmtpBox(ctx, s.smtp, "smtp")
        self.backup = SmtpBox(ctx, s.smtp_backup, "backup")
        self.mail_from = named(QLineEdit(s.mail.mail_from), "mailFrom")
        self.interval = named(QDoubleSpinBox(suffix=" s"), "drainInterval")
        self.interval.setRange(1, 3600)
        self.interval.setValue(s.worker.drain_interval_s)
        self.run_in_app = named(QCheckBox(), "runInApp")
        self.run_in_app.setChecked(s.worker.run_in_app)
        self.site_name = named(QLineEdit(s.desk.site_name), "siteName")
        self.operator = named(QLineEdit(s.desk.operator), "operator")
        self.language = named(QComboBox(), "settingsLanguage")
        for code in ("", "ro", "en"):
            self.language.addItem("", code)
        self.language.setCurrentIndex(self.language.findData(s.desk.language))
        self.error = named(QLabel(wordWrap=True), "settingsError")
        self.error.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.pages = QTabWidget()
        self.forms: dict[str, QFormLayout] = {}
        for page in ("desk", "store", "mail", "worker"):
            widget = QWidget()
            self.forms[page] = QFormLayout(widget)
            self.pages.addTab(widget, "")
        self.rows = {
            "site": ("desk", self.site_name),
            "operator": ("desk", self.operator),
            "language": ("desk", self.language),
            "kind": ("store", self.store_kind),
            "path": ("store", self.sqlite_path),
            "project": ("store", self.project),
            "from": ("mail", self.mail_from),
            "interval": ("worker", self.interval),
            "run_in_app": ("worker", self.run_in_app),
        }
        self.row_labels = {key: QLabel() for key in self.rows}
        for key, (page, widget) in self.rows.items():
            self.forms[page].addRow(self.row_labels[key], widget)
        self.forms["mail"].addRow(self.smtp)
        self.forms["mail"].addRow(self.backup)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.site_name.setFocus()  # the first field, not the page tabs

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for i, title in enumerate(
            (self.tr("Desk"), self.tr("Database"), self.tr("E-mail"), self.tr("Worker"))
        ):
            self.pages.setTabText(i, title)
        texts = {
            "site": self.tr("Site name"),
            "operator": self.tr("Desk name"),
            "language": self.tr("Language"),
            "kind": self.tr("Database"),
            "path": self.tr("Database file"),
            "project": self.tr("Firestore project"),
            "from": self.tr("Sender address"),
            "interval": self.tr("Check the queue every"),
            "run_in_app": self.tr("Send e-mails from this desk"),
        }
        for key, text in texts.items():
            self.row_labels[key].setText(text)
        self.store_kind.setItemText(0, self.tr("Embedded (this computer)"))
        self.language.setItemText(0, self.tr("As the system"))
        self.language.setItemText(1, "Română")
        self.language.setItemText(2, "English")
        self.operator.setPlaceholderText(self.tr("empty: the computer's name"))
        self.operator.setToolTip(
            self.tr(
                "How the site's Signing keys list names this desk's key. It is recorded when "
                "the key is first published, at the desk's first start."
            )
        )
        self.smtp.setTitle(self.tr("SMTP server"))
        self.backup.setTitle(self.tr("Backup SMTP server (optional)"))
        self.smtp.retranslate_ui()
        self.backup.retranslate_ui()

    def build(self) -> Settings:
        """The settings as edited, or ValueError naming what is wrong."""
        s = copy.deepcopy(self.ctx.settings)
        s.store.kind = self.store_kind.currentData()
        s.store.sqlite_path = Path(self.sqlite_path.text().strip()).expanduser()
        s.store.firestore_project = self.project.text().strip()
        if s.store.kind == "firestore" and not s.store.firestore_project:
            raise ValueError(self.tr("Firestore needs a project id."))
        s.smtp = self.smtp.value()
        s.smtp_backup = self.backup.value()
        for smtp in (s.smtp, s.smtp_backup):
            if smtp is not None and bool(smtp.user) != bool(smtp.password):
                raise ValueError(self.tr("An SMTP user needs its password, and the other way."))
        s.mail.mail_from = self.mail_from.text().strip()
        s.worker.drain_interval_s = self.interval.value()
        s.worker.run_in_app = self.run_in_app.isChecked()
        s.desk.site_name = self.site_name.text().strip()
        s.desk.operator = self.operator.text().strip()
        s.desk.language = self.language.currentData()
        return s

    def accept(self) -> None:
        # Settings reach the SMTP password and the store: only a supervisor
        # may change them (staff may still open the dialog to read them).
        if not self.ctx.session.allows(Role.SUPERVISOR):
            self.error.setText(self.tr("Sign in as a supervisor to change settings."))
            return
        try:
            settings = self.build()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        if self.settings_path is not None:
            try:
                patch_file(self.settings_path, changed_keys(self.ctx.settings, settings))
            except OSError as exc:
                self.error.setText(self.tr("Could not save: {reason}").format(reason=exc.strerror))
                return
        self.ctx.settings.__dict__.update(settings.__dict__)
        self.error.setText(self.tr("Saved. Database and worker changes apply at the next start."))
        super().accept()

    def language_changed(self) -> bool:
        return self.chosen_language() != "" and self.chosen_language() != self._language

    def chosen_language(self) -> str:
        return self.language.currentData()
