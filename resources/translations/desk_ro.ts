<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ro_RO">
<context>
    <name></name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="144"/>
        <source>Show ticket</source>
        <translation>Arată biletul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="145"/>
        <source>Print ticket</source>
        <translation>Tipărește biletul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="146"/>
        <source>Save ticket as PDF…</source>
        <translation>Salvează biletul ca PDF…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="147"/>
        <source>Save QR as PNG…</source>
        <translation>Salvează codul QR ca PNG…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="180"/>
        <source>Issuing the ticket of {number}…</source>
        <translation>Se emite biletul rezervării {number}…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="224"/>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="232"/>
        <source>Saved {path}</source>
        <translation>Salvat: {path}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="242"/>
        <source>Save ticket as PDF</source>
        <translation>Salvează biletul ca PDF</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="255"/>
        <source>Save QR as PNG</source>
        <translation>Salvează codul QR ca PNG</translation>
    </message>
</context>
<context>
    <name>AmendDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="50"/>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="80"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="51"/>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="81"/>
        <source>Plate</source>
        <translation>Nr. auto</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="52"/>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="82"/>
        <source>Arrival</source>
        <translation>Sosire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="53"/>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="83"/>
        <source>Departure</source>
        <translation>Plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/amend_dialog.py" line="58"/>
        <source>Amend booking {number}</source>
        <translation>Modificare rezervare {number}</translation>
    </message>
</context>
<context>
    <name>BookingDetails</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="209"/>
        <source>desk</source>
        <translation>ghișeu</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="210"/>
        <source>website</source>
        <translation>site</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="211"/>
        <source>test mode</source>
        <translation>mod de test</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="129"/>
        <source>Booking number</source>
        <translation>Număr rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="130"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="244"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="246"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="131"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="245"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="247"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="132"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="248"/>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="133"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="249"/>
        <source>Plate</source>
        <translation>Nr. auto</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="134"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="250"/>
        <source>Arrival</source>
        <translation>Sosire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="135"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="251"/>
        <source>Departure</source>
        <translation>Plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="136"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="252"/>
        <source>Passengers</source>
        <translation>Pasageri</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="137"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="253"/>
        <source>Notes</source>
        <translation>Observații</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="138"/>
        <source>Status</source>
        <translation>Stare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="139"/>
        <source>Confirmation e-mail</source>
        <translation>E-mail de confirmare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="140"/>
        <source>Source</source>
        <translation>Sursă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="144"/>
        <source>History</source>
        <translation>Istoric</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="145"/>
        <source>Amend…</source>
        <translation>Modifică…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="146"/>
        <source>Resend e-mail</source>
        <translation>Retrimite e-mailul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="147"/>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="336"/>
        <source>Cancel booking</source>
        <translation>Anulează rezervarea</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="148"/>
        <source>Check in</source>
        <translation>Înregistrează sosirea</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="149"/>
        <source>Check out</source>
        <translation>Înregistrează plecarea</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="150"/>
        <source>Erase this client…</source>
        <translation>Șterge datele acestui client…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="201"/>
        <source>sent at {when}</source>
        <translation>trimis la {when}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="204"/>
        <source>failed (last change {when})</source>
        <translation>eșuat (ultima modificare {when})</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="205"/>
        <source>pending</source>
        <translation>în așteptare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="223"/>
        <source>Checked in</source>
        <translation>Sosire înregistrată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="224"/>
        <source>Checked out</source>
        <translation>Plecare înregistrată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="225"/>
        <source>Cancelled</source>
        <translation>Anulată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="226"/>
        <source>Confirmed</source>
        <translation>Confirmată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="227"/>
        <source>E-mail queued again</source>
        <translation>E-mail pus din nou în coadă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="228"/>
        <source>Amended</source>
        <translation>Modificată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="229"/>
        <source>Client&apos;s personal data removed</source>
        <translation>Datele personale ale clientului au fost șterse</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="254"/>
        <source>Language</source>
        <translation>Limbă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="273"/>
        <source>Working…</source>
        <translation>Se lucrează…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="296"/>
        <source>Checked in.</source>
        <translation>Sosire înregistrată.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="297"/>
        <source>Checked out.</source>
        <translation>Plecare înregistrată.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="298"/>
        <source>Booking cancelled.</source>
        <translation>Rezervare anulată.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="337"/>
        <source>Cancel booking {number}? The ticket will be refused at the gate.</source>
        <translation>Anulați rezervarea {number}? Biletul va fi refuzat la barieră.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="350"/>
        <source>The confirmation e-mail is queued again.</source>
        <translation>E-mailul de confirmare a fost pus din nou în coadă.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="361"/>
        <source>Booking amended; a new confirmation is on its way.</source>
        <translation>Rezervare modificată; o nouă confirmare este pe drum.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="376"/>
        <source>The client&apos;s personal data is erased.</source>
        <translation>Datele personale ale clientului sunt șterse.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="385"/>
        <source>Erase this client</source>
        <translation>Șterge datele acestui client</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="387"/>
        <source>Remove the name, e-mail, phone and plate of this client from booking {number}, from their other bookings with the same e-mail, and from their e-mails? The bookings stay, without them. This cannot be undone.</source>
        <translation>Ștergeți numele, e-mailul, telefonul și numărul de înmatriculare ale acestui client din rezervarea {number}, din celelalte rezervări ale sale cu același e-mail și din e-mailurile trimise? Rezervările rămân, fără aceste date. Acțiunea nu poate fi anulată.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="151"/>
        <source>Undo the last scan</source>
        <translation>Anulează ultima scanare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="230"/>
        <source>Scan undone</source>
        <translation>Scanare anulată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="323"/>
        <source>Check-in undone: the booking is confirmed again.</source>
        <translation>Sosirea a fost anulată: rezervarea este din nou confirmată.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_details.py" line="324"/>
        <source>Check-out undone: the car is on the lot again.</source>
        <translation>Plecarea a fost anulată: mașina este din nou în parcare.</translation>
    </message>
</context>
<context>
    <name>BookingForm</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="222"/>
        <source>Clien&amp;t name</source>
        <translation>Nume clien&amp;t</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="223"/>
        <source>E-&amp;mail</source>
        <translation>E-&amp;mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="224"/>
        <source>Phon&amp;e</source>
        <translation>T&amp;elefon</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="225"/>
        <source>P&amp;late</source>
        <translation>Nr. înmatricu&amp;lare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="226"/>
        <source>A&amp;rrival</source>
        <translation>Sosi&amp;re</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="227"/>
        <source>De&amp;parture</source>
        <translation>&amp;Plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="228"/>
        <source>Passen&amp;gers</source>
        <translation>Pasa&amp;geri</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="229"/>
        <source>N&amp;otes</source>
        <translation>&amp;Observații</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="230"/>
        <source>E-mail lang&amp;uage</source>
        <translation>Limba e-mail&amp;ului</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="234"/>
        <source>First and last name</source>
        <translation>Prenume și nume</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="235"/>
        <source>client@example.com</source>
        <translation>client@exemplu.ro</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="236"/>
        <source>+40 7xx xxx xxx</source>
        <translation>+40 7xx xxx xxx</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="237"/>
        <source>B123ABC</source>
        <translation>B123ABC</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="238"/>
        <source>Save (Enter)</source>
        <translation>Salvează (Enter)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="239"/>
        <source>Clear (Esc)</source>
        <translation>Golește (Esc)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="325"/>
        <source>Please correct the marked fields.</source>
        <translation>Corectați câmpurile marcate.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="336"/>
        <source>Saving…</source>
        <translation>Se salvează…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="362"/>
        <source>Booking {number} saved.</source>
        <translation>Rezervarea {number} a fost salvată.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="366"/>
        <source>{saved} Check with the client: {checks}</source>
        <translation>{saved} Verificați cu clientul: {checks}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="240"/>
        <source>Save over capacity (supervisor)</source>
        <translation>Salvează peste capacitate (supervizor)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="384"/>
        <source>Not saved: the lot is full on {day} ({booked} of {capacity} places taken).</source>
        <translation>Nesalvată: parcarea este plină pe {day} ({booked} din {capacity} locuri ocupate).</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="387"/>
        <source>A supervisor may save it anyway.</source>
        <translation>Un supervizor o poate salva totuși.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/booking_form.py" line="388"/>
        <source>Only a supervisor may save it anyway.</source>
        <translation>Doar un supervizor o poate salva totuși.</translation>
    </message>
</context>
<context>
    <name>BookingsModel</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="159"/>
        <source>Number</source>
        <translation>Număr</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="160"/>
        <source>Name</source>
        <translation>Nume</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="161"/>
        <source>Plate</source>
        <translation>Nr. auto</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="162"/>
        <source>Arrival</source>
        <translation>Sosire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="163"/>
        <source>Departure</source>
        <translation>Plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="164"/>
        <source>Status</source>
        <translation>Stare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="165"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="173"/>
        <source>confirmed</source>
        <translation>confirmată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="174"/>
        <source>checked in</source>
        <translation>sosit</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="175"/>
        <source>checked out</source>
        <translation>plecat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="176"/>
        <source>cancelled</source>
        <translation>anulată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="177"/>
        <source>pending</source>
        <translation>în așteptare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="178"/>
        <source>sent</source>
        <translation>trimis</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_model.py" line="179"/>
        <source>failed</source>
        <translation>eșuat</translation>
    </message>
</context>
<context>
    <name>BookingsTab</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="130"/>
        <source>All bookings</source>
        <translation>Toate rezervările</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="127"/>
        <source>Search by name, phone, e-mail, plate or booking number</source>
        <translation>Căutați după nume, telefon, e-mail, număr de înmatriculare sau număr de rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="131"/>
        <source>Arrivals on</source>
        <translation>Sosiri pe</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="132"/>
        <source>Returns on</source>
        <translation>Plecări pe</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="133"/>
        <source>On the lot now</source>
        <translation>În parcare acum</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="134"/>
        <source>Overstays (past departure, still on the lot)</source>
        <translation>Depășiri (plecarea a trecut, încă în parcare)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="135"/>
        <source>No-shows on (arrival passed, not checked in)</source>
        <translation>Neprezentări pe (sosirea a trecut, fără check-in)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="139"/>
        <source>Export CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="219"/>
        <source>%n booking(s)</source>
        <translation>
            <numerusform>%n rezervare</numerusform>
            <numerusform>%n rezervări</numerusform>
            <numerusform>%n de rezervări</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="244"/>
        <source>Export bookings</source>
        <translation>Export rezervări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="244"/>
        <source>CSV files (*.csv)</source>
        <translation>Fișiere CSV (*.csv)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/desk/bookings_tab.py" line="248"/>
        <source>%n booking(s) exported.</source>
        <translation>
            <numerusform>%n rezervare exportată.</numerusform>
            <numerusform>%n rezervări exportate.</numerusform>
            <numerusform>%n de rezervări exportate.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="41"/>
        <source>Offline conflicts</source>
        <translation>Conflicte offline</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="44"/>
        <source>What this desk did offline that the database did not take as it was. Nothing was overwritten: deal with each one, then mark it resolved.</source>
        <translation>Ce a făcut acest ghișeu offline și baza de date nu a primit așa cum era. Nimic nu a fost suprascris: rezolvați fiecare caz, apoi marcați-l rezolvat.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="51"/>
        <source>Mark &amp;resolved</source>
        <translation>Marchează &amp;rezolvat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="52"/>
        <source>&amp;Try again</source>
        <translation>Încearcă din &amp;nou</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="90"/>
        <source>No conflicts: everything this desk did is in.</source>
        <translation>Niciun conflict: tot ce a făcut acest ghișeu este în baza de date.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="97"/>
        <source>its number is another booking&apos;s: book the client again and give them the new ticket</source>
        <translation>numărul este al altei rezervări: faceți rezervarea din nou și dați clientului biletul nou</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="100"/>
        <source>the booking was cancelled meanwhile</source>
        <translation>rezervarea a fost anulată între timp</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="102"/>
        <source>another desk checked it in or out meanwhile (now: {current})</source>
        <translation>alt ghișeu a înregistrat sosirea sau plecarea între timp (acum: {current})</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="104"/>
        <source>the database has no such booking</source>
        <translation>baza de date nu are această rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="105"/>
        <source>its booking did not go in (see above)</source>
        <translation>rezervarea ei nu a intrat (vedeți mai sus)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="108"/>
        <source>Booking {number} for {name}</source>
        <translation>Rezervarea {number} pentru {name}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="112"/>
        <source>Scan of {number} ({to})</source>
        <translation>Scanarea {number} ({to})</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="114"/>
        <source>check-in</source>
        <translation>sosire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="116"/>
        <source>check-out</source>
        <translation>plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/offline_conflicts.py" line="120"/>
        <source>{what}, {when} by {who}: {reason}</source>
        <translation>{what}, {when}, de {who}: {reason}</translation>
    </message>
</context>
<context>
    <name>CsvExport</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="22"/>
        <source>Booking number</source>
        <translation>Număr rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="23"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="24"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="25"/>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="26"/>
        <source>Plate</source>
        <translation>Nr. auto</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="27"/>
        <source>Arrival</source>
        <translation>Sosire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="28"/>
        <source>Departure</source>
        <translation>Plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="29"/>
        <source>Passengers</source>
        <translation>Pasageri</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="30"/>
        <source>Status</source>
        <translation>Stare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="31"/>
        <source>E-mail status</source>
        <translation>Stare e-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/csv_export.py" line="32"/>
        <source>Notes</source>
        <translation>Observații</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="97"/>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="121"/>
        <source>Export bookings</source>
        <translation>Exportă rezervările</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="98"/>
        <source>&amp;From</source>
        <translation>&amp;De la</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="99"/>
        <source>&amp;To (inclusive)</source>
        <translation>&amp;Până la (inclusiv)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="100"/>
        <source>F&amp;ormat</source>
        <translation>F&amp;ormat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="104"/>
        <source>CSV for Excel in Romanian (;)</source>
        <translation>CSV pentru Excel în română (;)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="105"/>
        <source>CSV for Excel in English (,)</source>
        <translation>CSV pentru Excel în engleză (,)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="106"/>
        <source>Excel workbook (XLSX)</source>
        <translation>Registru Excel (XLSX)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="131"/>
        <source>Bookings</source>
        <translation>Rezervări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="140"/>
        <source>Exporting…</source>
        <translation>Se exportă…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/desk/export_dialog.py" line="148"/>
        <source>%n booking(s) exported.</source>
        <translation>
            <numerusform>%n rezervare exportată.</numerusform>
            <numerusform>%n rezervări exportate.</numerusform>
            <numerusform>%n de rezervări exportate.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="106"/>
        <source>&amp;New booking</source>
        <translation>Rezervare &amp;nouă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="107"/>
        <source>Book&amp;ings</source>
        <translation>Rezervăr&amp;i</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="108"/>
        <source>S&amp;can</source>
        <translation>S&amp;canare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="178"/>
        <source>Parking Desk — {site}</source>
        <translation>Parking Desk — {site}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="187"/>
        <source>&amp;File</source>
        <translation>&amp;Fișier</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="188"/>
        <source>&amp;Export bookings to CSV…</source>
        <translation>&amp;Export rezervări în CSV…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="191"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Setări…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="192"/>
        <source>S&amp;taff accounts…</source>
        <translation>Conturi de &amp;personal…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="193"/>
        <source>Switch &amp;user…</source>
        <translation>Schimbă &amp;utilizatorul…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="194"/>
        <source>&amp;Lock the desk</source>
        <translation>&amp;Blochează biroul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="195"/>
        <source>&amp;Quit</source>
        <translation>&amp;Ieșire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="196"/>
        <source>&amp;View</source>
        <translation>&amp;Vizualizare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="197"/>
        <source>&amp;Language</source>
        <translation>&amp;Limbă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="198"/>
        <source>&amp;Help</source>
        <translation>A&amp;jutor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="199"/>
        <source>&amp;About Parking Desk</source>
        <translation>&amp;Despre Parking Desk</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="289"/>
        <source>Sign in as a supervisor</source>
        <translation>Autentificare ca supervizor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="327"/>
        <source>About Parking Desk</source>
        <translation>Despre Parking Desk</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="329"/>
        <source>Parking Desk {version}

Walk-in bookings, tickets and check-in for park-and-fly parking.</source>
        <translation>Parking Desk {version}

Rezervări la ghișeu, bilete și înregistrarea sosirilor pentru parcări park-and-fly.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="189"/>
        <source>Export bookings for &amp;dates (CSV, XLSX)…</source>
        <translation>Exportă rezervările pe &amp;date (CSV, XLSX)…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/main_window.py" line="190"/>
        <source>S&amp;hift report…</source>
        <translation>Raport de &amp;tură…</translation>
    </message>
</context>
<context>
    <name>Op</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/ops.py" line="191"/>
        <source>Parking Desk</source>
        <translation>Parking Desk</translation>
    </message>
</context>
<context>
    <name>QrFullscreen</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_fullscreen.py" line="38"/>
        <source>Ticket {number}</source>
        <translation>Bilet {number}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_fullscreen.py" line="39"/>
        <source>Press Esc or click to close</source>
        <translation>Apăsați Esc sau faceți clic pentru a închide</translation>
    </message>
</context>
<context>
    <name>QrPanel</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="81"/>
        <source>Show to client</source>
        <translation>Arată clientului</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="83"/>
        <source>Print ticket</source>
        <translation>Tipărește biletul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="85"/>
        <source>Save as PDF</source>
        <translation>Salvează ca PDF</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="86"/>
        <source>Save QR as PNG</source>
        <translation>Salvează codul QR ca PNG</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="88"/>
        <source>The QR of the next booking appears here.</source>
        <translation>Codul QR al următoarei rezervări apare aici.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="90"/>
        <source>Ticket</source>
        <translation>Bilet</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="157"/>
        <source>E-mail sent at {when}</source>
        <translation>E-mail trimis la {when}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="160"/>
        <source>E-mail failed; a supervisor can see why in the queue</source>
        <translation>E-mailul a eșuat; un supervizor poate vedea motivul în coadă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/qr_panel.py" line="163"/>
        <source>E-mail waiting to be sent…</source>
        <translation>E-mailul așteaptă să fie trimis…</translation>
    </message>
</context>
<context>
    <name>ScanPanel</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="222"/>
        <source>Confirm the scan</source>
        <translation>Confirmați scanarea</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="225"/>
        <source>Check &amp;out now</source>
        <translation>Înregistrează &amp;plecarea</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="226"/>
        <source>&amp;Keep it checked in</source>
        <translation>&amp;Rămâne în parcare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="228"/>
        <source>Check &amp;in now</source>
        <translation>Înregistrează &amp;sosirea</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="229"/>
        <source>&amp;Not yet</source>
        <translation>&amp;Nu încă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="246"/>
        <source>Not checked out: {number} stays checked in.</source>
        <translation>Plecarea nu a fost înregistrată: {number} rămâne în parcare.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="248"/>
        <source>Not checked in: {number} is still expected.</source>
        <translation>Sosirea nu a fost înregistrată: {number} este încă așteptată.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="260"/>
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n zi</numerusform>
            <numerusform>%n zile</numerusform>
            <numerusform>%n de zile</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="262"/>
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n oră</numerusform>
            <numerusform>%n ore</numerusform>
            <numerusform>%n de ore</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="267"/>
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minut</numerusform>
            <numerusform>%n minute</numerusform>
            <numerusform>%n de minute</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="265"/>
        <source>Booking {number} arrives on {arrival}, {ahead} from now. Check it in already?</source>
        <translation>Rezervarea {number} are sosirea pe {arrival}, peste {ahead}. O înregistrați deja la sosire?</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="273"/>
        <source>Booking {number} was checked in only {ago} ago, at {when} by {who} at {desk}. Check the car out now?</source>
        <translation>Rezervarea {number} a fost înregistrată la sosire acum doar {ago}, pe {when}, de {who}, la {desk}. Înregistrați acum plecarea mașinii?</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="278"/>
        <source>Booking {number} was checked in only {ago} ago, at {when} by {who}. Check the car out now?</source>
        <translation>Rezervarea {number} a fost înregistrată la sosire acum doar {ago}, pe {when}, de {who}. Înregistrați acum plecarea mașinii?</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="121"/>
        <source>&amp;Mode</source>
        <translation>&amp;Mod</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="123"/>
        <source>Automatic: check in, then check out</source>
        <translation>Automat: întâi sosire, apoi plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="124"/>
        <source>Check in only</source>
        <translation>Doar sosiri</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="125"/>
        <source>Check out only</source>
        <translation>Doar plecări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="130"/>
        <source>Scan the ticket&apos;s QR code, or type the booking number and press Enter.</source>
        <translation>Scanați codul QR de pe bilet sau tastați numărul rezervării și apăsați Enter.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="132"/>
        <source>Scan or type a booking number</source>
        <translation>Scanați sau tastați un număr de rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="133"/>
        <source>Recent scans</source>
        <translation>Scanări recente</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="183"/>
        <source>Checking {number}…</source>
        <translation>Se verifică {number}…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="301"/>
        <source>FORGED TICKET: it was not issued by this operator.</source>
        <translation>BILET FALS: nu a fost emis de acest operator.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="302"/>
        <source>ALTERED TICKET: its data does not match its signature.</source>
        <translation>BILET MODIFICAT: datele nu corespund semnăturii.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="303"/>
        <source>EXPIRED TICKET: it was valid until {when}.</source>
        <translation>BILET EXPIRAT: a fost valabil până la {when}.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="284"/>
        <source>Not a ticket or booking number this desk can read.</source>
        <translation>Nu este un bilet sau un număr de rezervare recunoscut.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="362"/>
        <source>{name} · {plate} · {arrival} → {departure}</source>
        <translation>{name} · {plate} · {arrival} → {departure}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="374"/>
        <source>Refused: this ticket is for plate {old}, the booking now has {new}. Ask for the newer ticket.</source>
        <translation>Refuzat: biletul este pentru numărul {old}, iar rezervarea are acum {new}. Cereți biletul nou.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="382"/>
        <source>CHECKED IN: {number}</source>
        <translation>SOSIRE ÎNREGISTRATĂ: {number}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="389"/>
        <source>CHECKED OUT: {number}</source>
        <translation>PLECARE ÎNREGISTRATĂ: {number}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="134"/>
        <source>Reissue ticket</source>
        <translation>Emite din nou biletul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="309"/>
        <source>REVOKED KEY: ticket signed with a revoked key ({machine}, revoked {when} by {who}). Reissue the ticket.</source>
        <translation>CHEIE REVOCATĂ: bilet semnat cu o cheie revocată ({machine}, revocată la {when} de {who}). Emiteți din nou biletul.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="330"/>
        <source>Reissuing the ticket of {number}…</source>
        <translation>Se emite din nou biletul rezervării {number}…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="347"/>
        <source>TICKET REISSUED: {number}. Show it to the client or print it.</source>
        <translation>BILET EMIS DIN NOU: {number}. Arătați-l clientului sau tipăriți-l.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="135"/>
        <source>&amp;Undo the selected scan</source>
        <translation>Anulea&amp;ză scanarea selectată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="416"/>
        <source>Undoing the scan of {number}…</source>
        <translation>Se anulează scanarea rezervării {number}…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="431"/>
        <source>CHECK-OUT UNDONE: {number} is on the lot again.</source>
        <translation>PLECARE ANULATĂ: {number} este din nou în parcare.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/scan_panel.py" line="434"/>
        <source>CHECK-IN UNDONE: {number} is not on the lot.</source>
        <translation>SOSIRE ANULATĂ: {number} nu este în parcare.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="187"/>
        <source>Settings</source>
        <translation>Setări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="189"/>
        <source>Desk</source>
        <translation>Ghișeu</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="189"/>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="196"/>
        <source>Database</source>
        <translation>Bază de date</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="189"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="189"/>
        <source>Worker</source>
        <translation>Procesare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="193"/>
        <source>Site name</source>
        <translation>Numele parcării</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="194"/>
        <source>Desk name</source>
        <translation>Numele ghișeului</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="209"/>
        <source>empty: the computer&apos;s name</source>
        <translation>gol: numele calculatorului</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="212"/>
        <source>How the site&apos;s Signing keys list names this desk&apos;s key. It is recorded when the key is first published, at the desk&apos;s first start.</source>
        <translation>Numele cu care lista Chei de semnare a locației arată cheia acestui ghișeu. Se înregistrează când cheia este publicată prima dată, la prima pornire a ghișeului.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="195"/>
        <source>Language</source>
        <translation>Limbă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="197"/>
        <source>Database file</source>
        <translation>Fișierul bazei de date</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="198"/>
        <source>Firestore project</source>
        <translation>Proiect Firestore</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="199"/>
        <source>Sender address</source>
        <translation>Adresa expeditorului</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="200"/>
        <source>Check the queue every</source>
        <translation>Verifică coada la fiecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="201"/>
        <source>Send e-mails from this desk</source>
        <translation>Trimite e-mailurile de pe acest ghișeu</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="205"/>
        <source>Embedded (this computer)</source>
        <translation>Integrată (acest calculator)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="206"/>
        <source>As the system</source>
        <translation>Ca sistemul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="216"/>
        <source>SMTP server</source>
        <translation>Server SMTP</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="217"/>
        <source>Backup SMTP server (optional)</source>
        <translation>Server SMTP de rezervă (opțional)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="228"/>
        <source>Firestore needs a project id.</source>
        <translation>Firestore necesită un ID de proiect.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="233"/>
        <source>An SMTP user needs its password, and the other way.</source>
        <translation>Utilizatorul SMTP are nevoie de parolă, și invers.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="246"/>
        <source>Sign in as a supervisor to change settings.</source>
        <translation>Autentificați-vă ca supervizor pentru a modifica setările.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="257"/>
        <source>Could not save: {reason}</source>
        <translation>Nu s-a putut salva: {reason}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="260"/>
        <source>Saved. Database and worker changes apply at the next start.</source>
        <translation>Salvat. Schimbările bazei de date și ale procesării se aplică la următoarea pornire.</translation>
    </message>
</context>
<context>
    <name>SetupForm</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="175"/>
        <source>Welcome: create the admin account</source>
        <translation>Bun venit: creați contul de administrator</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="177"/>
        <source>Nobody has an account on this site yet. The admin adds the other staff and supervisors once signed in.</source>
        <translation>Nimeni nu are încă un cont pe acest site. Administratorul adaugă ceilalți angajați și supervizori după autentificare.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="182"/>
        <source>Leave the PIN empty to keep this desk&apos;s supervisor PIN as the admin&apos;s PIN.</source>
        <translation>Lăsați PIN-ul gol pentru a păstra PIN-ul de supervizor al acestui birou ca PIN al administratorului.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="187"/>
        <source>Your &amp;name</source>
        <translation>&amp;Numele dvs.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="187"/>
        <source>&amp;PIN</source>
        <translation>&amp;PIN</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="187"/>
        <source>&amp;Repeat the PIN</source>
        <translation>&amp;Repetați PIN-ul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="193"/>
        <source>Create the admin and sign in</source>
        <translation>Creează administratorul și autentifică-te</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="203"/>
        <source>The two PINs differ.</source>
        <translation>Cele două PIN-uri diferă.</translation>
    </message>
</context>
<context>
    <name>ShiftReportDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="79"/>
        <source>Shift report</source>
        <translation>Raport de tură</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="80"/>
        <source>&amp;From</source>
        <translation>&amp;De la</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="81"/>
        <source>&amp;To</source>
        <translation>&amp;Până la</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="82"/>
        <source>&amp;Person (empty: everyone)</source>
        <translation>Pe&amp;rsoana (gol: toți)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="83"/>
        <source>&amp;Show</source>
        <translation>&amp;Arată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="84"/>
        <source>P&amp;rint…</source>
        <translation>&amp;Tipărește…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="85"/>
        <source>P&amp;DF…</source>
        <translation>PD&amp;F…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="86"/>
        <source>&amp;CSV…</source>
        <translation>&amp;CSV…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="96"/>
        <source>Walk-ins</source>
        <translation>Rezervări la ghișeu</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="97"/>
        <source>Check-ins</source>
        <translation>Sosiri</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="98"/>
        <source>Check-outs</source>
        <translation>Plecări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="99"/>
        <source>Cancellations</source>
        <translation>Anulări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="100"/>
        <source>Amendments</source>
        <translation>Modificări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="101"/>
        <source>Scans undone</source>
        <translation>Scanări anulate</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="102"/>
        <source>E-mails failed</source>
        <translation>E-mailuri eșuate</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="103"/>
        <source>Queue actions</source>
        <translation>Acțiuni asupra cozii</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="112"/>
        <source>Counting…</source>
        <translation>Se numără…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="131"/>
        <source>everyone</source>
        <translation>toți</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="132"/>
        <source>Shift report: {who}, {start} – {end}</source>
        <translation>Raport de tură: {who}, {start} – {end}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="149"/>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="179"/>
        <source>When</source>
        <translation>Când</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="149"/>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="179"/>
        <source>What</source>
        <translation>Ce</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="149"/>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="179"/>
        <source>Booking</source>
        <translation>Rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="149"/>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="179"/>
        <source>Who</source>
        <translation>Cine</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="189"/>
        <source>Save as PDF</source>
        <translation>Salvează ca PDF</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/shift_report_dialog.py" line="194"/>
        <source>Save as CSV</source>
        <translation>Salvează ca CSV</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="313"/>
        <source>Cancel</source>
        <translation>Renunță</translation>
    </message>
</context>
<context>
    <name>SignInForm</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="74"/>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="81"/>
        <source>Sign in</source>
        <translation>Autentificare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="75"/>
        <source>&amp;Name</source>
        <translation>&amp;Nume</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="77"/>
        <source>&amp;PIN</source>
        <translation>&amp;PIN</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="79"/>
        <source>Name</source>
        <translation>Nume</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="80"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="114"/>
        <source>Checking…</source>
        <translation>Se verifică…</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/sign_in.py" line="255"/>
        <source>Connecting to the database…</source>
        <translation>Conectare la baza de date…</translation>
    </message>
</context>
<context>
    <name>SmtpBox</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="73"/>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="73"/>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="73"/>
        <source>Security</source>
        <translation>Securitate</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="73"/>
        <source>User</source>
        <translation>Utilizator</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="77"/>
        <source>Password</source>
        <translation>Parolă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="78"/>
        <source>empty: not used</source>
        <translation>gol: nefolosit</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="79"/>
        <source>Test connection</source>
        <translation>Testează conexiunea</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="96"/>
        <source>Enter a server first.</source>
        <translation>Introduceți mai întâi un server.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="99"/>
        <source>Connecting…</source>
        <translation>Se conectează…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="106"/>
        <source>Connected and logged in.</source>
        <translation>Conectat și autentificat.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/settings_dialog.py" line="111"/>
        <source>Failed: {reason}</source>
        <translation>Eșuat: {reason}</translation>
    </message>
</context>
<context>
    <name>StaffAdminDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="132"/>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="133"/>
        <source>Supervisor</source>
        <translation>Supervizor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="134"/>
        <source>Admin</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="138"/>
        <source>Staff accounts</source>
        <translation>Conturi de personal</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="140"/>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="144"/>
        <source>Name</source>
        <translation>Nume</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="140"/>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="144"/>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="140"/>
        <source>State</source>
        <translation>Stare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="140"/>
        <source>Created by</source>
        <translation>Creat de</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="142"/>
        <source>Add a person</source>
        <translation>Adăugați o persoană</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="144"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="147"/>
        <source>&amp;Add</source>
        <translation>&amp;Adaugă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="148"/>
        <source>Selected person</source>
        <translation>Persoana selectată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="149"/>
        <source>Change &amp;role</source>
        <translation>Schimbă &amp;rolul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="150"/>
        <source>new PIN</source>
        <translation>PIN nou</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="151"/>
        <source>Reset &amp;PIN</source>
        <translation>Resetează &amp;PIN-ul</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="152"/>
        <source>Close</source>
        <translation>Închide</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="190"/>
        <source>deactivated</source>
        <translation>dezactivat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="192"/>
        <source>locked (wrong PINs)</source>
        <translation>blocat (PIN-uri greșite)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="194"/>
        <source>active</source>
        <translation>activ</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="218"/>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="222"/>
        <source>&amp;Deactivate</source>
        <translation>&amp;Dezactivează</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="222"/>
        <source>Reac&amp;tivate</source>
        <translation>Reac&amp;tivează</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="233"/>
        <source>Saving…</source>
        <translation>Se salvează…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="245"/>
        <source>{name} can sign in now.</source>
        <translation>{name} se poate autentifica acum.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="256"/>
        <source>{name} is now: {role}.</source>
        <translation>{name} are acum rolul: {role}.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="267"/>
        <source>{name} has a new PIN.</source>
        <translation>{name} are un PIN nou.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="278"/>
        <source>{name} can no longer sign in.</source>
        <translation>{name} nu se mai poate autentifica.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/staff_admin.py" line="283"/>
        <source>{name} can sign in again.</source>
        <translation>{name} se poate autentifica din nou.</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="149"/>
        <source>{bookings} bookings, {scans} scans waiting to sync</source>
        <translation>{bookings} rezervări, {scans} scanări de sincronizat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="155"/>
        <source>offline since {when} — {counts}</source>
        <translation>offline din {when} — {counts}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="157"/>
        <source>syncing — {counts}</source>
        <translation>se sincronizează — {counts}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="163"/>
        <source>{n} offline conflicts to resolve</source>
        <translation>{n} conflicte offline de rezolvat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="122"/>
        <source>Firestore ({project})</source>
        <translation>Firestore ({project})</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="126"/>
        <source>Embedded database</source>
        <translation>Bază de date integrată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="128"/>
        <source>connecting…</source>
        <translation>se conectează…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="130"/>
        <source>online</source>
        <translation>conectată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="132"/>
        <source>OFFLINE</source>
        <translation>DECONECTATĂ</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="184"/>
        <source>Worker: off (another machine sends the e-mails)</source>
        <translation>Procesare: oprită (alt calculator trimite e-mailurile)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="186"/>
        <source>Worker: starting…</source>
        <translation>Procesare: pornește…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="191"/>
        <source>Worker: stopped</source>
        <translation>Procesare: oprită</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="193"/>
        <source>Worker: error ({error})</source>
        <translation>Procesare: eroare ({error})</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="195"/>
        <source>Worker: sending…</source>
        <translation>Procesare: se trimite…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="197"/>
        <source>Worker: idle, {sent} sent</source>
        <translation>Procesare: inactivă, {sent} trimise</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="202"/>
        <source>Queue: –</source>
        <translation>Coadă: –</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/status_bar.py" line="206"/>
        <source>Queue: {pending} waiting, {processing} sending, {dead} failed</source>
        <translation>Coadă: {pending} în așteptare, {processing} în curs, {dead} eșuate</translation>
    </message>
</context>
<context>
    <name>TicketActions</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="100"/>
        <source>Printing ticket {number}…</source>
        <translation>Se tipărește biletul {number}…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/desk/ticket_actions.py" line="94"/>
        <source>Ticket {number} sent to the printer {printer}.</source>
        <translation>Biletul {number} a fost trimis la imprimanta {printer}.</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/errors_text.py" line="22"/>
        <source>The database did not answer ({detail}). Nothing was lost; try again.</source>
        <translation>Baza de date nu a răspuns ({detail}). Nu s-a pierdut nimic; încercați din nou.</translation>
    </message>
</context>
</TS>
