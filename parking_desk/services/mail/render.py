"""The e-mails a client receives about a booking: HTML and plain text, one pair of templates
per task kind. A confirmation and an amendment ("your booking has changed") carry the current
details and the QR, inline and attached; a cancellation carries the number, the dates and the
plate, says the QR is no longer valid, and never carries one.

Rendered from Jinja2 templates in ``resources/templates``, ``{kind}.html`` and ``{kind}.txt``
(the amendment's and the cancellation's extend the confirmation's), with autoescaping on for
HTML: a client's name comes from a web form and must never become markup. Website tasks carry
only a ``bookingData`` snapshot in whatever shape the website wrote, so every field is
optional. The Message-ID depends on the task alone, so a rare duplicate send (at-least-once
delivery) folds into one message in the client's inbox.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from parking_desk.booking import Booking
from parking_desk.resources import resource_path
from parking_desk.services.mail.base import DeliveryError
from parking_desk.services.mail.mime import ClientMail, build
from parking_desk.services.mail.outgoing import OutgoingMail
from parking_desk.site_time import DEFAULT_TIME_ZONE, local
from parking_desk.task import NotificationTask, TaskKind
from parking_desk.timeutil import as_utc

# The labels every kind shares.
TEXTS: dict[str, dict[str, str]] = {
    "ro": {
        "greeting": "Bună ziua",
        "number": "Număr rezervare",
        "client": "Nume",
        "plate": "Număr de înmatriculare",
        "arrival": "Sosire",
        "departure": "Plecare",
        "passengers": "Pasageri",
        "qr_alt": "Cod QR rezervare",
        "closing": "Vă așteptăm,",
        "attachment": "rezervare-{number}-qr.png",
    },
    "en": {
        "greeting": "Hello",
        "number": "Booking number",
        "client": "Name",
        "plate": "Licence plate",
        "arrival": "Arrival",
        "departure": "Departure",
        "passengers": "Passengers",
        "qr_alt": "Booking QR code",
        "closing": "See you soon,",
        "attachment": "booking-{number}-qr.png",
    },
}

# What each kind says, over the shared labels: its subject (which names the kind), its
# opening line, what it says about the QR code, and a cancellation's own closing.
KIND_TEXTS: dict[TaskKind, dict[str, dict[str, str]]] = {
    TaskKind.CONFIRMATION: {
        "ro": {
            "subject": "Confirmare rezervare #{number}",
            "intro": "Vă mulțumim! Rezervarea dumneavoastră de parcare este confirmată.",
            "qr_hint": "Prezentați codul QR la sosire (pe telefon sau tipărit). "
            "Dacă nu poate fi scanat, comunicați numărul rezervării.",
        },
        "en": {
            "subject": "Booking confirmation #{number}",
            "intro": "Thank you! Your parking booking is confirmed.",
            "qr_hint": "Show the QR code on arrival (on your phone or printed). "
            "If it cannot be scanned, give the booking number.",
        },
    },
    TaskKind.AMENDMENT: {
        "ro": {
            "subject": "Rezervarea dumneavoastră a fost modificată (#{number})",
            "intro": "Rezervarea dumneavoastră a fost modificată. Mai jos sunt detaliile actuale.",
            "qr_hint": "La sosire, prezentați codul QR din acest mesaj (pe telefon sau tipărit), "
            "nu pe cel primit anterior. Dacă nu poate fi scanat, comunicați numărul rezervării.",
        },
        "en": {
            "subject": "Your booking has changed (#{number})",
            "intro": "Your booking has changed. These are its current details.",
            "qr_hint": "On arrival, show the QR code in this message (on your phone or printed), "
            "not the one you received before. If it cannot be scanned, give the booking number.",
        },
    },
    TaskKind.CANCELLATION: {
        "ro": {
            "subject": "Rezervarea #{number} a fost anulată",
            "intro": "Rezervarea dumneavoastră de parcare a fost anulată.",
            "qr_void": "Codul QR primit pentru această rezervare nu mai este valabil.",
            "closing": "Cu stimă,",
        },
        "en": {
            "subject": "Booking #{number} has been cancelled",
            "intro": "Your parking booking has been cancelled.",
            "qr_void": "The QR code you received for this booking is no longer valid.",
            "closing": "Kind regards,",
        },
    },
}

# The rows under the booking number, in order: a cancellation names only what identifies
# the booking that is no longer.
DETAILS: dict[TaskKind, tuple[str, ...]] = {
    TaskKind.CONFIRMATION: ("client", "plate", "arrival", "departure", "passengers"),
    TaskKind.AMENDMENT: ("client", "plate", "arrival", "departure", "passengers"),
    TaskKind.CANCELLATION: ("plate", "arrival", "departure"),
}
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Names the website has used for the same field in bookingData, first match wins.
ALIASES = {
    "client_name": ("clientName", "name", "fullName"),
    "plate": ("plate", "licensePlate", "carPlate", "carNumber"),
    "arrival": ("arrival", "arrivalDate", "startDate"),
    "departure": ("departure", "departureDate", "endDate"),
    "passengers": ("passengers", "persons"),
}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(resource_path("templates"))),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _clean(value: Any, limit: int = 200) -> str:
    """Text safe for a header or a line: no control characters, bounded length."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in text)
    return " ".join(text.split())[:limit]


def _local(value: Any, lang: str, zone: str) -> str:
    try:
        stamp = as_utc(value)
    except (TypeError, ValueError, OverflowError, OSError):
        return _clean(value, 60)
    if stamp is None:
        return ""
    at: datetime = local(stamp, zone)
    if lang == "en":
        return f"{at.day} {MONTHS_EN[at.month - 1]} {at.year}, {at:%H:%M}"
    return f"{at:%d.%m.%Y, %H:%M}"


def _fields(booking: Booking | None, data: dict[str, Any]) -> dict[str, Any]:
    if booking is not None:
        return {
            "client_name": booking.client_name,
            "plate": booking.plate,
            "arrival": booking.arrival,
            "departure": booking.departure,
            "passengers": booking.passengers,
        }
    found: dict[str, Any] = {}
    for key, names in ALIASES.items():
        found[key] = next((data[n] for n in names if data.get(n) not in (None, "")), None)
    return found


@lru_cache(maxsize=16)  # the sender is a setting: parsed once per process, not per e-mail
def _sender(mail_from: str) -> tuple[str, str]:
    return parseaddr(mail_from)


@lru_cache(maxsize=16)
def _domain(mail_from: str) -> str:
    address = _sender(mail_from)[1]
    domain = address.rpartition("@")[2].strip().lower()
    return re.sub(r"[^a-z0-9.-]", "", domain) or "parking-desk.local"


def message_id(task: NotificationTask, mail_from: str) -> str:
    """``<task-{id}@{sender's domain}>``: the same for every render of the same task."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", task.id) or "unknown"
    return f"<task-{safe}@{_domain(mail_from)}>"


def _recipient(task: NotificationTask) -> str:
    """The address as it will be sent. Only a local part beyond ASCII (``ană@…``) needs a
    server with SMTPUTF8; an international domain alone travels in its ASCII form
    (``ana@xn--exmple-cua.ro``), which every server takes."""
    try:
        checked = validate_email(task.client_email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise DeliveryError(
            "invalid-address", f"{task.client_email!r}: {exc}", permanent=True
        ) from None
    return checked.ascii_email or checked.normalized


def render_email(
    task: NotificationTask,
    *,
    booking: Booking | None,
    qr_png: bytes | None,
    mail_from: str,
    site_name: str,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> OutgoingMail:
    """Build the e-mail *task*'s kind calls for, as the bytes that will be sent. Times are
    written in the site's *time_zone* (``desk.time_zone``), never the sending machine's.

    A cancellation carries no QR even when handed one: the code it would carry is the one
    it tells the client is no longer valid.

    Raises ``DeliveryError(permanent=True)`` when the recipient address is unusable: no
    transport could ever deliver it, and the supervisor must fix it by hand.
    """
    recipient = _recipient(task)  # before any work: an unusable address is final
    kind = TaskKind(task.kind)
    if kind == TaskKind.CANCELLATION:
        qr_png = None
    lang = booking.language if booking and booking.language in TEXTS else task.language
    t = TEXTS[lang] | KIND_TEXTS[kind][lang]
    number = _clean(task.booking_number, 40)
    data = task.booking_data if isinstance(task.booking_data, dict) else {}
    fields = _fields(booking, data)
    values = {
        "client": _clean(fields["client_name"]),
        "plate": _clean(fields["plate"], 20),
        "arrival": _local(fields["arrival"], lang, time_zone),
        "departure": _local(fields["departure"], lang, time_zone),
        "passengers": _clean(fields["passengers"], 4),
    }
    details = [(t[key], values[key]) for key in DETAILS[kind] if values[key]]
    domain = _domain(mail_from)
    qr_cid = f"qr-{re.sub(r'[^A-Za-z0-9]', '', number) or 'booking'}@{domain}" if qr_png else ""
    client_name = values["client"]
    context: dict[str, Any] = {
        "lang": lang,
        "t": t,
        "subject": t["subject"].format(number=number),
        "site_name": _clean(site_name) or "Parking Desk",
        "client_name": client_name,
        "booking_number": number,
        "details": details,
        "qr_cid": qr_cid,
    }
    env = _environment()
    return build(
        ClientMail(
            subject=context["subject"],
            sender=_sender(mail_from),
            recipient=(client_name, recipient),
            message_id=message_id(task, mail_from),
            language=lang,
            text=env.get_template(f"{kind}.txt").render(context),
            html=env.get_template(f"{kind}.html").render(context),
            qr_png=qr_png,
            qr_cid=qr_cid,
            attachment_name=t["attachment"].format(number=number),
        )
    )


# The name the runtime wiring and the benchmarks know the renderer by.
render_confirmation = render_email
