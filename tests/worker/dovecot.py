"""A real IMAP server for the bounce tests: Dovecot (Debian's ``dovecot-imapd``) started by
the test session on a free loopback port, in the foreground, in its own process group, with
its own configuration, a passwd-file of users and maildirs in a temporary folder. Each test
gets a user (so a mailbox) of its own. Without Dovecot the tests skip, and fail under CI.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from parking_desk.config import ImapSettings

DOVECOT = "/usr/sbin/dovecot"
USERS = 200  # mailboxes for one session; Dovecot caches the passwd-file it read


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        # Dovecot refuses to run its login and mail processes as root.
        login, internal = "dovenull", "dovecot"
        mail = pwd.getpwnam("nobody")
    else:
        login = internal = pwd.getpwuid(os.getuid()).pw_name
        mail = pwd.getpwuid(os.getuid())
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {internal}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {internal}
  }}
  unix_listener stats-writer {{
    user = {internal}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={root}/mail/%u
}}
"""


@dataclass
class ImapServer:
    root: Path
    port: int
    proc: subprocess.Popen[bytes]

    users: list[tuple[str, str]]

    def new_user(self) -> ImapSettings:
        """A fresh mailbox: the next of the users written before the server started."""
        user, password = self.users.pop()
        return ImapSettings(
            host="127.0.0.1",
            port=self.port,
            security="none",
            user=user,
            password=password,
            timeout_s=10.0,
        )

    def client(self, settings: ImapSettings) -> IMAPClient:
        client = IMAPClient(settings.host, port=settings.port, ssl=False, timeout=10)
        client.login(settings.user, settings.password)
        return client

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)


def start_dovecot() -> ImapServer:
    if not Path(DOVECOT).exists():
        raise RuntimeError("dovecot not found: apt-get install dovecot-imapd")
    # Not under pytest's 0700 temporary folder: Dovecot's own users must reach the maildirs.
    root = Path(tempfile.mkdtemp(prefix="pd-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root / "mail", nobody.pw_uid, nobody.pw_gid)
    users = [
        (f"desk-{i}-{uuid.uuid4().hex[:6]}@lot.example", uuid.uuid4().hex) for i in range(USERS)
    ]
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users))
    port = _free_port()
    (root / "dovecot.conf").write_text(_config(root, port))
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=(root / "stdout.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = ImapServer(root, port, proc, users)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(64).startswith(b"* OK"):
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    log = root / "dovecot.log"
    raise RuntimeError(f"Dovecot did not start: {log.read_text() if log.exists() else ''}")


def dovecot_session() -> Iterator[ImapServer]:
    """The body of a session fixture: the running server, stopped at the end."""
    try:
        server = start_dovecot()
    except RuntimeError as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs the IMAP server: {exc}")
        pytest.skip(f"IMAP server unavailable: {exc}")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
