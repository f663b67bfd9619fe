<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ro_RO">
<context>
    <name>AuditTab</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="112"/>
        <source>Time</source>
        <translation>Ora</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="114"/>
        <source>Action</source>
        <translation>Acțiune</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="115"/>
        <source>Tasks</source>
        <translation>Sarcini</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="113"/>
        <source>Who</source>
        <translation>Cine</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="116"/>
        <source>Booking or subject</source>
        <translation>Rezervare sau obiect</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="117"/>
        <source>Details</source>
        <translation>Detalii</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="120"/>
        <source>Refresh</source>
        <translation>Reîmprospătează</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="126"/>
        <source>retry</source>
        <translation>reîncercare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="127"/>
        <source>cancel</source>
        <translation>anulare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="128"/>
        <source>fix recipient</source>
        <translation>corectare destinatar</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="129"/>
        <source>revoke signing key</source>
        <translation>revocare cheie de semnare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="130"/>
        <source>reissue ticket</source>
        <translation>bilet reemis</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="131"/>
        <source>sign-in</source>
        <translation>autentificare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="132"/>
        <source>failed sign-in</source>
        <translation>autentificare eșuată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="133"/>
        <source>locked out after wrong PINs</source>
        <translation>cont blocat după PIN-uri greșite</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="134"/>
        <source>sign-in refused, account locked</source>
        <translation>autentificare refuzată, cont blocat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="135"/>
        <source>first admin created</source>
        <translation>primul administrator creat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="136"/>
        <source>account added</source>
        <translation>cont adăugat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="137"/>
        <source>account deactivated</source>
        <translation>cont dezactivat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="138"/>
        <source>account reactivated</source>
        <translation>cont reactivat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="139"/>
        <source>PIN reset</source>
        <translation>PIN resetat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="140"/>
        <source>role changed</source>
        <translation>rol schimbat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="141"/>
        <source>bounced address cleared</source>
        <translation>adresă returnată deblocată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="142"/>
        <source>client erased</source>
        <translation>client șters</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="143"/>
        <source>retention periods set</source>
        <translation>perioade de păstrare stabilite</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="144"/>
        <source>offline conflict</source>
        <translation>conflict offline</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="145"/>
        <source>offline conflict resolved</source>
        <translation>conflict offline rezolvat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="146"/>
        <source>scan undone</source>
        <translation>scanare anulată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="147"/>
        <source>walk-in saved over capacity</source>
        <translation>rezervare de la ghișeu salvată peste capacitate</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="152"/>
        <source>staff</source>
        <translation>personal</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="153"/>
        <source>supervisor</source>
        <translation>supervizor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="154"/>
        <source>admin</source>
        <translation>administrator</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="181"/>
        <source>bookings</source>
        <translation>rezervări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="182"/>
        <source>finished tasks</source>
        <translation>sarcini încheiate</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="183"/>
        <source>dead tasks</source>
        <translation>sarcini eșuate definitiv</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="184"/>
        <source>outbox</source>
        <translation>outbox</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="191"/>
        <source>for ever</source>
        <translation>pentru totdeauna</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="191"/>
        <source>%1 d</source>
        <translation>%1 z</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="200"/>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="201"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="208"/>
        <source>at a desk</source>
        <translation>la un birou</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="209"/>
        <source>on the command line</source>
        <translation>din linia de comandă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="210"/>
        <source>at the kiosk</source>
        <translation>la chioșc</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="214"/>
        <source>unknown name</source>
        <translation>nume necunoscut</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="215"/>
        <source>deactivated account</source>
        <translation>cont dezactivat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="216"/>
        <source>wrong PIN</source>
        <translation>PIN greșit</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="221"/>
        <source>%1 in a row</source>
        <translation>%1 la rând</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="223"/>
        <source>locked for %1</source>
        <translation>blocat pentru %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="226"/>
        <source>%1 still to wait</source>
        <translation>mai sunt de așteptat %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="229"/>
        <source>role: %1</source>
        <translation>rol: %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="231"/>
        <source>PIN kept from the desk&apos;s old supervisor PIN</source>
        <translation>PIN păstrat din vechiul PIN de supervizor al biroului</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="233"/>
        <source>signed with key %1</source>
        <translation>semnat cu cheia %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="235"/>
        <source>new address, e-mail sent again</source>
        <translation>adresă nouă, e-mail retrimis</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="237"/>
        <source>the address is sent to again</source>
        <translation>adresa primește din nou e-mailuri</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="239"/>
        <source>tasks cleaned: %1</source>
        <translation>sarcini curățate: %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="246"/>
        <source>filter: %1</source>
        <translation>filtru: %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="256"/>
        <source>Loading…</source>
        <translation>Se încarcă…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/console/audit_tab.py" line="267"/>
        <source>%n entries</source>
        <translation>
            <numerusform>%n intrare</numerusform>
            <numerusform>%n intrări</numerusform>
            <numerusform>%n de intrări</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BulkRun</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/bulk_run.py" line="37"/>
        <source>Cancel</source>
        <translation>Anulează</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/bulk_run.py" line="58"/>
        <source>%1 of %2 tasks…</source>
        <translation>%1 din %2 sarcini…</translation>
    </message>
</context>
<context>
    <name>ConsoleTabs</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/console_tabs.py" line="31"/>
        <source>&amp;Queue</source>
        <translation>Coa&amp;dă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/console_tabs.py" line="35"/>
        <source>&amp;Audit log</source>
        <translation>Jurn&amp;al de acțiuni</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="191"/>
        <source>&amp;Signing keys</source>
        <translation>Chei de &amp;semnare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="232"/>
        <source>&amp;Bounced addresses</source>
        <translation>Adrese &amp;blocate</translation>
    </message>
</context>
<context>
    <name>KeysTab</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="82"/>
        <source>Key</source>
        <translation>Cheie</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="82"/>
        <source>Machine</source>
        <translation>Calculator</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="82"/>
        <source>Created</source>
        <translation>Creată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="82"/>
        <source>Revoked</source>
        <translation>Revocată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="84"/>
        <source>Refresh</source>
        <translation>Reîmprospătează</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="85"/>
        <source>Revoke key…</source>
        <translation>Revocă cheia…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="113"/>
        <source>Loading…</source>
        <translation>Se încarcă…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="126"/>
        <source>%n trusted key(s)</source>
        <translation>
            <numerusform>%n cheie de încredere</numerusform>
            <numerusform>%n chei de încredere</numerusform>
            <numerusform>%n de chei de încredere</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="128"/>
        <source>, %n revoked</source>
        <translation>
            <numerusform>, %n revocată</numerusform>
            <numerusform>, %n revocate</numerusform>
            <numerusform>, %n revocate</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="138"/>
        <source> (this computer)</source>
        <translation> (acest calculator)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="140"/>
        <source>{when} by {who}</source>
        <translation>{when} de {who}</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="160"/>
        <source>Revoke signing key</source>
        <translation>Revocare cheie de semnare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="162"/>
        <source>Revoke the key {kid} of {machine}? Every ticket it signed will be refused at every desk and gate; clients need a reissued ticket.</source>
        <translation>Revocați cheia {kid} a calculatorului {machine}? Toate biletele semnate cu ea vor fi refuzate la toate birourile și barierele; clienții au nevoie de un bilet emis din nou.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/keys_tab.py" line="173"/>
        <source>Revoking {kid}…</source>
        <translation>Se revocă {kid}…</translation>
    </message>
</context>
<context>
    <name>KioskExitDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/exit_dialog.py" line="62"/>
        <source>Leave full screen</source>
        <translation>Ieșire din ecran complet</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/exit_dialog.py" line="68"/>
        <source>A supervisor or an admin of the site signs in to leave full screen. Wrong PINs lock the account for a while, as at a desk.</source>
        <translation>Un supervizor sau un administrator al locației se autentifică pentru a ieși din ecranul complet. PIN-urile greșite blochează contul pentru un timp, ca la birou.</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="128"/>
        <source>E-mail queue health</source>
        <translation>Starea cozii de e-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="138"/>
        <source>E-mail queue</source>
        <translation>Coada de e-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="139"/>
        <source>Connecting…</source>
        <translation>Se conectează…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="158"/>
        <source>Waiting</source>
        <translation>În așteptare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="159"/>
        <source>Retrying</source>
        <translation>Se reîncearcă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="160"/>
        <source>Sending</source>
        <translation>Se trimit</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="161"/>
        <source>Failed</source>
        <translation>Eșuate</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="162"/>
        <source>Waiting for</source>
        <translation>Așteaptă de</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="163"/>
        <source>Sent, last hour</source>
        <translation>Trimise, ultima oră</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="164"/>
        <source>Sent today</source>
        <translation>Trimise azi</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="175"/>
        <source>Sends per minute, last hour</source>
        <translation>Trimiteri pe minut, ultima oră</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="178"/>
        <source>Workers</source>
        <translation>Procese de trimitere</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="307"/>
        <source>Offline since %1</source>
        <translation>Deconectat de la %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="272"/>
        <source>Updated %1</source>
        <translation>Actualizat la %1</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="165"/>
        <source>Failure rate, last hour</source>
        <translation>Rată de eșec, ultima oră</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="193"/>
        <source>Cars on the lot</source>
        <translation>Mașini în parcare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="194"/>
        <source>Expected, next days</source>
        <translation>Estimat, zilele următoare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="328"/>
        <source>All good</source>
        <translation>Totul în regulă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="329"/>
        <source>Attention</source>
        <translation>Atenție</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="330"/>
        <source>Problem</source>
        <translation>Problemă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="331"/>
        <source>Offline</source>
        <translation>Deconectat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="340"/>
        <source>e-mails waiting too long</source>
        <translation>e-mailuri care așteaptă prea mult</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="341"/>
        <source>e-mails being retried</source>
        <translation>e-mailuri care se reîncearcă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="342"/>
        <source>failed e-mails</source>
        <translation>e-mailuri eșuate</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="343"/>
        <source>high failure rate</source>
        <translation>rată de eșec mare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="344"/>
        <source>no worker running</source>
        <translation>niciun proces de trimitere activ</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="345"/>
        <source>a worker cannot record results</source>
        <translation>un proces de trimitere nu poate salva rezultatele</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="370"/>
        <source>desk</source>
        <translation>birou</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="370"/>
        <source>server</source>
        <translation>server</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="375"/>
        <source>%1: stopped %2 ago</source>
        <translation>%1: oprit acum %2</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="377"/>
        <source>%1: blocked, cannot record results (heartbeat %2 ago)</source>
        <translation>%1: blocat, nu poate salva rezultatele (semnal acum %2)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="380"/>
        <source>%1: offline, not heard from for %2</source>
        <translation>%1: offline, niciun semnal de %2</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="382"/>
        <source>%1: offline, syncing what it did meanwhile (heartbeat %2 ago)</source>
        <translation>%1: offline, sincronizează ce a făcut între timp (semnal acum %2)</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="396"/>
        <source>No worker has reported</source>
        <translation>Niciun proces de trimitere nu a raportat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/kiosk_window.py" line="384"/>
        <source>%1: heartbeat %2 ago</source>
        <translation>%1: semnal acum %2</translation>
    </message>
</context>
<context>
    <name>OccupancyBars</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/health_widgets.py" line="120"/>
        <source>Expected cars on the lot, of %1 places: %2</source>
        <translation>Mașini estimate în parcare, din %1 locuri: %2</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/health_widgets.py" line="124"/>
        <source>Expected cars on the lot: %2</source>
        <translation>Mașini estimate în parcare: %2</translation>
    </message>
</context>
<context>
    <name>QueueActions</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="60"/>
        <source>Retry selected</source>
        <translation>Reîncearcă selecția</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="61"/>
        <source>Retry all matching…</source>
        <translation>Reîncearcă tot ce corespunde…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="62"/>
        <source>Cancel selected</source>
        <translation>Anulează selecția</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="63"/>
        <source>Fix recipient and resend…</source>
        <translation>Corectează destinatarul și retrimite…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="98"/>
        <source>Select the tasks to retry first.</source>
        <translation>Selectați mai întâi sarcinile de reîncercat.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="106"/>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="145"/>
        <source>Retrying tasks</source>
        <translation>Se reîncearcă sarcinile</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="108"/>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="147"/>
        <source>Tasks retried: %1.</source>
        <translation>Sarcini reîncercate: %1.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="149"/>
        <source>Tasks left as they were because they changed after counting: %1.</source>
        <translation>Sarcini lăsate neatinse pentru că s-au schimbat după numărare: %1.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="133"/>
        <source>Tasks matching the current filter: %1. Retry them now?</source>
        <translation>Sarcini care corespund filtrului curent: %1. Le reîncercați acum?</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="157"/>
        <source>Selected tasks: %1. Cancel them? They will not be sent.</source>
        <translation>Sarcini selectate: %1. Le anulați? Nu vor mai fi trimise.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="168"/>
        <source>Tasks cancelled: %1.</source>
        <translation>Sarcini anulate: %1.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="109"/>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="148"/>
        <source>Stopped: %1 of %2 tasks were retried before you stopped.</source>
        <translation>Oprit: %1 din %2 sarcini au fost reîncercate înainte de oprire.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="117"/>
        <source>Counting the matching tasks…</source>
        <translation>Se numără sarcinile care corespund…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="131"/>
        <source>No task matching the filter can be retried.</source>
        <translation>Nicio sarcină care corespunde filtrului nu poate fi reîncercată.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="134"/>
        <source>Retry all matching</source>
        <translation>Reîncearcă tot ce corespunde</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="135"/>
        <source>Nothing was retried.</source>
        <translation>Nu s-a reîncercat nimic.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="155"/>
        <source>Select the tasks to cancel first.</source>
        <translation>Selectați mai întâi sarcinile de anulat.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="158"/>
        <source>Cancel tasks</source>
        <translation>Anulare sarcini</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="166"/>
        <source>Cancelling tasks</source>
        <translation>Se anulează sarcinile</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="169"/>
        <source>Stopped: %1 of %2 tasks were cancelled before you stopped.</source>
        <translation>Oprit: %1 din %2 sarcini au fost anulate înainte de oprire.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="197"/>
        <source>Select exactly one task to fix its recipient.</source>
        <translation>Selectați o singură sarcină pentru a-i corecta destinatarul.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_actions.py" line="218"/>
        <source>Recipient changed; the e-mail is being sent again.</source>
        <translation>Destinatarul a fost schimbat; e-mailul se retrimite.</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="59"/>
        <source>retrying</source>
        <translation>se reîncearcă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="61"/>
        <source>pending</source>
        <translation>în așteptare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="62"/>
        <source>processing</source>
        <translation>în lucru</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="63"/>
        <source>completed</source>
        <translation>finalizată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="64"/>
        <source>dead</source>
        <translation>eșuată definitiv</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="65"/>
        <source>cancelled</source>
        <translation>anulată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="66"/>
        <source>bounced</source>
        <translation>returnată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="74"/>
        <source>QR code</source>
        <translation>cod QR</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="75"/>
        <source>e-mail</source>
        <translation>e-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="76"/>
        <source>e-mail + QR</source>
        <translation>e-mail + QR</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="145"/>
        <source>Created</source>
        <translation>Creată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="146"/>
        <source>Booking</source>
        <translation>Rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="147"/>
        <source>Recipient</source>
        <translation>Destinatar</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="148"/>
        <source>Type</source>
        <translation>Tip</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="149"/>
        <source>State</source>
        <translation>Stare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="150"/>
        <source>Attempts</source>
        <translation>Încercări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="151"/>
        <source>Next attempt</source>
        <translation>Următoarea încercare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="152"/>
        <source>Last error</source>
        <translation>Ultima eroare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="153"/>
        <source>Provider</source>
        <translation>Furnizor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_columns.py" line="154"/>
        <source>Worker</source>
        <translation>Proces</translation>
    </message>
</context>
<context>
    <name>QueueTab</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="187"/>
        <source>All states</source>
        <translation>Toate stările</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="193"/>
        <source>Search booking, recipient or error…</source>
        <translation>Caută rezervare, destinatar sau eroare…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="195"/>
        <source>Any time</source>
        <translation>Oricând</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="196"/>
        <source>Last hour</source>
        <translation>Ultima oră</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="197"/>
        <source>Last 24 hours</source>
        <translation>Ultimele 24 de ore</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="198"/>
        <source>Last 7 days</source>
        <translation>Ultimele 7 zile</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="199"/>
        <source>Last 30 days</source>
        <translation>Ultimele 30 de zile</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="186"/>
        <source>State:</source>
        <translation>Stare:</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="207"/>
        <source>Bounces are not read on this desk: it has no IMAP settings. An e-mail the client&apos;s server returns later stays &quot;completed&quot; here unless a worker with IMAP settings reads the sending mailbox.</source>
        <translation>Acest birou nu citește mesajele returnate: nu are setări IMAP. Un e-mail pe care serverul clientului îl returnează mai târziu rămâne aici „finalizată”, dacă nu citește căsuța de trimitere un proces cu setări IMAP.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/queue_tab.py" line="365"/>
        <source>%1 of %2 tasks</source>
        <translation>%1 din %2 sarcini</translation>
    </message>
</context>
<context>
    <name>RecipientDialog</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/recipient_dialog.py" line="34"/>
        <source>Fix recipient and resend</source>
        <translation>Corectează destinatarul și retrimite</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/recipient_dialog.py" line="38"/>
        <source>New e-mail address</source>
        <translation>Noua adresă de e-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/recipient_dialog.py" line="46"/>
        <source>Save and resend</source>
        <translation>Salvează și retrimite</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/recipient_dialog.py" line="50"/>
        <source>New e-mail address:</source>
        <translation>Noua adresă de e-mail:</translation>
    </message>
</context>
<context>
    <name>RelativeTime</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="17"/>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="24"/>
        <source>now</source>
        <translation>acum</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="26"/>
        <source>in %1 s</source>
        <translation>peste %1 s</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="31"/>
        <source>in %1 min</source>
        <translation>peste %1 min</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="33"/>
        <source>%1 min ago</source>
        <translation>acum %1 min</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="38"/>
        <source>in %1 h</source>
        <translation>peste %1 h</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="40"/>
        <source>%1 h ago</source>
        <translation>acum %1 h</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="44"/>
        <source>in %1 days</source>
        <translation>peste %1 zile</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="46"/>
        <source>%1 days ago</source>
        <translation>acum %1 zile</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="54"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="57"/>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/relative_time.py" line="60"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
</context>
<context>
    <name>Sparkline</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/health_widgets.py" line="60"/>
        <source>Sends per minute over the last %1 minutes; peak %2</source>
        <translation>Trimiteri pe minut în ultimele %1 minute; maxim %2</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/kiosk/health_widgets.py" line="99"/>
        <source>peak %1/min</source>
        <translation>maxim %1/min</translation>
    </message>
</context>
<context>
    <name>SupervisorLock</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/supervisor_lock.py" line="111"/>
        <source>staff, read-only queue</source>
        <translation>personal, coada doar pentru citire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/supervisor_lock.py" line="112"/>
        <source>supervisor</source>
        <translation>supervizor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/supervisor_lock.py" line="113"/>
        <source>admin</source>
        <translation>administrator</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/supervisor_lock.py" line="116"/>
        <source>Nobody is signed in</source>
        <translation>Nimeni nu este autentificat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/supervisor_lock.py" line="119"/>
        <source>{name} ({role})</source>
        <translation>{name} ({role})</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/supervisor_lock.py" line="121"/>
        <source>Sign in as a supervisor…</source>
        <translation>Autentificare ca supervizor…</translation>
    </message>
</context>
<context>
    <name>SuppressionsTab</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="99"/>
        <source>Address</source>
        <translation>Adresă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="100"/>
        <source>Bounced</source>
        <translation>Returnată la</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="101"/>
        <source>Why</source>
        <translation>Motiv</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="102"/>
        <source>Booking</source>
        <translation>Rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="103"/>
        <source>Task</source>
        <translation>Sarcină</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="108"/>
        <source>The worker sends nothing to these addresses: each bounced permanently. Fix the recipient of the task in the Queue tab (the same address again lifts its block), or clear the address here once the client says the mailbox works.</source>
        <translation>Nu se trimite nimic la aceste adrese: fiecare a fost returnată definitiv. Corectați destinatarul sarcinii în fila Coadă (aceeași adresă, introdusă din nou, o deblochează) sau deblocați adresa aici după ce clientul confirmă că adresa funcționează.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="113"/>
        <source>Refresh</source>
        <translation>Reîmprospătează</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="114"/>
        <source>Clear…</source>
        <translation>Deblochează…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="141"/>
        <source>Loading…</source>
        <translation>Se încarcă…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="148"/>
        <source>%n suppressed address(es)</source>
        <translation>
            <numerusform>%n adresă blocată</numerusform>
            <numerusform>%n adrese blocate</numerusform>
            <numerusform>%n de adrese blocate</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="150"/>
        <source>{address} cleared; it is sent to again.</source>
        <translation>{address} deblocată; primește din nou e-mailuri.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="203"/>
        <source>Clear suppressed address</source>
        <translation>Deblocare adresă</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="205"/>
        <source>Send to {address} again? It bounced on {when}. Clear it only if the client says the mailbox works; a retry of its task then sends the e-mail.</source>
        <translation>Se trimite din nou la {address}? A fost returnată pe {when}. Deblocați-o doar dacă clientul confirmă că adresa funcționează; o reîncercare a sarcinii trimite apoi e-mailul.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/suppressions_tab.py" line="143"/>
        <source>Clearing {address}…</source>
        <translation>Se deblochează {address}…</translation>
    </message>
</context>
<context>
    <name>TaskDetail</name>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="84"/>
        <source>Select a task to see its details.</source>
        <translation>Selectați o sarcină pentru a-i vedea detaliile.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="103"/>
        <source>Loading…</source>
        <translation>Se încarcă…</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="123"/>
        <source>This task no longer exists.</source>
        <translation>Această sarcină nu mai există.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="151"/>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="169"/>
        <source>Task</source>
        <translation>Sarcină</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="152"/>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="202"/>
        <source>Booking</source>
        <translation>Rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="153"/>
        <source>Recipient</source>
        <translation>Destinatar</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="154"/>
        <source>Type</source>
        <translation>Tip</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="155"/>
        <source>State</source>
        <translation>Stare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="156"/>
        <source>Attempts</source>
        <translation>Încercări</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="157"/>
        <source>Next attempt</source>
        <translation>Următoarea încercare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="159"/>
        <source>Last error</source>
        <translation>Ultima eroare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="162"/>
        <source>Provider</source>
        <translation>Furnizor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="163"/>
        <source>Message-ID</source>
        <translation>Message-ID</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="164"/>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="177"/>
        <source>Worker</source>
        <translation>Proces</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="165"/>
        <source>Created</source>
        <translation>Creată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="166"/>
        <source>Updated</source>
        <translation>Actualizată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="167"/>
        <source>Completed</source>
        <translation>Finalizată</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="172"/>
        <source>Attempt history</source>
        <translation>Istoricul încercărilor</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="174"/>
        <source>No attempts yet.</source>
        <translation>Nicio încercare încă.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="177"/>
        <source>When</source>
        <translation>Când</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="177"/>
        <source>Outcome</source>
        <translation>Rezultat</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="177"/>
        <source>Error</source>
        <translation>Eroare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="204"/>
        <source>The booking was not found.</source>
        <translation>Rezervarea nu a fost găsită.</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="206"/>
        <source>Number</source>
        <translation>Număr</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="207"/>
        <source>Status</source>
        <translation>Stare rezervare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="208"/>
        <source>E-mail status</source>
        <translation>Stare e-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="209"/>
        <source>Arrival</source>
        <translation>Sosire</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="210"/>
        <source>Departure</source>
        <translation>Plecare</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="214"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="215"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../work/main/parking_desk/ui/console/task_detail.py" line="216"/>
        <source>Plate</source>
        <translation>Număr de înmatriculare</translation>
    </message>
</context>
</TS>
