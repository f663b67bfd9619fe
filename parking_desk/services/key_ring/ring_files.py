"""The ring as a file: the local copy (JSON) and the gate's export (JSON or a PEM bundle).

An exported ring names a revoked key without its public key, so no reader can trust it by
mistake; the local copy keeps it, so that its tickets are refused with the reason.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from parking_desk.services.key_ring.signing_key import KeyRingError, SigningKey, _when
from parking_desk.services.keys import KeyFileError, key_id, load_public_key
from parking_desk.timeutil import utcnow

CACHE_NAME = "site-keys.json"
RING_FORMAT = "parking-desk-key-ring/1"

_PEM_BLOCK = re.compile(
    r"-----BEGIN PUBLIC KEY-----\s+.*?-----END PUBLIC KEY-----\s*?\n?", re.DOTALL
)
_NOTE = re.compile(r"^# (key|revoked) (\S+)(?: (.*))?$", re.MULTILINE)


def ring_json(keys: Iterable[SigningKey], *, include_revoked_keys: bool = False) -> str:
    entries = []
    for key in keys:
        doc = key.to_document()
        doc["createdAt"] = key.created_at.isoformat()
        doc["revokedAt"] = key.revoked_at.isoformat() if key.revoked_at else None
        if key.revoked and not include_revoked_keys:
            doc["publicKey"] = ""  # named, not carried: nobody can trust it by mistake
        entries.append(doc)
    body = {"format": RING_FORMAT, "exportedAt": utcnow().isoformat(), "keys": entries}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def ring_pem(keys: Iterable[SigningKey]) -> str:
    """The trusted keys as PEM blocks any Ed25519 tool reads, each followed by a comment
    naming it; revoked keys as comments only."""
    out: list[str] = []
    for key in keys:
        created = key.created_at.isoformat()
        if key.revoked:
            revoked = key.revoked_at.isoformat() if key.revoked_at else ""
            out.append(
                f"# revoked {key.kid} machine={_quote(key.machine)} revokedAt={revoked} "
                f"revokedBy={_quote(key.revoked_by)}\n"
            )
            continue
        out.append(key.public_key_pem.strip() + "\n")
        out.append(f"# key {key.kid} machine={_quote(key.machine)} createdAt={created}\n")
    return "".join(out)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_ring_file(
    keys: Iterable[SigningKey], path: Path, *, include_revoked_keys: bool = False
) -> Path:
    """Write the ring atomically: JSON for a ``.json`` name, else a PEM bundle. The folder
    must exist (an export into a mistyped folder is an error, not a new folder)."""
    path = Path(path)
    text = (
        ring_json(keys, include_revoked_keys=include_revoked_keys)
        if path.suffix.lower() == ".json"
        else ring_pem(keys)
    )
    fd, tmp = tempfile.mkstemp(prefix=".ring-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def parse_ring(text: str) -> list[SigningKey]:
    """Keys from an exported ring or a local copy, JSON or PEM; raises ``KeyRingError``."""
    if text.lstrip().startswith("{"):
        try:
            body = json.loads(text)
            entries = body["keys"]
            keys = [SigningKey.from_document(dict(e)) for e in entries]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyRingError(path="", reason=str(exc)) from None
        for key in keys:
            if key.public_key_pem and key.public_key is None:
                raise KeyRingError(path="", reason=f"key {key.kid} is not an Ed25519 public key")
        return keys
    keys = []
    now = utcnow()
    notes = {m.group(2): m for m in _NOTE.finditer(text)}
    for block in _PEM_BLOCK.finditer(text):
        pem = block.group(0).strip()
        try:
            public = load_public_key(pem)
        except KeyFileError as exc:
            raise KeyRingError(path="", reason=str(exc)) from None
        kid = key_id(public)
        note = notes.get(kid)
        machine = _field_of(note.group(3), "machine") if note else ""
        created = _field_of(note.group(3), "createdAt") if note else ""
        keys.append(SigningKey(kid, pem + "\n", machine, _when(created) or now))
    for kid, note in notes.items():
        if note.group(1) == "revoked":
            revoked = _when(_field_of(note.group(3), "revokedAt")) or now
            machine = _field_of(note.group(3), "machine")
            by = _field_of(note.group(3), "revokedBy")
            keys.append(SigningKey(kid, "", machine, revoked, revoked_at=revoked, revoked_by=by))
    if not keys:
        raise KeyRingError(path="", reason="no public key in the file")
    return keys


def _field_of(rest: str | None, name: str) -> str:
    match = re.search(rf'{name}=("(?:[^"\\]|\\.)*"|\S*)', rest or "")
    if not match:
        return ""
    value = match.group(1)
    if value.startswith('"'):
        try:
            return str(json.loads(value))
        except ValueError:
            return ""
    return value


def read_ring_file(path: Path) -> list[SigningKey]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyRingError(path=str(path), reason=str(exc)) from None
    try:
        return parse_ring(text)
    except KeyRingError as exc:
        raise KeyRingError(path=str(path), reason=exc.params.get("reason", "")) from None


def ring_cache_path(key_path: Path) -> Path:
    """The local copy sits in the data folder, next to this machine's private key."""
    return Path(key_path).parent / CACHE_NAME
