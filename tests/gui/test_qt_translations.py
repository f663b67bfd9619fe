"""In Romanian, Qt's own buttons and dialogs speak Romanian too: Qt ships no Romanian
catalogue, so the desk brings one for the strings its screens show."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
)

from parking_desk.ui.translations import Translations

QM = Path(__file__).resolve().parents[2] / "resources" / "translations" / "qtbase_ro.qm"


@pytest.fixture
def romanian(qapp) -> Iterator[Translations]:
    """``make test`` builds the .qm first; a bare pytest run builds it here the same way."""
    ts = QM.with_suffix(".ts")
    if not QM.exists() or QM.stat().st_mtime < ts.stat().st_mtime:
        lrelease = Path(sys.executable).parent / "pyside6-lrelease"
        subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(QM)], check=True)
    translations = Translations(QApplication.instance())
    translations.apply("ro")
    yield translations
    translations.apply("en")


def test_standard_buttons_are_romanian(qtbot, romanian):
    box = QMessageBox(QMessageBox.Icon.Question, "Întrebare", "Anulați?")
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(box)
    assert box.button(QMessageBox.StandardButton.Yes).text().replace("&", "") == "Da"
    assert box.button(QMessageBox.StandardButton.No).text().replace("&", "") == "Nu"
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Close
    )
    qtbot.addWidget(buttons)
    texts = {b.text().replace("&", "") for b in buttons.buttons()}
    assert texts == {"OK", "Renunță", "Salvează", "Închide"}


def test_the_file_dialog_is_romanian(qtbot, romanian, tmp_path):
    dialog = QFileDialog(None, "Export", str(tmp_path))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    labels = {label.text().replace("&", "") for label in dialog.findChildren(QLabel)}
    assert {"Caută în:", "Nume fișier:", "Fișiere de tipul:"} <= labels
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert save.text().replace("&", "") == "Salvează"


def test_the_print_dialog_is_romanian(qtbot, romanian):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Tipărire"
    labels = {label.text().replace("&", "") for label in dialog.findChildren(QLabel)}
    assert "Copii:" in labels


def test_a_line_edits_menu_is_romanian(qtbot, romanian):
    edit = QLineEdit("text")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [a.text().split("\t")[0].replace("&", "") for a in menu.actions() if a.text()]
    assert {"Anulează", "Copiază", "Lipește", "Selectează tot"} <= set(texts)
