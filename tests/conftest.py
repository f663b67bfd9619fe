"""Shared fixtures: the offscreen Qt platform and the real Cloud Firestore emulator."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import contextlib
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

EMULATOR_PROJECT = "parking-desk-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _emulator_command(port: int) -> list[str] | None:
    if shutil.which("gcloud"):
        return [
            "gcloud",
            "emulators",
            "firestore",
            "start",
            f"--host-port=127.0.0.1:{port}",
            "--quiet",
        ]
    return None


class FirestoreEmulator:
    """A running emulator in its own process group (killing only the launcher would leave
    the Java server behind)."""

    def __init__(self, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.proc = proc
        self.log = log
        self.project = EMULATOR_PROJECT

    def reset(self) -> None:
        url = (
            f"http://{self.host}/emulator/v1/projects/{self.project}/databases/(default)/documents"
        )
        # The first request after start can be slow on a loaded machine (the JVM warms up).
        deadline = time.monotonic() + 90
        while True:
            try:
                request = urllib.request.Request(url, method="DELETE")
                urllib.request.urlopen(request, timeout=30).read()
                return
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def pause(self) -> None:
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)


def start_emulator(tmp_dir: Path) -> FirestoreEmulator:
    port = free_port()
    cmd = _emulator_command(port)
    if cmd is None:
        raise RuntimeError("gcloud not found: install google-cloud-cli-firestore-emulator")
    log = tmp_dir / "firestore-emulator.log"
    proc = subprocess.Popen(
        cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    emu = FirestoreEmulator(port, proc, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"http://{emu.host}/", timeout=1).read()
            return emu
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    emu.stop()
    raise RuntimeError(
        f"Firestore emulator did not start: {log.read_text(errors='replace')[-2000:]}"
    )


@pytest.fixture(scope="session")
def firestore_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirestoreEmulator]:
    try:
        emu = start_emulator(tmp_path_factory.mktemp("emulator"))
    except RuntimeError as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs the Firestore emulator: {exc}")
        pytest.skip(f"Firestore emulator unavailable: {exc}")
    os.environ["FIRESTORE_EMULATOR_HOST"] = emu.host
    try:
        yield emu
    finally:
        emu.stop()
        os.environ.pop("FIRESTORE_EMULATOR_HOST", None)


@pytest.fixture
def firestore_db(firestore_emulator: FirestoreEmulator) -> Iterator[FirestoreEmulator]:
    """The emulator, emptied before the test."""
    firestore_emulator.reset()
    yield firestore_emulator
