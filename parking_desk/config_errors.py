"""Why a setting was refused, in Romanian and English.

``ConfigError``'s sentence ("Setare invalidă {name}: {reason}") comes from the shared
catalogue; the reason is specific to settings, so its two languages live here with the rules
that produce it. Whoever catches a ``ConfigError`` just calls ``translated(lang)``.
"""

from __future__ import annotations

from typing import Any

from parking_desk.errors import ConfigError
from parking_desk.messages import message

REASONS: dict[str, dict[str, str]] = {
    "not_bool": {"ro": "nu este true/false: {value}", "en": "not true/false: {value}"},
    "not_number": {"ro": "nu este un număr: {value}", "en": "not a number: {value}"},
    "not_whole": {"ro": "nu este un număr întreg: {value}", "en": "not a whole number: {value}"},
    "negative": {"ro": "nu poate fi negativ", "en": "must not be negative"},
    "zero": {"ro": "trebuie să fie mai mare decât 0", "en": "must be above 0"},
    "not_path": {"ro": "nu este o cale de fișier", "en": "not a file path"},
    "not_text": {"ro": "nu este text", "en": "not text"},
    "unreadable": {
        "ro": "fișierul de setări nu poate fi citit: {detail}",
        "en": "the settings file cannot be read: {detail}",
    },
    "not_table": {"ro": "nu este o secțiune [...]", "en": "not a [...] section"},
    "host_required": {
        "ro": "lipsește serverul SMTP (host)",
        "en": "the SMTP server (host) is missing",
    },
    "security": {
        "ro": "{value} nu este unul dintre starttls, ssl, none",
        "en": "{value} is not one of starttls, ssl, none",
    },
    "port": {"ro": "{value} nu este un port (1–65535)", "en": "{value} is not a port (1–65535)"},
    "user_password": {
        "ro": "utilizatorul și parola se dau împreună",
        "en": "user and password go together",
    },
    "gmail_pair": {
        "ro": "GMAIL_USER și GMAIL_APP_PASSWORD se dau împreună",
        "en": "GMAIL_USER and GMAIL_APP_PASSWORD go together",
    },
    "store_kind": {
        "ro": "{value} nu este sqlite sau firestore",
        "en": "{value} is not sqlite or firestore",
    },
    "project": {
        "ro": "Firestore are nevoie de un proiect (project id)",
        "en": "Firestore needs a project id",
    },
    "language": {"ro": "limba este ro, en sau gol", "en": "the language is ro, en or empty"},
    "time_zone": {
        "ro": "{value} nu este un fus orar cunoscut (de exemplu Europe/Bucharest)",
        "en": "{value} is not a known time zone (for example Europe/Bucharest)",
    },
    "printer_kind": {
        "ro": "{value} nu este unul dintre dialog, system, network, usb, cups",
        "en": "{value} is not one of dialog, system, network, usb, cups",
    },
    "printer_qr_mode": {
        "ro": "{value} nu este native sau raster",
        "en": "{value} is not native or raster",
    },
    "printer_name": {
        "ro": 'printer.kind = "system" are nevoie de numele imprimantei',
        "en": 'printer.kind = "system" needs the printer\'s name',
    },
    "printer_host": {
        "ro": "lipsește adresa imprimantei de rețea (host)",
        "en": "the network printer's address (host) is missing",
    },
    "usb_id": {
        "ro": "{value} nu este un identificator USB (0x0001–0xffff)",
        "en": "{value} is not a USB id (0x0001–0xffff)",
    },
    "cups_queue": {
        "ro": "lipsește numele cozii CUPS",
        "en": "the CUPS queue name is missing",
    },
    "mail_from": {
        "ro": "{value} nu este o adresă de e-mail",
        "en": "{value} is not an e-mail address",
    },
    "mail_transport": {
        "ro": "{value} nu este unul dintre smtp, outbox sau gol",
        "en": "{value} is not one of smtp, outbox or empty",
    },
    "smtp_missing": {
        "ro": "cere SMTP, dar niciun server SMTP nu este configurat",
        "en": "asks for SMTP, but no SMTP server is configured",
    },
    "webhook_url": {"ro": "nu este o adresă http(s)", "en": "not an http(s) address"},
    "imap_host_required": {
        "ro": "lipsește serverul IMAP (host)",
        "en": "the IMAP server (host) is missing",
    },
    "imap_handled": {
        "ro": "{value} nu este flag sau move",
        "en": "{value} is not flag or move",
    },
    "rate": {
        "ro": "{value} nu este o proporție între 0 și 1",
        "en": "{value} is not a fraction between 0 and 1",
    },
    "outlives_booking": {
        "ro": "ar păstra datele clientului mai mult decât rezervarea (anonimizată după "
        "{days} zile); alegeți cel mult {days} zile",
        "en": "would keep the client's details longer than the booking (anonymised after "
        "{days} days); choose {days} days at most",
    },
    "amber_above_red": {
        "ro": "pragul galben nu poate depăși pragul roșu ({red})",
        "en": "the amber threshold cannot exceed the red one ({red})",
    },
}


class SettingError(ConfigError):
    """A ``ConfigError`` whose reason is translated too; ``params`` keep name and reason."""

    def __init__(self, name: str, reason: str, **values: Any) -> None:
        self.reason_code = reason
        self.values = {k: str(v) for k, v in values.items()}
        english = self.reason("en")
        super().__init__(f"{name}: {english}", name=name, reason=english)

    def reason(self, lang: str) -> str:
        texts = REASONS[self.reason_code]
        return (texts.get(lang) or texts["en"]).format(**self.values)

    def translated(self, lang: str = "ro") -> str:
        return message(self.code, lang, name=self.params["name"], reason=self.reason(lang))
