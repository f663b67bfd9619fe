"""What a client receives for each kind of task (confirmation, booking changed, booking
cancelled), in Romanian and English, as the SMTP server took it in."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from parking_desk.booking import Booking
from parking_desk.services.mail.render import render_email
from parking_desk.services.mail.smtp import SmtpTransport
from parking_desk.services.qr import QrSigner, render_png, verify
from parking_desk.services.task_content import qr_png
from parking_desk.task import NotificationTask, TaskKind, TaskType

ARRIVAL = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 08:00 in Bucharest (EET, UTC+2)
DEPARTURE = datetime(2027, 7, 5, 20, 15, tzinfo=UTC)  # 23:15 in Bucharest (EEST, UTC+3)
FROM = "Parking Otopeni <rezervari@parcare-otopeni.ro>"
VALIDITY = timedelta(hours=12)


@dataclass(frozen=True)
class Expected:
    subject: str
    lines: tuple[str, ...]  # lines of the plain text, as the client reads them
    absent: tuple[str, ...]  # what this kind must not say
    attachment: str | None  # the QR's file name; None: no QR at all


EXPECTED: dict[tuple[TaskKind, str], Expected] = {
    (TaskKind.CONFIRMATION, "ro"): Expected(
        "Confirmare rezervare #867962",
        (
            "Bună ziua Ion Popescu,",
            "Vă mulțumim! Rezervarea dumneavoastră de parcare este confirmată.",
            "Număr rezervare: #867962",
            "Număr de înmatriculare: B123ABC",
            "Sosire: 01.12.2026, 08:00",
            "Plecare: 05.07.2027, 23:15",
            "Pasageri: 3",
        ),
        ("anulat", "modificat"),
        "rezervare-867962-qr.png",
    ),
    (TaskKind.CONFIRMATION, "en"): Expected(
        "Booking confirmation #867962",
        (
            "Hello Ion Popescu,",
            "Thank you! Your parking booking is confirmed.",
            "Booking number: #867962",
            "Licence plate: B123ABC",
            "Arrival: 1 Dec 2026, 08:00",
            "Departure: 5 Jul 2027, 23:15",
            "Passengers: 3",
        ),
        ("cancelled", "changed"),
        "booking-867962-qr.png",
    ),
    (TaskKind.AMENDMENT, "ro"): Expected(
        "Rezervarea dumneavoastră a fost modificată (#867962)",
        (
            "Bună ziua Ion Popescu,",
            "Rezervarea dumneavoastră a fost modificată. Mai jos sunt detaliile actuale.",
            "Număr rezervare: #867962",
            "Număr de înmatriculare: B123ABC",
            "Sosire: 01.12.2026, 08:00",
            "Plecare: 05.07.2027, 23:15",
            "Pasageri: 3",
        ),
        ("anulat", "confirmată"),
        "rezervare-867962-qr.png",
    ),
    (TaskKind.AMENDMENT, "en"): Expected(
        "Your booking has changed (#867962)",
        (
            "Hello Ion Popescu,",
            "Your booking has changed. These are its current details.",
            "Booking number: #867962",
            "Licence plate: B123ABC",
            "Arrival: 1 Dec 2026, 08:00",
            "Departure: 5 Jul 2027, 23:15",
            "Passengers: 3",
        ),
        ("cancelled", "confirmed"),
        "booking-867962-qr.png",
    ),
    (TaskKind.CANCELLATION, "ro"): Expected(
        "Rezervarea #867962 a fost anulată",
        (
            "Bună ziua Ion Popescu,",
            "Rezervarea dumneavoastră de parcare a fost anulată.",
            "Număr rezervare: #867962",
            "Număr de înmatriculare: B123ABC",
            "Sosire: 01.12.2026, 08:00",
            "Plecare: 05.07.2027, 23:15",
            "Codul QR primit pentru această rezervare nu mai este valabil.",
            "Cu stimă,",
        ),
        ("confirmată", "Prezentați codul QR", "Vă așteptăm", "Pasageri"),
        None,
    ),
    (TaskKind.CANCELLATION, "en"): Expected(
        "Booking #867962 has been cancelled",
        (
            "Hello Ion Popescu,",
            "Your parking booking has been cancelled.",
            "Booking number: #867962",
            "Licence plate: B123ABC",
            "Arrival: 1 Dec 2026, 08:00",
            "Departure: 5 Jul 2027, 23:15",
            "The QR code you received for this booking is no longer valid.",
            "Kind regards,",
        ),
        ("confirmed", "Show the QR code", "See you soon", "Passengers"),
        None,
    ),
}


def task(kind: TaskKind, task_id: str = "Xq81kLm0", **data: object) -> NotificationTask:
    booking_data: dict[str, object] = {
        "clientName": "Ion Popescu",
        "plate": "B123ABC",
        "arrival": ARRIVAL,
        "departure": DEPARTURE.isoformat(),
        "passengers": 3,
    }
    booking_data.update(data)
    return NotificationTask(
        id=task_id,
        type=TaskType.BOTH,
        booking_number="867962",
        client_email="ion.popescu@example.com",
        booking_data=booking_data,
        kind=kind,
    )


@pytest.fixture
def signer(tmp_path: Path) -> QrSigner:
    return QrSigner.load_or_create(tmp_path / "qr-key.pem")


@pytest.fixture
def send(smtp_server) -> Iterator:
    """``send(task, qr_png=..., booking=...)``: render as the worker does, send it through the
    real SMTP server, and return the message as the server received it."""
    transport = SmtpTransport(smtp_server.settings())

    def deliver(
        t: NotificationTask, *, qr: bytes | None, booking: Booking | None = None
    ) -> EmailMessage:
        mail = render_email(t, booking=booking, qr_png=qr, mail_from=FROM, site_name="Otopeni")
        transport.send(mail)
        got = smtp_server.messages[-1]
        assert got.rcpt_tos == ["ion.popescu@example.com"]
        return message_from_bytes(got.content, policy=policy.default)  # type: ignore[return-value]

    yield deliver
    transport.close()


def the_qr(signer: QrSigner, t: NotificationTask) -> bytes | None:
    """The QR the worker makes for *t*, with the booking its snapshot describes."""
    booking = Booking.from_document(t.booking_data, t.booking_number)
    return qr_png(signer, t, booking, VALIDITY)


def visible(html: str) -> str:
    """The HTML's text as a mail program shows it: tags gone, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def images(msg: EmailMessage) -> list[EmailMessage]:
    return [p for p in msg.walk() if p.get_content_maintype() == "image"]  # type: ignore[misc]


@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("kind", list(TaskKind))
def test_each_kind_as_received_in_each_language(kind, lang, send, signer) -> None:
    t = task(kind, language=lang)
    expected = EXPECTED[(kind, lang)]
    msg = send(t, qr=the_qr(signer, t))

    assert msg["Subject"] == expected.subject
    assert msg["Message-ID"] == "<task-Xq81kLm0@parcare-otopeni.ro>"
    assert msg["Content-Language"] == lang
    assert msg["To"].addresses[0].addr_spec == "ion.popescu@example.com"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    lines = text.splitlines()
    shown = visible(html)
    for line in expected.lines:
        assert line in lines
        for part in line.rstrip(",").split(": "):  # label and value sit in two cells
            assert part in shown
    for word in expected.absent:
        assert word not in text and word not in shown
    assert f"<title>{expected.subject}</title>" in html
    attached = list(msg.iter_attachments())
    if expected.attachment is None:
        assert images(msg) == [] and attached == []
        assert msg.get_content_type() == "multipart/alternative"
        assert "cid:" not in html and "<img" not in html
    else:
        [inline] = [p for p in images(msg) if p.get_content_disposition() == "inline"]
        assert f'src="cid:{inline["Content-ID"].strip("<>")}"' in html
        assert [a.get_filename() for a in attached] == [expected.attachment]
        assert attached[0].get_content() == inline.get_content()


@pytest.mark.parametrize("kind", [TaskKind.CONFIRMATION, TaskKind.AMENDMENT])
def test_the_qr_mailed_with_the_current_details_verifies_at_the_gate(kind, send, signer) -> None:
    changed = Booking(
        client_name="Ion Popescu",
        client_email="ion.popescu@example.com",
        phone="+40722000000",
        plate="CJ12XYZ",
        arrival=ARRIVAL + timedelta(days=1),
        departure=DEPARTURE + timedelta(days=2),
        booking_number="867962",
    )
    t = task(kind)  # the snapshot still holds the old plate and dates
    msg = send(t, qr=qr_png(signer, t, changed, VALIDITY), booking=changed)

    text = msg.get_body(("plain",)).get_content()
    assert "Număr de înmatriculare: CJ12XYZ" in text and "B123ABC" not in text
    assert "Sosire: 02.12.2026, 08:00" in text and "Plecare: 07.07.2027, 23:15" in text
    png = next(msg.iter_attachments()).get_content()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    checked = verify(code.text, [signer.public_key], now=ARRIVAL + timedelta(days=1))
    assert checked.ok and checked.plate == "CJ12XYZ" and checked.booking_number == "867962"


def test_no_qr_is_signed_for_a_cancellation(signer) -> None:
    assert the_qr(signer, task(TaskKind.CANCELLATION)) is None
    assert the_qr(signer, task(TaskKind.AMENDMENT))  # the others still get theirs


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_cancellation_handed_a_qr_still_carries_none(lang, send) -> None:
    msg = send(task(TaskKind.CANCELLATION, language=lang), qr=render_png("PD1:867962:TEST"))
    assert images(msg) == [] and list(msg.iter_attachments()) == []
    assert "cid:" not in msg.get_body(("html",)).get_content()


def test_message_id_is_one_per_task_whatever_its_kind(send, signer) -> None:
    kinds = {
        "t-confirm": TaskKind.CONFIRMATION,
        "t-change": TaskKind.AMENDMENT,
        "t-cancel": TaskKind.CANCELLATION,
    }
    received = {}
    for task_id, kind in kinds.items():
        t = task(kind, task_id)
        received[task_id] = send(t, qr=the_qr(signer, t))["Message-ID"]
    assert received == {
        "t-confirm": "<task-t-confirm@parcare-otopeni.ro>",
        "t-change": "<task-t-change@parcare-otopeni.ro>",
        "t-cancel": "<task-t-cancel@parcare-otopeni.ro>",
    }
    # The same task sent again (at-least-once delivery), even re-rendered from newer data,
    # carries the same Message-ID, so the client's mail program folds the two.
    again = task(TaskKind.AMENDMENT, "t-change", plate="CJ12XYZ")
    assert send(again, qr=the_qr(signer, again))["Message-ID"] == received["t-change"]


@pytest.mark.parametrize("kind", [TaskKind.AMENDMENT, TaskKind.CANCELLATION])
def test_a_name_from_the_web_form_never_becomes_markup(kind, send, signer) -> None:
    t = task(kind, clientName="<b>Ion</b> & Co")
    html = send(t, qr=the_qr(signer, t)).get_body(("html",)).get_content()
    assert "&lt;b&gt;Ion&lt;/b&gt; &amp; Co" in html and "<b>Ion</b>" not in html


@pytest.mark.parametrize("kind", list(TaskKind))
def test_a_website_snapshot_with_missing_fields_still_renders(kind, send) -> None:
    bare = NotificationTask(
        "w1", TaskType.EMAIL, "123456", "ion.popescu@example.com", booking_data={}, kind=kind
    )
    msg = send(bare, qr=None)
    text = msg.get_body(("plain",)).get_content()
    assert "#123456" in msg["Subject"] and "Număr rezervare: #123456" in text
    assert "Bună ziua," in text.splitlines()
