"""The detail panel: one task in full, its attempt history, and the booking it serves.

The task and its booking are read again from the store in the background (an operation)
when a row is selected, and again whenever the table hears that the task changed (a worker
sent it, it failed again, someone retried it), so the panel shows the stored truth, kept
current.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from parking_desk.booking import Booking
from parking_desk.bounce import shown_error
from parking_desk.config import Settings
from parking_desk.services.roles import RoleSession
from parking_desk.services.store.base import Store
from parking_desk.services.supervisor import mask_email
from parking_desk.task import NotificationTask
from parking_desk.timeutil import as_utc
from parking_desk.ui.bridge import Bridge
from parking_desk.ui.console.queue_columns import state_label, type_label
from parking_desk.ui.context import AppContext
from parking_desk.ui.errors_text import error_text
from parking_desk.ui.local_time import show, time_zone
from parking_desk.ui.ops import Op


def _note(text: str) -> str:
    return f"<p><i>{escape(text)}</i></p>"


def _para(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _title(text: str) -> str:
    return f"<h3>{escape(text)}</h3>"


Loaded = tuple[str, NotificationTask | None, Booking | None]


def _load(store: Store, task_id: str) -> Loaded:
    task = store.get_task(task_id)
    booking = store.get_booking(task.booking_number) if task else None
    return task_id, task, booking


class TaskDetail(QWidget):
    def __init__(
        self,
        ctx: AppContext | Store | None,
        bridge: Bridge | None = None,
        *,
        language: str = "en",
        parent: QWidget | None = None,
    ) -> None:
        """*ctx* is the desk's context (its store read at call time); a panel built by hand
        may give its store (or ``None`` while connecting) and bridge instead."""
        super().__init__(parent)
        if not isinstance(ctx, AppContext):
            assert bridge is not None
            settings = Settings()
            settings.desk.time_zone = time_zone()  # keep the zone the process speaks
            ctx = AppContext(settings=settings, bridge=bridge, session=RoleSession(), store=ctx)
        self.ctx = ctx
        self.language = language
        self.masked = False
        self._task_id: str | None = None
        self._shown: tuple[NotificationTask, Booking | None] | None = None
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.clear()

    def clear(self) -> None:
        self._task_id = None
        self._shown = None
        self.view.setHtml(_note(self.tr("Select a task to see its details.")))

    @property
    def task_id(self) -> str | None:
        return self._task_id

    @property
    def store(self) -> Store | None:
        return self.ctx.store

    @store.setter
    def store(self, store: Store | None) -> None:
        self.ctx.store = store

    def show_task(self, task_id: str, *, quiet: bool = False) -> None:
        """Load *task_id*; *quiet* keeps what is shown until the fresh copy arrives (the
        same task changed), where a newly selected one says it is loading."""
        self._task_id = task_id
        if not quiet or self._shown is None:
            self.view.setHtml(_note(self.tr("Loading…")))
        Op(self.ctx, self, lambda store: _load(store, task_id), write=False).success(
            self._loaded
        ).failure(self._failed).run()

    def refresh(self) -> None:
        if self._task_id:
            self.show_task(self._task_id, quiet=True)

    def _failed(self, error: BaseException) -> None:
        self.view.setHtml(
            f"<p style='color:#c62828'>{escape(error_text(error, self.language))}</p>"
        )

    def _loaded(self, result: Loaded) -> None:
        task_id, task, booking = result
        if task_id != self._task_id:
            return  # the user has moved on to another row
        if task is None:
            self._shown = None
            self.view.setHtml(_para(self.tr("This task no longer exists.")))
            return
        self._shown = (task, booking)
        self.rerender()

    def rerender(self) -> None:
        """Draw the last loaded task again (new language, masking switched) without a read."""
        if self._shown is None:
            if self._task_id is None:
                self.clear()
            return
        task, booking = self._shown
        self.view.setHtml(
            self._task_html(task) + self._history_html(task) + self._booking_html(booking)
        )

    def _email(self, email: str) -> str:
        return mask_email(email) if self.masked else email

    def _rows(self, rows: list[tuple[str, str]]) -> str:
        cells = "".join(
            f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows
        )
        return f"<table cellspacing='2'>{cells}</table>"

    def _task_html(self, task: NotificationTask) -> str:
        err = task.last_error
        rows = [
            (self.tr("Task"), task.id),
            (self.tr("Booking"), task.booking_number),
            (self.tr("Recipient"), self._email(task.client_email)),
            (self.tr("Type"), type_label(task.type)),
            (self.tr("State"), state_label(task.status, task.retrying)),
            (self.tr("Attempts"), f"{task.attempts}/{task.max_attempts}"),
            (self.tr("Next attempt"), show(task.next_attempt_at)),
            (
                self.tr("Last error"),
                f"{err.code}: {shown_error(err.code, err.message, self.language)}" if err else "",
            ),
            (self.tr("Provider"), task.provider or ""),
            (self.tr("Message-ID"), task.message_id or ""),
            (self.tr("Worker"), task.lease_owner or ""),
            (self.tr("Created"), show(task.created_at)),
            (self.tr("Updated"), show(task.updated_at)),
            (self.tr("Completed"), show(task.completed_at)),
        ]
        return _title(self.tr("Task")) + self._rows(rows)

    def _history_html(self, task: NotificationTask) -> str:
        title = _title(self.tr("Attempt history"))
        if not task.history:
            return title + _para(self.tr("No attempts yet."))
        head = "".join(
            f"<th align='left'>{escape(h)}</th>"
            for h in (self.tr("When"), self.tr("Worker"), self.tr("Outcome"), self.tr("Error"))
        )
        body = ""
        for entry in reversed(task.history):
            error = " ".join(str(entry.get(k) or "") for k in ("code", "message") if entry.get(k))
            try:
                when = show(as_utc(entry.get("at")))
            except (TypeError, ValueError, OverflowError, OSError):
                when = str(entry.get("at") or "")
            body += (
                "<tr>"
                + "".join(
                    f"<td>{escape(str(v))}</td>"
                    for v in (
                        when,
                        entry.get("worker") or "",
                        entry.get("outcome") or "",
                        error,
                    )
                )
                + "</tr>"
            )
        return title + f"<table cellspacing='4'><tr>{head}</tr>{body}</table>"

    def _booking_html(self, booking: Booking | None) -> str:
        title = _title(self.tr("Booking"))
        if booking is None:
            return title + _para(self.tr("The booking was not found."))
        rows = [
            (self.tr("Number"), booking.booking_number or ""),
            (self.tr("Status"), str(booking.status)),
            (self.tr("E-mail status"), str(booking.email_status)),
            (self.tr("Arrival"), show(booking.arrival)),
            (self.tr("Departure"), show(booking.departure)),
        ]
        if not self.masked:
            rows[1:1] = [
                (self.tr("Client"), booking.client_name),
                (self.tr("E-mail"), booking.client_email),
                (self.tr("Plate"), booking.plate),
            ]
        return title + self._rows(rows)
