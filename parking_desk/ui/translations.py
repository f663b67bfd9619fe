"""Installs the compiled Qt Linguist catalogues for the chosen language.

Switching language at runtime removes the old translators and installs new ones; Qt then
sends every widget a LanguageChange event, and each screen re-labels itself in
``retranslate_ui()``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from parking_desk.resources import resource_path

log = logging.getLogger(__name__)

LANGUAGES = ("ro", "en")
CATALOGUES = ("desk", "console")


def system_language() -> str:
    return "ro" if QLocale.system().name().lower().startswith("ro") else "en"


def choose_language(configured: str) -> str:
    return configured if configured in LANGUAGES else system_language()


class Translations:
    """Owns the installed translators so they can be swapped for another language."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.language = "en"

    def apply(self, language: str) -> list[str]:
        """Install *language*'s catalogues; returns the names of those that could not load."""
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed.clear()
        self.language = language
        missing: list[str] = []
        if language == "en":  # the source strings are English
            QCoreApplication.sendEvent(self._app, QEvent(QEvent.Type.LanguageChange))
            return missing
        self._install_qt_base(language)
        for name in CATALOGUES:
            translator = QTranslator(self._app)
            path = resource_path("translations", f"{name}_{language}.qm")
            if translator.load(str(path)):
                self._install(translator)
            else:
                log.warning("translation catalogue %s not found (run make translations)", path)
                missing.append(name)
        return missing

    def _install_qt_base(self, language: str) -> None:
        """Qt's own strings (Yes, No, Cancel, the file and print dialogs): Qt's catalogue
        when it ships one for *language*, else ours. Qt ships none for Romanian."""
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt_base = QTranslator(self._app)
        ours = resource_path("translations", f"qtbase_{language}.qm")
        if qt_base.load(f"qtbase_{language}", qt_dir) or qt_base.load(str(ours)):
            self._install(qt_base)
        else:
            log.warning("no Qt catalogue for %s: Qt's dialogs stay in English", language)

    def _install(self, translator: QTranslator) -> None:
        self._app.installTranslator(translator)
        self._installed.append(translator)
