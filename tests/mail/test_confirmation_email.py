"""The confirmation e-mail as a client's mail program sees it, and the outbox folder."""

from __future__ import annotations

import io
import stat
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, message_from_string, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from parking_desk.booking import Booking
from parking_desk.services.mail.base import DeliveryError
from parking_desk.services.mail.outbox import OutboxTransport
from parking_desk.services.mail.outgoing import OutgoingMail
from parking_desk.services.mail.render import render_confirmation
from parking_desk.services.mail.smtp import SmtpTransport
from parking_desk.services.qr import QrSigner, render_png, verify
from parking_desk.task import NotificationTask, TaskType

ARRIVAL = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 08:00 in Bucharest (EET, UTC+2)
DEPARTURE = datetime(2027, 7, 5, 20, 15, tzinfo=UTC)  # 23:15 in Bucharest (EEST, UTC+3)
FROM = "Parking Otopeni <rezervari@parcare-otopeni.ro>"


def task(**data) -> NotificationTask:
    booking_data = {
        "clientName": "Ion Popescu",
        "plate": "B123ABC",
        "arrival": ARRIVAL,
        "departure": DEPARTURE.isoformat(),
        "passengers": 3,
    }
    booking_data.update(data)
    return NotificationTask(
        id="Xq81kLm0",
        type=TaskType.BOTH,
        booking_number="867962",
        client_email="ion.popescu@example.com",
        booking_data={k: v for k, v in booking_data.items() if v is not None},
    )


def render(t: NotificationTask, qr_png: bytes | None = b"", booking=None) -> OutgoingMail:
    png = qr_png if qr_png != b"" else render_png("PD1:867962:TEST")
    return render_confirmation(t, booking=booking, qr_png=png, mail_from=FROM, site_name="Otopeni")


def reparse(msg: OutgoingMail) -> EmailMessage:
    """What arrives: the message serialised and parsed again."""
    return message_from_bytes(msg.as_bytes(), policy=policy.default)


def test_structure_text_html_inline_qr_and_attachment() -> None:
    msg = reparse(render(task()))
    assert msg.get_content_type() == "multipart/mixed"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "#867962" in text and "#867962" in html
    inline = [p for p in msg.walk() if p.get_content_disposition() == "inline"]
    attached = list(msg.iter_attachments())
    assert [p.get_content_type() for p in inline] == ["image/png"]
    cid = inline[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert [a.get_filename() for a in attached] == ["rezervare-867962-qr.png"]
    assert attached[0].get_content() == inline[0].get_content()
    assert msg["To"].addresses[0].addr_spec == "ion.popescu@example.com"
    assert msg["From"].addresses[0].addr_spec == "rezervari@parcare-otopeni.ro"


def test_romanian_by_default_with_local_times() -> None:
    msg = reparse(render(task()))
    assert msg["Subject"] == "Confirmare rezervare #867962"
    assert msg["Content-Language"] == "ro"
    text = msg.get_body(("plain",)).get_content()
    assert "Sosire: 01.12.2026, 08:00" in text
    assert "Plecare: 05.07.2027, 23:15" in text
    assert "Număr de înmatriculare: B123ABC" in text and "Pasageri: 3" in text
    assert "Bună ziua Ion Popescu" in text


def test_english_when_the_booking_says_so() -> None:
    msg = reparse(render(task(language="en")))
    assert msg["Subject"] == "Booking confirmation #867962"
    text = msg.get_body(("plain",)).get_content()
    assert "Arrival: 1 Dec 2026, 08:00" in text and "Departure: 5 Jul 2027, 23:15" in text
    assert msg["Content-Language"] == "en"
    assert next(msg.iter_attachments()).get_filename() == "booking-867962-qr.png"


def test_booking_from_the_store_wins_over_the_task_snapshot() -> None:
    booking = Booking(
        client_name="Maria Ionescu",
        client_email="maria@example.com",
        phone="+40722000000",
        plate="CJ12XYZ",
        arrival=ARRIVAL + timedelta(days=1),
        departure=DEPARTURE,
        language="en",
        booking_number="867962",
    )
    text = reparse(render(task(), booking=booking)).get_body(("plain",)).get_content()
    assert "CJ12XYZ" in text and "Maria Ionescu" in text and "2 Dec 2026" in text
    assert "B123ABC" not in text


def test_message_id_is_stable_across_renders_and_uses_the_senders_domain() -> None:
    first, second = reparse(render(task())), reparse(render(task(clientName="Someone Else")))
    assert first["Message-ID"] == second["Message-ID"] == "<task-Xq81kLm0@parcare-otopeni.ro>"
    other = NotificationTask("Other1", TaskType.BOTH, "867962", "ion.popescu@example.com")
    assert reparse(render(other))["Message-ID"] != first["Message-ID"]


def test_html_special_characters_are_escaped() -> None:
    msg = reparse(render(task(clientName="<b>&", plate="B1<i>")))
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;&amp;" in html and "<b>&" not in html
    assert "<i>" not in html
    text = msg.get_body(("plain",)).get_content()
    assert "Bună ziua <b>&," in text  # plain text shows the name as typed


def test_website_task_with_missing_fields_still_renders() -> None:
    bare = NotificationTask("w1", TaskType.EMAIL, "123456", "client@example.com")
    msg = reparse(render(bare, qr_png=None))
    assert msg["Subject"] == "Confirmare rezervare #123456"
    assert list(msg.iter_attachments()) == []
    assert "cid:" not in msg.get_body(("html",)).get_content()
    odd = task(arrival="not a date", departure=1733040000000, passengers=None)
    text = reparse(render(odd)).get_body(("plain",)).get_content()
    assert "Sosire: not a date" in text and "Plecare: 01.12.2024, 10:00" in text


def test_header_injection_in_booking_data_is_neutralised() -> None:
    msg = reparse(render(task(clientName="Ion\r\nBcc: victim@example.com")))
    assert msg.get_all("Bcc") is None
    assert "victim@example.com" not in str(msg["To"]).split("<")[-1]


def test_diacritics_travel_as_encoded_words_and_read_back_as_typed() -> None:
    name = "Ștefan Țăranu-Bălănescu " * 8  # long enough to need folding
    odd = NotificationTask(
        "d1", TaskType.BOTH, "ȘĂ-12", "stefan@example.com", booking_data={"clientName": name}
    )
    wire = render(odd).as_bytes()
    assert wire.isascii(), "headers and bodies are 7-bit: no server needs 8BITMIME for them"
    assert b"=?utf-8?" in wire
    lines = wire.split(b"\r\n")
    assert all(not line.endswith(b"\r") and b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 78
    msg = reparse(render(odd))
    assert msg["Subject"] == "Confirmare rezervare #ȘĂ-12"
    # As RFC 2047 says (and mail programs do): the space between encoded words is no text.
    raw_to = message_from_bytes(wire)["To"]
    assert str(make_header(decode_header(raw_to))) == f"{name.strip()} <stefan@example.com>"
    short = reparse(render(task(clientName="Ștefan Țăranu")))
    assert short["To"].addresses[0].display_name == "Ștefan Țăranu"
    assert next(msg.iter_attachments()).get_filename() == "rezervare-ȘĂ-12-qr.png"
    assert f"Bună ziua {name.strip()}," in msg.get_body(("plain",)).get_content()


def test_special_characters_in_a_name_are_quoted_not_taken_as_addresses() -> None:
    msg = reparse(render(task(clientName='Popescu, Ion "Nelu" <x@evil.example>')))
    [to] = msg["To"].addresses
    assert to.addr_spec == "ion.popescu@example.com"
    assert to.display_name == 'Popescu, Ion "Nelu" <x@evil.example>'


def test_unusable_address_is_a_permanent_failure() -> None:
    bad = NotificationTask("b1", TaskType.BOTH, "867962", "not-an-address")
    with pytest.raises(DeliveryError) as info:
        render(bad)
    assert info.value.permanent and info.value.code == "invalid-address"


def test_the_mailed_qr_decodes_and_verifies(tmp_path: Path, smtp_server) -> None:
    signer = QrSigner.load_or_create(tmp_path / "key.pem")
    payload = signer.payload("867962", "B123ABC", DEPARTURE + timedelta(hours=12))
    msg = render(task(), qr_png=render_png(payload))
    transport = SmtpTransport(smtp_server.settings())
    transport.send(msg)
    transport.close()
    arrived = message_from_bytes(smtp_server.messages[0].content, policy=policy.default)
    png = next(arrived.iter_attachments()).get_content()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert verify(code.text, [signer.public_key], now=ARRIVAL).ok


def test_an_international_domain_alone_travels_in_ascii_to_any_server(make_smtp_server):
    intl = NotificationTask("i1", TaskType.BOTH, "867962", "ana@exämple.ro")
    mail = render(intl)
    assert not mail.smtputf8 and mail.recipients == ("ana@xn--exmple-cua.ro",)
    plain = make_smtp_server("none")  # no SMTPUTF8
    transport = SmtpTransport(plain.settings())
    transport.send(mail)
    transport.close()
    [got] = plain.messages
    assert got.rcpt_tos == ["ana@xn--exmple-cua.ro"]
    arrived = message_from_bytes(got.content, policy=policy.default)
    assert arrived["To"].addresses[0].addr_spec == "ana@xn--exmple-cua.ro"


@pytest.mark.parametrize("address", ["ană@exemplu.ro", "用户@例子.广告"])
def test_an_international_address_goes_with_smtputf8_when_the_server_offers_it(
    make_smtp_server, address
):
    named = {"clientName": "Ana Pop"}  # a plain name beside the address: no encoding error
    mail = render(NotificationTask("i1", TaskType.BOTH, "867962", address, booking_data=named))
    assert mail.smtputf8 and mail.recipients == (address,)
    modern = make_smtp_server("none", smtputf8=True)
    transport = SmtpTransport(modern.settings())
    transport.send(mail)
    transport.close()
    [got] = modern.messages
    assert got.rcpt_tos == [address]
    # RFC 6532: the header is UTF-8 (the standard parser reads bytes as ASCII, so decode first)
    arrived = message_from_string(got.content.decode("utf-8"), policy=policy.default)
    assert arrived["To"].addresses[0].addr_spec == address
    assert arrived["To"].addresses[0].display_name == "Ana Pop"
    assert arrived["Subject"] == "Confirmare rezervare #867962"


def test_outbox_writes_one_complete_eml_per_message_id(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox")
    msg = render(task())
    outbox.send(msg)
    sent = reparse(msg)
    outbox.send(render(task()))  # the same task again: replaced, not duplicated
    [path] = list((tmp_path / "outbox").iterdir())
    assert path.name == "task-Xq81kLm0@parcare-otopeni.ro.eml"
    saved = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert saved["Message-ID"] == sent["Message-ID"]
    assert (
        next(saved.iter_attachments()).get_content() == next(sent.iter_attachments()).get_content()
    )
    assert stat.S_ISREG(path.stat().st_mode)


def test_outbox_that_cannot_be_written_is_a_transient_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    outbox = OutboxTransport(blocker)
    with pytest.raises(DeliveryError) as info:
        outbox.send(render(task()))
    assert info.value.code == "outbox-io" and not info.value.permanent
    with pytest.raises(DeliveryError):
        outbox.check()
    assert blocker.read_text() == "a file where the folder should be"
