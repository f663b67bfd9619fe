"""The engine's one-time costs, paid on its own thread before its first claim, a step at a time.

The first e-mail a process sends pays for what every later one reuses: each kind's two
templates compiled, the address checker's, the signer's and the QR encoder's first use, and,
for an SMTP server behind TLS, the system's certificates read into an SSL context (40-110 ms
of CPU, parts of it with the GIL held). Left to the first task, they land in one burst on the
sending thread just as the desk's window is painted (the engine starts as the window shows),
and the GUI thread waits for the GIL between its own Python calls.

``Engine`` runs the warm-up on its drain thread before the first claim, with a pause after
each step in which the GUI thread has the GIL to itself. Nothing is sent or written to the
store; the sample booking exists only in this process. A step that fails is logged and
skipped: the first real task then pays for it, and reports its own error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from parking_desk.booking import Booking
from parking_desk.services.task_content import Renderer, Signer, qr_png
from parking_desk.task import NotificationTask, TaskKind, TaskType

log = logging.getLogger(__name__)

# In the desk: after each step, the GUI thread gets this long with the GIL free (a step takes
# 0.5-3 ms, a repaint of the queue table 10-15 ms). The whole warm-up then delays the first
# claim by about 70 ms, once per process. A headless worker does not pause.
DESK_PAUSE_S = 0.012

SAMPLE_NUMBER = "WARMUP"


def sample_booking() -> Booking:
    """A booking that exists only in this process, to render each message once."""
    arrival = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    return Booking(
        client_name="Warm Up",
        client_email="warm-up@example.com",
        phone="",
        plate="B000WRM",
        arrival=arrival,
        departure=arrival + timedelta(days=1),
        booking_number=SAMPLE_NUMBER,
    )


def sample_task(kind: TaskKind, booking: Booking) -> NotificationTask:
    return NotificationTask(
        id=f"warm-up-{kind}",
        type=TaskType.BOTH,
        booking_number=SAMPLE_NUMBER,
        client_email=booking.client_email,
        booking_data=booking.booking_data(),
        kind=kind,
    )


@dataclass
class WarmUp:
    """Named steps, run in order by ``run``: ``ran`` names those that ran, ``failed`` those
    of them that raised, ``ran_on`` is the thread (ident) it ran on."""

    steps: list[tuple[str, Callable[[], object]]]
    pause_s: float = 0.0
    ran: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    ran_on: int | None = None

    def run(self, stopping: Callable[[], bool] = lambda: False) -> float:
        """Every step, with the pause (which releases the GIL) before each and after the last,
        so the engine's start, the steps and the first claim each leave the GUI thread a
        gap; stops early when *stopping()* holds. Returns the seconds it took. Never raises."""
        started = time.perf_counter()
        self.ran_on = threading.get_ident()
        for name, step in self.steps:
            self._pause()
            if stopping():
                break
            try:
                step()
            except Exception as exc:  # the first real task pays for it instead
                log.info("Engine warm-up: %s skipped (%s: %s)", name, type(exc).__name__, exc)
                self.failed.append(name)
            self.ran.append(name)
        self._pause()
        took = time.perf_counter() - started
        log.debug("Engine warm-up: %s in %.0f ms", ", ".join(self.ran), took * 1000)
        return took

    def _pause(self) -> None:
        if self.pause_s > 0:
            time.sleep(self.pause_s)


def engine_warm_up(
    render: Renderer,
    signer: Signer,
    qr_validity: timedelta,
    *,
    tls: Callable[[], object] | None = None,
    pause_s: float = 0.0,
) -> WarmUp:
    """The steps of a first send without sending: *tls* (the shared SSL context, when an
    SMTP server needs one), a QR signed and drawn, then each kind of e-mail rendered."""
    booking = sample_booking()
    made: dict[str, bytes | None] = {}

    def qr() -> None:
        task = sample_task(TaskKind.CONFIRMATION, booking)
        made["png"] = qr_png(signer, task, booking, qr_validity)

    def mail(kind: TaskKind) -> Callable[[], object]:
        return lambda: render(sample_task(kind, booking), booking=booking, qr_png=made.get("png"))

    steps: list[tuple[str, Callable[[], object]]] = []
    if tls is not None:
        steps.append(("TLS context", tls))
    steps.append(("QR", qr))
    steps.extend((f"{kind} e-mail", mail(kind)) for kind in TaskKind)
    return WarmUp(steps, pause_s)
