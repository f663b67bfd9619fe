"""Machines of one site for the key-ring tests: data folders, CLI runs in their own process,
the ticket inside an e-mail the worker wrote, and a supervisor session."""

from __future__ import annotations

import email
import io
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import zxingcpp
from PIL import Image

from parking_desk.services import roles


def machine_env(site: Path, name: str, **extra: str) -> dict[str, str]:
    """The settings of one machine: its own data folder (key, outbox, logs, ring copy), the
    site's store, and its desk name in a settings file."""
    folder = site / name.replace(" ", "-").lower()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "settings.toml"
    config.write_text(f'[desk]\noperator = "{name}"\n', encoding="utf-8")
    env = {
        "PARKING_DESK_CONFIG": str(config),
        "PARKING_DESK_SQLITE_PATH": str(site / "site.db"),
        "PARKING_DESK_OUTBOX_DIR": str(folder / "outbox"),
        "PARKING_DESK_MAIL_TRANSPORT": "outbox",
        "PARKING_DESK_QR_KEY": str(folder / "qr-signing-key.pem"),
        "PARKING_DESK_LOG_DIR": str(folder / "log"),
        "PARKING_DESK_LANG": "en",
    }
    env.update(extra)
    return env


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """``parking-desk ARGS`` in a process of its own, as another machine would run it."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("PARKING_DESK_")} | env
    return subprocess.run(
        [sys.executable, "-m", "parking_desk", *args],
        env=full,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sign_in_process(env: dict[str, str], number: str, plate: str, valid_until_iso: str) -> str:
    """A ticket signed by the machine of *env* with its own key, in its own process."""
    code = (
        "import sys\n"
        "from datetime import datetime\n"
        "from parking_desk.services.qr import QrSigner\n"
        "signer = QrSigner.load_or_create(sys.argv[1])\n"
        "print(signer.payload(sys.argv[2], sys.argv[3], datetime.fromisoformat(sys.argv[4])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, env["PARKING_DESK_QR_KEY"], number, plate, valid_until_iso],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def tickets_in_outbox(outbox: Path) -> list[str]:
    """The text of the QR code attached to each e-mail the worker left in *outbox*."""
    found = []
    for path in sorted(outbox.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for part in msg.walk():
            if part.get_content_type() == "image/png" and part.get_filename():
                png = part.get_content()
                [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
                found.append(code.text)
    return found


def supervisor_session(name: str = "Maria") -> roles.RoleSession:
    """A signed-in supervisor, whichever sign-in the roles module offers."""
    person = getattr(roles, "Person", None)
    if person is not None:
        return roles.RoleSession(person(name.lower(), name, roles.Role.SUPERVISOR))
    session = roles.RoleSession(roles.hash_pin("2468"), operator=name)  # type: ignore[call-arg]
    assert session.unlock("2468")  # type: ignore[attr-defined]
    return session


def staff_session(name: str = "Ion") -> roles.RoleSession:
    person = getattr(roles, "Person", None)
    if person is not None:
        return roles.RoleSession(person(name.lower(), name, roles.Role.STAFF))
    return roles.RoleSession(None, operator=name)  # type: ignore[call-arg]
