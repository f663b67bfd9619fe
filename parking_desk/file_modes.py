"""Private files: what Parking Desk writes (the database, the outbox, the logs, the settings
and the signing key) holds clients' personal data or secrets, so it is created 0600 in
folders created 0700, whatever the umask. Folders that already exist are left as they are
(a data folder may be shared on purpose; ``~`` is not ours to change).

Also the start-up check of the settings file: readable by others while it holds a secret.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tomllib
from pathlib import Path

from parking_desk.messages import message

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

# Keys of the settings file whose value is a secret (section, key).
SECRET_KEYS = (
    ("smtp", "password"),
    ("smtp_backup", "password"),
    ("webhook", "secret"),
    ("security", "supervisor_pin_hash"),
)


def private_dir(path: Path) -> Path:
    """``mkdir -p`` where every folder created here is 0700."""
    path = Path(path)
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, PRIVATE_DIR)  # the umask may have taken bits we meant to set
    return path


def private_file(path: Path) -> Path:
    """Create *path* empty with mode 0600 (and its folder 0700) if it does not exist yet;
    an existing file is not touched."""
    path = Path(path)
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)
        finally:
            os.close(fd)
    return path


def open_private(path: str | os.PathLike[str], flags: int) -> int:
    """An ``opener`` for ``open()``: a file it creates is 0600."""
    return os.open(path, flags, PRIVATE_FILE)


def exposed_secrets(path: Path) -> list[str]:
    """The secret settings (``smtp.password``…) held by the file at *path* when others than
    its owner may read it; empty when the file is private, absent or holds none."""
    try:
        mode = os.stat(path).st_mode
        if not mode & (stat.S_IRGRP | stat.S_IROTH):
            return []
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = []
    for section, key in SECRET_KEYS:
        table = data.get(section)
        if isinstance(table, dict) and table.get(key):
            found.append(f"{section}.{key}")
    return found


def settings_warning(path: Path, lang: str = "en") -> str | None:
    """The one-line start-up warning for a settings file others can read while it holds a
    secret, in *lang*; None when there is nothing to warn about."""
    exposed = exposed_secrets(path)
    if not exposed:
        return None
    return message("settings.exposed", lang, path=str(path), secrets=", ".join(exposed))
