"""The e-mail writes the site's times (``desk.time_zone``), whatever the sending machine's
zone: a headless worker on a UTC server sends the same 08:00 the desk showed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email import message_from_bytes, policy

from parking_desk.config import Settings
from parking_desk.services.mail.render import render_email
from parking_desk.task import NotificationTask, TaskType

ARRIVAL = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 01:30 on 2 December in Bucharest


def text_of(time_zone: str | None) -> str:
    task = NotificationTask(
        id="tz1",
        type=TaskType.EMAIL,
        booking_number="867962",
        client_email="ion@example.com",
        booking_data={"clientName": "Ion", "plate": "B123ABC", "arrival": ARRIVAL},
    )
    extra = {} if time_zone is None else {"time_zone": time_zone}
    mail = render_email(
        task, booking=None, qr_png=None, mail_from="a@example.com", site_name="S", **extra
    )
    msg = message_from_bytes(mail.as_bytes(), policy=policy.default)
    return msg.get_body(("plain",)).get_content()


def test_the_email_speaks_the_sites_zone_not_the_machines(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert "Sosire: 02.12.2026, 01:30" in text_of(Settings().desk.time_zone)
        assert "Sosire: 01.12.2026, 23:30" in text_of("Europe/London")
    finally:
        monkeypatch.undo()
        time.tzset()
