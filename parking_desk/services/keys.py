"""The machine's Ed25519 ticket-signing key on disk, and public keys exported for gates.

The private key lives in the user's data folder with mode 0600; whoever can read it can
issue tickets. It never leaves the machine: other desks, workers and gates learn its public
half from the site's key ring (``key_ring.py``). Two desk processes starting at once on a
fresh machine must end up with the same key, so a new key is published with a hard link
that fails if another got there first.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from parking_desk.file_modes import private_dir

log = logging.getLogger(__name__)


class KeyFileError(ValueError):
    """A key file that exists but does not hold an Ed25519 key (never silently replaced)."""


def key_id(public_key: Ed25519PublicKey) -> str:
    """Eight base32 characters naming a public key, so a verifier picks the right one."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b32encode(hashlib.sha256(raw).digest()[:5]).decode("ascii")


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes | str) -> Ed25519PublicKey:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise KeyFileError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"not an Ed25519 public key: {type(key).__name__}")
    return key


def _tighten(path: Path) -> None:
    """A key others can read lets them print valid tickets: make it owner-only again."""
    if os.name != "posix":
        return
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("QR signing key %s was readable by others (mode %o); now 0600", path, mode)
        os.chmod(path, 0o600)


def _read_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not a readable PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key ({type(key).__name__})")
    return key


def read_private_key(path: Path) -> Ed25519PrivateKey | None:
    """The key at *path*, or None if there is none yet: for checks that must create nothing
    (``doctor``, ``ticket verify``)."""
    path = Path(path)
    return _read_private_key(path) if path.exists() else None


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """The key at *path*; a new one is generated and saved (mode 0600) if there is none."""
    path = Path(path)
    if path.exists():
        key = _read_private_key(path)
        _tighten(path)
        return key
    private_dir(path.parent)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp = tempfile.mkstemp(prefix=".key-", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_private_key(path)  # another process created it first: use theirs
        except OSError:  # a file system without hard links: exclusive create instead
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return _read_private_key(path)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return key


def write_public_key(public_key: Ed25519PublicKey, path: Path) -> Path:
    """Export the public half for gates and other desks; it is not secret."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(public_key_pem(public_key))
    return path
