"""A normal install works: the wheel built from the project, installed into a fresh virtual
environment, carries the templates, the compiled translations, the icons and the Firestore
indexes, and its ``parking-desk worker --once`` sends a booking's confirmation rendered from
those templates. And requirements.lock, which ``make``, CI and the bundle install from, pins
every requirement pyproject.toml names, each with its hashes."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import tomllib
import zipfile
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from packaging.requirements import Requirement

from parking_desk.booking import Booking
from parking_desk.services.store.sqlite.store import SqliteStore

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# What the wheel is built from; build/, dist/ and .venv are outputs, not sources.
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "parking_desk", "packaging"]


# --- the lock -------------------------------------------------------------------------


def locked() -> dict[str, tuple[str, int]]:
    """Normalised name -> (pinned version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            name = normalise(match.group(1))
            pins[name] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_lock_pins_every_requirement_with_hashes() -> None:
    project = normalise(PYPROJECT["project"]["name"])
    wanted = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"test", "lint", "bundle", "dev"} <= set(extras)
    wanted += [Requirement(r) for group in extras.values() for r in group]
    pins = locked()
    assert pins and all(hashes for _version, hashes in pins.values()), "every pin has hashes"
    stale = []
    for requirement in wanted:
        if normalise(requirement.name) == project:  # dev = test + lint + bundle
            continue
        version, _hashes = pins.get(normalise(requirement.name), ("", 0))
        if not version or not requirement.specifier.contains(version, prereleases=True):
            stale.append(f"{requirement} (locked: {version or 'absent'})")
    assert not stale, f"requirements.lock is behind pyproject.toml, run `make lock`: {stale}"


def test_dev_is_the_union_of_the_purposes() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert extras["dev"] == ["parking-desk[test,lint,bundle]"]


# --- the wheel, installed -------------------------------------------------------------


class Inbox:
    """An SMTP server's handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], **kw) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=240, check=False, **kw)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def pip(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    """pip from this venv, never reaching an index: what it installs is a file named here."""
    return run([sys.executable, "-m", "pip", *args, "-q", "--no-index"], **kw)


def build_wheel(tmp_path: Path) -> Path:
    """From a copy of the sources, so the shared tree gets no build/ or egg-info; without
    build isolation, so no network: setuptools and PySide6's lrelease come from this venv."""
    source = tmp_path / "src"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    # The .ts sources only: the build compiles what `make translations` has not.
    translations = source / "resources" / "translations"
    translations.mkdir(parents=True)
    for ts in (ROOT / "resources" / "translations").glob("*.ts"):
        shutil.copy2(ts, translations / ts.name)
    for name in ("templates", "icons"):
        shutil.copytree(ROOT / "resources" / name, source / "resources" / name)
    shutil.copy2(ROOT / "resources" / "firestore.indexes.json", source / "resources")
    wheels = tmp_path / "wheels"
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source), cwd=tmp_path)
    (wheel,) = wheels.glob("parking_desk-*.whl")
    return wheel


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed from the file alone. Its
    dependencies are this venv's, seen through a .pth line (offline; the .pth files in that
    folder, among them the editable install of the checkout, are not read from there)."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib.stdout.strip(), "shared_dependencies.pth").write_text(
        "\n".join(sorted(shared)) + "\n", encoding="utf-8"
    )
    pip("--python", str(python), "install", "--no-deps", str(wheel))
    return venv


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PARKING_DESK_", "GMAIL_", "GOOGLE_", "FIRESTORE_", "PYTHON"))
        and not k.startswith("XDG_")
    }
    home = tmp_path / "home"
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
    )
    return env


@pytest.mark.timeout(600)
def test_installed_wheel_sends_a_confirmation_from_its_templates(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "templates/confirmation.txt",
        "templates/confirmation.html",
        "templates/cancellation.txt",
        "translations/desk_ro.qm",
        "translations/console_ro.qm",
        "icons/parking-desk.svg",
        "firestore.indexes.json",
    ):
        assert f"parking_desk/_resources/{shipped}" in names, f"the wheel lacks {shipped}"

    venv = fresh_venv(tmp_path, wheel)
    env = clean_env(tmp_path)
    where = run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import parking_desk, parking_desk.resources as r; "
            "print(parking_desk.__file__); print(r.resource_path('templates', 'confirmation.txt'))",
        ],
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), f"not the installed copy: {where}"

    arrival = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    store = SqliteStore(tmp_path / "store.db")
    try:
        made, _task = store.create_booking(
            Booking(
                client_name="Ștefan Țurcanu",
                client_email="stefan@client.example",
                phone="+40 722 123 456",
                plate="B 123 ABC",
                arrival=arrival,
                departure=arrival + timedelta(days=5),
            )
        )
    finally:
        store.close()

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=5.0)
    controller.start()
    try:
        env.update(
            PARKING_DESK_CONFIG=str(tmp_path / "absent.toml"),
            PARKING_DESK_STORE="sqlite",
            PARKING_DESK_SQLITE_PATH=str(tmp_path / "store.db"),
            PARKING_DESK_SMTP_HOST="127.0.0.1",
            PARKING_DESK_SMTP_PORT=str(port),
            PARKING_DESK_SMTP_SECURITY="none",
            PARKING_DESK_MAIL_FROM="Parcare Otopeni <rezervari@parcare.example>",
            PARKING_DESK_QR_KEY=str(tmp_path / "key.pem"),
            PARKING_DESK_LOG_DIR=str(tmp_path / "log"),
        )
        command = [str(venv / "bin" / "parking-desk"), "worker", "--once"]
        worker = run(command, cwd=tmp_path, env=env)
    finally:
        controller.stop()

    assert "1 claimed, 1 completed" in worker.stdout, worker.stdout + worker.stderr
    (message,) = inbox.messages
    assert message["Subject"] == f"Confirmare rezervare #{made.booking_number}"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    # The shape of confirmation.txt (the number on its own labelled line, the name after the
    # greeting) and the QR that confirmation.html places by its Content-ID.
    lines = text.get_content().splitlines()
    assert lines[0].endswith(" Ștefan Țurcanu,"), lines[0]
    assert any(re.fullmatch(rf"\S.*: #{made.booking_number}", line) for line in lines), lines
    assert 'src="cid:' in html.get_content()
    assert any(part.get_content_type() == "image/png" for part in message.walk())
