"""Romanian and English texts for messages raised below the UI.

The domain and the services run without Qt (worker, CLI, tests), so they cannot use ``tr()``.
They raise codes; this catalogue turns a code into a sentence. The Qt UI uses Qt Linguist
for its own strings and this catalogue for errors that come up from the layers below.
Romanian uses comma-below ș and ț.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("ro", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "error.generic": {"ro": "A apărut o eroare.", "en": "An error occurred."},
    "error.validation": {
        "ro": "Datele introduse nu sunt valide.",
        "en": "The data entered is not valid.",
    },
    "error.store_unavailable": {
        "ro": "Baza de date nu poate fi contactată. Nimic nu a fost salvat; încercați din nou.",
        "en": "The database cannot be reached. Nothing was saved; please try again.",
    },
    "error.save_unconfirmed": {
        "ro": (
            "Baza de date nu a confirmat salvarea. Căutați rezervarea {number} înainte de a "
            "salva din nou: poate apărea după ce conexiunea revine."
        ),
        "en": (
            "The database did not confirm the save. Look for booking {number} before saving "
            "again: it may appear once the connection is back."
        ),
    },
    # The offline desk (services/offline)
    "error.offline_unavailable": {
        "ro": (
            "Baza de date nu poate fi contactată: pupitrul lucrează offline. Rezervările noi și "
            "scanările merg; asta se poate face după ce conexiunea revine."
        ),
        "en": (
            "The database cannot be reached: the desk is working offline. New bookings and "
            "scans work; this can be done once the connection is back."
        ),
    },
    "error.offline_no_numbers": {
        "ro": (
            "Pupitrul a folosit toate numerele de rezervare păstrate pentru lucrul offline. "
            "Nimic nu a fost salvat; rezervarea se poate face după ce conexiunea revine."
        ),
        "en": (
            "The desk has used every booking number it holds for offline work. Nothing was "
            "saved; the booking can be made once the connection is back."
        ),
    },
    "error.database_damaged": {
        "ro": (
            "Fișierul bazei de date {path} este deteriorat ({reason}). Refaceți-l dintr-o "
            "copie de siguranță; „parking-desk doctor” arată ce s-a stricat."
        ),
        "en": (
            "The database file {path} is damaged ({reason}). Restore it from a backup; "
            "'parking-desk doctor' shows what is broken."
        ),
    },
    "error.database": {
        "ro": "Baza de date {path} a refuzat operația: {reason}",
        "en": "The database {path} refused the operation: {reason}",
    },
    "error.not_found": {
        "ro": "Rezervarea {number} nu există.",
        "en": "Booking {number} does not exist.",
    },
    "error.task_not_found": {
        "ro": "Sarcina {task_id} nu există.",
        "en": "Task {task_id} does not exist.",
    },
    "error.invalid_transition": {
        "ro": "Rezervarea {number} este „{current}”; acțiunea nu este permisă.",
        "en": "Booking {number} is '{current}'; this action is not allowed.",
    },
    "error.already_checked_in": {
        "ro": "Rezervarea {number} a fost deja înregistrată la sosire.",
        "en": "Booking {number} is already checked in.",
    },
    "error.already_checked_out": {
        "ro": "Rezervarea {number} a fost deja închisă (client plecat).",
        "en": "Booking {number} is already checked out.",
    },
    "error.not_checked_in": {
        "ro": "Rezervarea {number} nu a fost înregistrată la sosire.",
        "en": "Booking {number} has not been checked in.",
    },
    # Undoing a scan (booking_rules.undo_scan)
    "error.nothing_to_undo": {
        "ro": "Rezervarea {number} nu are o scanare care să poată fi anulată.",
        "en": "Booking {number} has no scan that can be undone.",
    },
    "error.undo_too_late": {
        "ro": (
            "Ultima scanare a rezervării {number} este mai veche decât tura; nu mai poate "
            "fi anulată de aici."
        ),
        "en": (
            "The last scan of booking {number} is older than the shift; it can no longer "
            "be undone here."
        ),
    },
    "error.booking_cancelled": {
        "ro": "Rezervarea {number} este anulată.",
        "en": "Booking {number} is cancelled.",
    },
    # A refusal that says when, where and by whom the earlier scan was made.
    "error.already_checked_in_at": {
        "ro": (
            "Rezervarea {number} a fost deja înregistrată la sosire pe {when}, de {who}, la {desk}."
        ),
        "en": "Booking {number} was already checked in on {when} by {who} at {desk}.",
    },
    "error.already_checked_in_by": {
        "ro": "Rezervarea {number} a fost deja înregistrată la sosire pe {when}, de {who}.",
        "en": "Booking {number} was already checked in on {when} by {who}.",
    },
    "error.already_checked_out_at": {
        "ro": (
            "Rezervarea {number} a fost deja închisă (client plecat) pe {when}, de {who}, "
            "la {desk}."
        ),
        "en": "Booking {number} was already checked out on {when} by {who} at {desk}.",
    },
    "error.already_checked_out_by": {
        "ro": "Rezervarea {number} a fost deja închisă (client plecat) pe {when}, de {who}.",
        "en": "Booking {number} was already checked out on {when} by {who}.",
    },
    "error.booking_expired": {
        "ro": (
            "Rezervarea {number} s-a încheiat pe {departure}; nu mai poate fi înregistrată "
            "la sosire. Faceți o rezervare nouă."
        ),
        "en": (
            "Booking {number} ended on {departure}; it can no longer be checked in. Make a "
            "new booking."
        ),
    },
    # Printing a ticket
    "error.printer": {
        "ro": "Biletul nu a putut fi tipărit la {printer}: {reason}",
        "en": "The ticket could not be printed on {printer}: {reason}",
    },
    "error.printer_unreachable": {
        "ro": (
            "Imprimanta de bilete {printer} nu răspunde ({reason}). Verificați că este "
            "pornită, are hârtie și este în rețea, apoi tipăriți din nou."
        ),
        "en": (
            "The ticket printer {printer} does not answer ({reason}). Check that it is on, "
            "has paper and is on the network, then print again."
        ),
    },
    "error.printer_usb": {
        "ro": (
            "Imprimanta USB {printer} nu a fost găsită sau nu poate fi folosită ({reason}). "
            "Verificați cablul și drepturile de acces la dispozitiv."
        ),
        "en": (
            "The USB printer {printer} was not found or cannot be used ({reason}). Check the "
            "cable and the permission to use the device."
        ),
    },
    "error.printer_cups": {
        "ro": "Coada de tipărire {printer} a refuzat biletul: {reason}",
        "en": "The print queue {printer} refused the ticket: {reason}",
    },
    "error.printer_not_open": {
        "ro": "Imprimanta {printer} nu a putut fi deschisă.",
        "en": "The printer {printer} could not be opened.",
    },
    "error.no_signing_key": {
        "ro": "Acest birou nu are cheie de semnare; nu poate emite bilete.",
        "en": "This desk has no signing key, so it cannot issue tickets.",
    },
    # The printed ticket
    "ticket.arrival": {"ro": "Sosire: {when}", "en": "Arrival: {when}"},
    "ticket.departure": {"ro": "Plecare: {when}", "en": "Departure: {when}"},
    "ticket.keep": {
        "ro": "Prezentați biletul la barieră. Păstrați-l până la plecare.",
        "en": "Show this ticket at the gate. Keep it until you leave.",
    },
    "error.lease_lost": {
        "ro": "Sarcina a fost preluată de alt proces.",
        "en": "The task was taken over by another worker.",
    },
    "error.malformed_task": {
        "ro": "Document de coadă invalid: {reason}",
        "en": "Malformed queue document: {reason}",
    },
    "error.permission_denied": {
        "ro": "Acțiunea necesită rolul de supervizor.",
        "en": "This action requires the supervisor role.",
    },
    # People: sign-in, the wrong-PIN lockout, staff accounts
    "error.not_signed_in": {
        "ro": "Nimeni nu este autentificat la acest birou. Autentificați-vă mai întâi.",
        "en": "Nobody is signed in at this desk. Sign in first.",
    },
    "error.needs_admin": {
        "ro": "Acțiunea necesită rolul de administrator.",
        "en": "This action requires the admin role.",
    },
    "error.sign_in_failed": {
        "ro": "Nume sau PIN greșit.",
        "en": "Wrong name or PIN.",
    },
    "error.sign_in_locked": {
        "ro": "Prea multe PIN-uri greșite pentru {name}. Încercați din nou peste {seconds} s.",
        "en": "Too many wrong PINs for {name}. Try again in {seconds} s.",
    },
    "error.sign_in_locked_minutes": {
        "ro": "Prea multe PIN-uri greșite pentru {name}. Încercați din nou peste {minutes} min.",
        "en": "Too many wrong PINs for {name}. Try again in {minutes} min.",
    },
    "error.staff_exists": {
        "ro": "Există deja o persoană cu numele {name}.",
        "en": "Someone named {name} already exists.",
    },
    "error.staff_not_found": {
        "ro": "Contul nu mai există.",
        "en": "The account no longer exists.",
    },
    "error.staff_name_required": {
        "ro": "Introduceți numele persoanei.",
        "en": "Enter the person's name.",
    },
    "error.staff_name_too_long": {
        "ro": "Numele are cel mult {max} de caractere.",
        "en": "The name has at most {max} characters.",
    },
    "error.pin_too_short": {
        "ro": "PIN-ul are cel puțin {min} cifre.",
        "en": "The PIN needs at least {min} digits.",
    },
    "error.last_admin": {
        "ro": "Acesta este ultimul administrator activ: numiți mai întâi un alt administrator.",
        "en": "This is the last active admin: make someone else an admin first.",
    },
    "error.staff_already_set_up": {
        "ro": "Site-ul are deja conturi; autentificați-vă ca administrator.",
        "en": "The site already has accounts; sign in as an admin.",
    },
    "cli.sign_in_needed": {
        "ro": (
            "„{command}” modifică coada: indicați cine sunteți cu --as NUME, iar PIN-ul la "
            "cerere sau în PARKING_DESK_PIN."
        ),
        "en": (
            "'{command}' changes the queue: say who you are with --as NAME, and give the PIN "
            "when asked or in PARKING_DESK_PIN."
        ),
    },
    "error.config": {
        "ro": "Setare invalidă {name}: {reason}",
        "en": "Invalid setting {name}: {reason}",
    },
    # What the worker refuses to send, and why (lastError codes a supervisor reads)
    "booking.unreadable": {
        "ro": "Datele rezervării nu pot fi citite.",
        "en": "The booking's details cannot be read.",
    },
    "booking.no_dates": {
        "ro": "Rezervarea {number} nu are data sosirii (arrival) sau a plecării (departure).",
        "en": "Booking {number} has no arrival or departure date.",
    },
    "booking.date_unreadable": {
        "ro": "Câmpul {field} („{value}”) nu este o dată.",
        "en": "The {field} field ('{value}') is not a date.",
    },
    "booking.date_out_of_range": {
        "ro": "Data din câmpul {field} ({value}) nu este între anii {first} și {last}.",
        "en": "The {field} date ({value}) is not between the years {first} and {last}.",
    },
    "booking.number_unreadable": {
        "ro": "Câmpul {field} („{value}”) nu este un număr valid.",
        "en": "The {field} field ('{value}') is not a valid number.",
    },
    "ticket.unprintable": {
        "ro": (
            "Biletul QR nu poate conține numărul rezervării „{number}” și numărul de "
            "înmatriculare „{plate}”: doar litere, cifre și - . /, cel mult 24 de caractere."
        ),
        "en": (
            "The QR ticket cannot carry booking number '{number}' and plate '{plate}': "
            "letters, digits and - . / only, at most 24 characters."
        ),
    },
    "task.unrenderable": {
        "ro": "E-mailul pentru rezervarea {number} nu poate fi alcătuit.",
        "en": "The e-mail for booking {number} cannot be put together.",
    },
    "task.claimed_too_often": {
        "ro": "Preluată de {count} ori fără să fie terminată.",
        "en": "Claimed {count} times without finishing.",
    },
    "task.suppressed": {
        "ro": "Adresă blocată după un mesaj returnat pe {date}; corectați destinatarul.",
        "en": "Address suppressed after a bounce on {date}; fix the recipient.",
    },
    "error.suppression_not_found": {
        "ro": "Adresa {address} nu este pe lista adreselor blocate după mesaje returnate.",
        "en": "{address} is not on the list of addresses suppressed after a bounce.",
    },
    "cli.sign_in_needed_site": {
        "ro": (
            "„{command}” modifică setările site-ului: indicați cine sunteți cu --as NUME, iar "
            "PIN-ul la cerere sau în PARKING_DESK_PIN."
        ),
        "en": (
            "'{command}' changes the site: say who you are with --as NAME, and give the PIN "
            "when asked or in PARKING_DESK_PIN."
        ),
    },
    "cli.new_pin_needed": {
        "ro": (
            "Este nevoie de un PIN pentru {name}: tastați-l la cerere (de două ori, același) "
            "sau dați-l în {env}."
        ),
        "en": (
            "A PIN for {name} is needed: type it when asked (twice, the same) or give it in {env}."
        ),
    },
    "ticket.revoked_unnamed": {
        "ro": (
            "Bilet semnat cu o cheie revocată ({machine}, revocată la {revoked_at}). Emiteți "
            "din nou biletul rezervării {number}."
        ),
        "en": (
            "Ticket signed with a revoked key ({machine}, revoked {revoked_at}). Reissue the "
            "ticket of booking {number}."
        ),
    },
    # Tickets checked against the site's key ring (the CLI's `ticket verify`, gates)
    "ticket.valid": {
        "ro": (
            "Bilet valabil pentru rezervarea {number} (numărul {plate}), până la {until}, "
            "semnat de {machine}."
        ),
        "en": (
            "Valid ticket for booking {number} (plate {plate}), until {until}, signed by {machine}."
        ),
    },
    "ticket.forged": {
        "ro": "Bilet fals: cheia {kid} nu este a acestui operator.",
        "en": "Forged ticket: key {kid} is not one of this site's keys.",
    },
    "ticket.altered": {
        "ro": "Bilet modificat: datele nu corespund semnăturii.",
        "en": "Altered ticket: its data does not match its signature.",
    },
    "ticket.expired": {
        "ro": "Bilet expirat: rezervarea {number} a fost valabilă până la {until}.",
        "en": "Expired ticket: booking {number} was valid until {until}.",
    },
    "ticket.malformed": {
        "ro": "Nu este un bilet Parking Desk.",
        "en": "Not a Parking Desk ticket.",
    },
    "ticket.revoked": {
        "ro": (
            "Bilet semnat cu o cheie revocată ({machine}, revocată la {revoked_at} de "
            "{revoked_by}). Emiteți din nou biletul rezervării {number}."
        ),
        "en": (
            "Ticket signed with a revoked key ({machine}, revoked {revoked_at} by "
            "{revoked_by}). Reissue the ticket of booking {number}."
        ),
    },
    "error.key_not_found": {
        "ro": "Cheia de semnare {kid} nu este în inelul de chei al operatorului.",
        "en": "Signing key {kid} is not in the site's key ring.",
    },
    "error.own_key_revoked": {
        "ro": (
            "Cheia de semnare a acestui calculator ({kid}) a fost revocată: biletele ei sunt "
            "refuzate. Emiteți biletul de la alt birou."
        ),
        "en": (
            "This computer's signing key ({kid}) has been revoked: its tickets are refused. "
            "Issue the ticket from another desk."
        ),
    },
    "error.key_ring_unreadable": {
        "ro": "Inelul de chei {path} nu poate fi citit: {reason}",
        "en": "The key ring {path} cannot be read: {reason}",
    },
    "error.no_key_ring": {
        "ro": (
            "Nu există chei de verificare: dați --keys FIȘIER (exportat cu "
            "„parking-desk export-public-key”) sau porniți o dată biroul pe acest calculator."
        ),
        "en": (
            "No keys to verify with: give --keys FILE (exported with "
            "'parking-desk export-public-key') or start the desk once on this computer."
        ),
    },
    "error.export_folder_missing": {
        "ro": "Dosarul {folder} nu există; creați-l sau alegeți alt fișier.",
        "en": "The folder {folder} does not exist; create it or choose another file.",
    },
    # Field validation
    "field.required": {"ro": "Câmp obligatoriu.", "en": "This field is required."},
    "field.too_long": {
        "ro": "Cel mult {max} caractere.",
        "en": "At most {max} characters.",
    },
    "field.control_chars": {
        "ro": "Conține caractere nepermise.",
        "en": "Contains characters that are not allowed.",
    },
    "email.invalid": {
        "ro": "Adresa de e-mail nu este validă: {reason}",
        "en": "The e-mail address is not valid: {reason}",
    },
    "phone.invalid": {
        "ro": "Numărul de telefon nu este valid.",
        "en": "The phone number is not valid.",
    },
    "plate.invalid": {
        "ro": "Numărul de înmatriculare poate conține doar litere și cifre.",
        "en": "The plate may contain only letters and digits.",
    },
    "plate.overlapping_booking": {
        "ro": "Numărul are deja rezervarea {number}, {arrival} → {departure}, în aceeași perioadă.",
        "en": "This plate already has booking {number}, {arrival} → {departure}, at the same time.",
    },
    "dates.stay_in_past": {
        "ro": "Șederea s-a încheiat deja: plecarea este în trecut.",
        "en": "This stay is already over: the departure is in the past.",
    },
    "dates.arrival_in_past": {
        "ro": "Sosirea este cu mai mult de o zi în trecut.",
        "en": "The arrival is more than a day in the past.",
    },
    "plate.not_romanian": {
        "ro": "Nu pare un număr românesc (ex. B123ABC, CJ12XYZ). Verificați dacă este corect.",
        "en": "Does not look like a Romanian plate (e.g. B123ABC, CJ12XYZ). Check it is right.",
    },
    "dates.departure_before_arrival": {
        "ro": "Plecarea trebuie să fie după sosire.",
        "en": "Departure must be after arrival.",
    },
    "dates.too_long_stay": {
        "ro": "Șederea depășește {max_days} zile.",
        "en": "The stay exceeds {max_days} days.",
    },
    "dates.out_of_range": {
        "ro": "Data trebuie să fie între anii {first} și {last}.",
        "en": "The date must be between the years {first} and {last}.",
    },
    "dates.not_timezone_aware": {
        "ro": "Data nu are fus orar.",
        "en": "The date has no time zone.",
    },
    "passengers.range": {
        "ro": "Numărul de pasageri trebuie să fie între {min} și {max}.",
        "en": "Passengers must be between {min} and {max}.",
    },
    "language.invalid": {"ro": "Limbă necunoscută: {value}", "en": "Unknown language: {value}"},
    # Mail: why a message could not go, as a supervisor reads it on the task
    "mail.needs_smtputf8": {
        "ro": (
            "Adresa {address} conține caractere internaționale, iar serverul de e-mail "
            "{server} nu acceptă astfel de adrese (SMTPUTF8). Corectați adresa sau folosiți "
            "un server care le acceptă."
        ),
        "en": (
            "The address {address} contains international characters and the mail server "
            "{server} does not accept such addresses (SMTPUTF8). Correct the address or use "
            "a server that accepts them."
        ),
    },
    "mail.address_unencodable": {
        "ro": "Adresa {address} nu poate fi scrisă într-un mesaj de e-mail.",
        "en": "The address {address} cannot be written into an e-mail message.",
    },
    "error.mail_unconfigured": {
        "ro": (
            "Nu este configurat niciun server SMTP, iar baza de date {store} este comună: "
            "e-mailurile ar rămâne în dosarul {folder} de pe acest calculator, deși "
            "rezervările ar apărea ca trimise. Configurați SMTP (PARKING_DESK_SMTP_HOST sau "
            "GMAIL_USER și GMAIL_APP_PASSWORD) sau alegeți dosarul explicit cu "
            'mail.transport = "outbox" (PARKING_DESK_MAIL_TRANSPORT=outbox).'
        ),
        "en": (
            "No SMTP server is configured and the {store} database is shared: e-mails would "
            "stay in the folder {folder} on this computer while bookings show them as sent. "
            "Configure SMTP (PARKING_DESK_SMTP_HOST, or GMAIL_USER and GMAIL_APP_PASSWORD) or "
            'choose the folder explicitly with mail.transport = "outbox" '
            "(PARKING_DESK_MAIL_TRANSPORT=outbox)."
        ),
    },
    "source.invalid": {"ro": "Sursă necunoscută: {value}", "en": "Unknown source: {value}"},
    # Start-up warning: the settings file holds a secret and others may read it.
    "settings.exposed": {
        "ro": (
            "Atenție: fișierul de setări {path} conține {secrets} și poate fi citit și de alți "
            "utilizatori; rulați „chmod 600 {path}”."
        ),
        "en": (
            "Warning: the settings file {path} holds {secrets} and other users can read it; "
            "run 'chmod 600 {path}'."
        ),
    },
}


def message(code: str, lang: str = "ro", /, **params: Any) -> str:
    """The sentence for *code* in *lang*; unknown codes fall back to the code itself."""
    entry = MESSAGES.get(code)
    if entry is None:
        return code
    text = entry.get(lang) or entry["en"]
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
