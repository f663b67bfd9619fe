"""``parking-desk export-public-key`` and ``parking-desk ticket verify``: the gate's side
(the CLI parses, this runs them).

A gate is a machine with no private key and, often, no store: it gets the site's ring as a
file from ``export-public-key`` (run on any desk or worker of the site) and checks each
ticket with ``ticket verify``, which prints the verdict and the booking number and exits 0
only for a valid ticket. Without ``--keys`` it uses the local copy of the ring that a desk
keeps in its data folder. Neither command creates anything on a machine without a key,
apart from the export, which publishes this machine's key first, as the desk would.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from parking_desk.config import Settings
from parking_desk.messages import message
from parking_desk.services.key_ring import (
    KeyRing,
    KeyRingError,
    SigningKey,
    check_ticket,
    key_store,
    machine_name,
    own_key,
    publish_own_key,
    read_ring_file,
    ring_cache_path,
    ring_pem,
    write_ring_file,
)
from parking_desk.services.keys import read_private_key
from parking_desk.services.qr import QrSigner

OK, FAILED, USAGE = 0, 1, 2


def export_ring(
    settings: Settings,
    file: Path | None,
    lang: str,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Write the site's trusted keys (a PEM bundle; JSON for a ``.json`` name) to *file*,
    or to standard output. A folder that does not exist is a mistake, not a new folder."""
    out, err = out or sys.stdout, err or sys.stderr
    if file is not None and not Path(file).parent.is_dir():
        print(message("error.export_folder_missing", lang, folder=Path(file).parent), file=err)
        return USAGE
    from parking_desk.services.runtime import open_store

    signer = QrSigner.load_or_create(settings.qr.key_path)
    own = own_key(signer, machine_name(settings.desk.operator))
    store = open_store(settings)
    try:
        publish_own_key(store, own)
        keys = key_store(store).signing_keys()
    finally:
        store.close()
    KeyRing.load(ring_cache_path(settings.qr.key_path), own=own).replace(keys)
    trusted = sum(1 for k in keys if not k.revoked)
    if file is None:
        out.write(ring_pem(keys))
    else:
        write_ring_file(keys, Path(file))
        print(f"{trusted} trusted key(s) of the site's ring written to {file}", file=out)
    return OK


def local_keys(settings: Settings) -> list[SigningKey]:
    """The ring as this machine last saw it, and its own key if it has one (never made)."""
    keys: list[SigningKey] = []
    cache = ring_cache_path(settings.qr.key_path)
    if cache.exists():
        keys = read_ring_file(cache)
    private = read_private_key(settings.qr.key_path)
    if private is not None:
        own = own_key(QrSigner(private), machine_name(settings.desk.operator))
        if all(k.kid != own.kid for k in keys):
            keys.append(own)
    return keys


def verify_ticket(
    text: str | None,
    keys_file: Path | None,
    settings: Settings,
    lang: str,
    *,
    read_stdin: Callable[[], str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print ``<verdict> <booking number>`` and the reason in words; 0 only if valid."""
    out, err = out or sys.stdout, err or sys.stderr
    payload = text if text is not None else (read_stdin or sys.stdin.read)()
    try:
        keys = read_ring_file(keys_file) if keys_file is not None else local_keys(settings)
    except KeyRingError as exc:
        print(exc.translated(lang), file=err)
        return USAGE
    if not keys:
        print(message("error.no_key_ring", lang), file=err)
        return USAGE
    verdict = check_ticket(payload.strip(), keys)
    print(f"{verdict.status} {verdict.booking_number or '-'}", file=out)
    print(verdict.text(lang), file=out)
    return OK if verdict.ok else FAILED
