"""A barcode scanner typing into the wrong tab still checks the car in.

USB scanners are keyboards: a ticket scanned while the clerk is in the new-booking form
lands in the client's name. This application-level event filter watches what is typed
anywhere in the desk. It eats nothing while typing goes on; when the scanner's suffix
(Enter or Tab, ``desk.scanner_suffix``) ends a burst of keys typed at scanner speed whose
text has a ticket's shape (``services.qr``: ``PD1:number:plate:validity:key:signature``),
the field gets back what it held before the burst, the suffix is eaten (no form is
submitted, no focus moves) and the ticket goes to the scan panel. People type far slower
than a scanner and never type a 130-character signature, so normal typing passes untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from parking_desk.services.qr import MALFORMED, VERSION, verify

# A scanner types a character every few milliseconds; a fast typist needs ~80 ms or more.
MAX_GAP_S = 0.035
SUFFIX_KEYS = {
    "enter": (Qt.Key.Key_Return, Qt.Key.Key_Enter),
    "tab": (Qt.Key.Key_Tab,),
}


def looks_like_ticket(text: str) -> bool:
    """A ticket payload's shape (checked by the verifier with no key to trust): whether it
    is genuine is the scan panel's question."""
    return text.upper().startswith(VERSION + ":") and verify(text, []).status != MALFORMED


class ScannerRouter(QObject):
    """Installed on the application by the main window. *deliver* receives a ticket
    typed elsewhere and says whether it took it (not while nobody is signed in); *skip* is
    the scan panel's own field, where a scan already belongs."""

    def __init__(
        self,
        deliver: Callable[[str], bool],
        skip: Callable[[], QWidget | None],
        suffix: Callable[[], str],
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._skip = skip
        self._suffix = suffix
        self._clock = clock
        self._text = ""
        self._last = 0.0
        self._widget: QWidget | None = None
        self._before: str | None = None  # the field's text when the burst began

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        focus = QApplication.focusWidget()
        # A key event travels up to the parents; count it once, at the focused widget.
        if watched is not focus or focus is None or focus is self._skip():
            return False
        assert isinstance(event, QKeyEvent)
        now = self._clock()
        fast = now - self._last <= MAX_GAP_S and focus is self._widget
        self._last = now
        if event.key() in SUFFIX_KEYS.get(self._suffix().lower(), SUFFIX_KEYS["enter"]):
            text, before = self._text, self._before
            self._reset()
            # The burst may have begun with the clerk's own quick keys: the ticket is its tail.
            start = text.upper().rfind(VERSION + ":")
            tail = text[start:] if start >= 0 else ""
            if fast and looks_like_ticket(tail) and self._deliver(tail):
                self._restore(focus, (before or "") + text[:start], tail)
                return True
            return False
        typed = event.text()
        if not typed or not typed.isprintable():
            self._reset()
            return False
        if not fast:
            self._widget, self._text, self._before = focus, "", _text_of(focus)
        self._text += typed
        return False

    def _reset(self) -> None:
        self._text, self._widget, self._before = "", None, None

    @staticmethod
    def _restore(widget: QWidget, without: str, tail: str) -> None:
        """Take the ticket out of the field: its text less the ticket at its end, or (a
        field that cut the ticket short) what it held before and the clerk's own keys."""
        current = _text_of(widget)
        if current is None:
            return
        kept = current[: -len(tail)] if current.endswith(tail) else without
        if isinstance(widget, QLineEdit):
            widget.setText(kept)
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            widget.setPlainText(kept)


def _text_of(widget: QWidget) -> str | None:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    return None
