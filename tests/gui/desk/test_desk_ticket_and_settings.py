"""The printed ticket (80 mm PDF, QR at Q), the PNG, and the settings dialog."""

from __future__ import annotations

import re
import socket
import tomllib
from io import BytesIO

import pytest
from aiosmtpd.controller import Controller
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QLabel, QLineEdit
from zxingcpp import read_barcodes

from parking_desk.config import load_settings
from parking_desk.services.qr import render_png, verify
from parking_desk.services.roles import Person, Role
from parking_desk.ui.desk import ticket
from parking_desk.ui.desk.qr_panel import QrPanel
from parking_desk.ui.settings_dialog import SettingsDialog


@pytest.fixture
def panel(qtbot, ctx, new_booking):
    booking = new_booking(plate="B123ABC")
    payload = ctx.signer.payload(
        booking.booking_number, booking.plate, ctx.ticket_valid_until(booking.departure)
    )
    widget = QrPanel(ctx)
    qtbot.addWidget(widget)
    widget.set_ticket(booking, payload, render_png(payload))
    return widget


def test_ticket_pdf_is_80_mm_wide(panel, tmp_path):
    path = tmp_path / "ticket.pdf"
    panel.save_pdf(str(path))
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[\s*([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", data)
    width_mm = (float(box.group(3)) - float(box.group(1))) / 72 * 25.4
    assert abs(width_mm - 80) < 1


def test_the_printed_qr_reads_back_at_thermal_resolution_with_level_q(ctx, panel):
    image = ticket.render_image(panel.ticket(), dpi=203)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    found = read_barcodes(Image.open(BytesIO(bytes(buffer.data()))))
    assert found and found[0].ec_level == "Q"
    check = verify(found[0].text, ctx.public_keys)
    assert check.ok and check.booking_number == panel.number.text()


def test_saved_png_is_the_signed_ticket(ctx, panel, tmp_path):
    path = tmp_path / "qr.png"
    panel.save_png(str(path))
    text = read_barcodes(Image.open(BytesIO(path.read_bytes())))[0].text
    check = verify(text, ctx.public_keys)
    assert check.ok and check.booking_number == panel.number.text() and check.plate == "B123ABC"


def test_buttons_wait_for_a_ticket(qtbot, ctx):
    empty = QrPanel(ctx)
    qtbot.addWidget(empty)
    assert not empty.print_button.isEnabled() and not empty.show_button.isEnabled()


def test_show_to_client_opens_full_screen_and_esc_closes(qtbot, panel):
    panel.show_to_client()
    view = panel.fullscreen
    qtbot.waitExposed(view)
    assert view.isFullScreen() and view.number.text() == panel.number.text()
    qtbot.keyClick(view, "\x1b")
    qtbot.waitUntil(lambda: panel.fullscreen is None, timeout=3000)


class _Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


@pytest.fixture
def smtp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port, ready_timeout=5)
    controller.start()
    yield port
    controller.stop()


def test_test_connection_runs_in_the_background(qtbot, ctx, smtp_port):
    dialog = SettingsDialog(ctx, None)
    qtbot.addWidget(dialog)
    box = dialog.smtp
    box.host.setText("127.0.0.1")
    box.port.setValue(smtp_port)
    box.security.setCurrentText("none")
    box.test_connection()
    qtbot.waitUntil(lambda: box.result.property("ok") is True, timeout=10_000)
    assert box.result.text() == "Connected and logged in."


def test_test_connection_reports_a_refused_server(qtbot, ctx):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    dialog = SettingsDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.smtp.host.setText("127.0.0.1")
    dialog.smtp.port.setValue(closed)
    dialog.smtp.security.setCurrentText("none")
    dialog.smtp.test_connection()
    qtbot.waitUntil(lambda: dialog.smtp.result.property("ok") is False, timeout=30_000)
    assert dialog.smtp.result.text().startswith("Failed:")


def test_settings_are_saved_with_the_password_masked_and_no_pin_to_set(qtbot, ctx, tmp_path):
    path = tmp_path / "settings.toml"
    ctx.session.sign_in(Person("maria", "Maria", Role.SUPERVISOR))
    dialog = SettingsDialog(ctx, path)
    qtbot.addWidget(dialog)
    assert dialog.smtp.password.echoMode() == QLineEdit.EchoMode.Password
    dialog.site_name.setText("Parcare Băneasa")
    dialog.smtp.host.setText("smtp.example.com")
    dialog.smtp.user.setText("desk@example.com")
    dialog.smtp.password.setText("app-password-123")
    dialog.interval.setValue(45)
    dialog.run_in_app.setChecked(False)
    dialog.operator.setText("Birou Sosiri")
    # PINs belong to each person's account now: the dialog offers none to set.
    assert not [w for w in dialog.findChildren(QLabel) if "PIN" in w.text()]
    dialog.accept()
    raw = path.read_text(encoding="utf-8")
    saved = load_settings(path, env={})
    assert saved.desk.site_name == "Parcare Băneasa"
    assert saved.worker.drain_interval_s == 45 and saved.worker.run_in_app is False
    assert saved.smtp.host == "smtp.example.com"
    assert saved.desk.operator == "Birou Sosiri"  # the desk's name in the signing keys
    assert saved.security.supervisor_pin_hash == ""
    assert tomllib.loads(raw)["smtp"]["user"] == "desk@example.com"


def test_only_a_supervisor_may_change_settings(qtbot, ctx, tmp_path):
    path = tmp_path / "settings.toml"
    dialog = SettingsDialog(ctx, path)  # Ana, staff, is signed in
    qtbot.addWidget(dialog)
    dialog.site_name.setText("Parcare Otopeni")
    dialog.accept()
    assert dialog.error.text() == "Sign in as a supervisor to change settings."
    assert not path.exists()
    ctx.session.sign_in(Person("maria", "Maria", Role.SUPERVISOR))
    dialog.accept()
    assert load_settings(path, env={}).desk.site_name == "Parcare Otopeni"


def test_saving_writes_only_what_changed_never_a_password_from_the_environment(
    qtbot, ctx, tmp_path
):
    from parking_desk.config import SmtpSettings

    path = tmp_path / "settings.toml"
    path.write_text('[desk]\nprinter = "TM-T20"\n', encoding="utf-8")
    ctx.session.sign_in(Person("maria", "Maria", Role.SUPERVISOR))
    ctx.settings.smtp = SmtpSettings(
        host="smtp.gmail.com", user="desk@example.com", password="from-the-environment"
    )
    dialog = SettingsDialog(ctx, path)
    qtbot.addWidget(dialog)
    dialog.site_name.setText("Parcare Cluj")
    dialog.accept()
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved == {"desk": {"printer": "TM-T20", "site_name": "Parcare Cluj"}}
    assert path.stat().st_mode & 0o777 == 0o600
