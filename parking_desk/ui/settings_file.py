"""Write only what the user changed into settings.toml.

Settings in memory include values from environment variables (an SMTP password from
``GMAIL_APP_PASSWORD``, a project from ``GOOGLE_CLOUD_PROJECT``). Saving the whole object would
copy those into the file; patching the changed keys keeps the file exactly as the user made it.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from parking_desk.config import Settings, settings_to_dict
from parking_desk.file_modes import private_dir

Patch = dict[str, dict[str, Any] | None]  # section -> changed keys, or None to drop it


def changed_keys(before: Settings, after: Settings) -> Patch:
    old, new = settings_to_dict(before), settings_to_dict(after)
    patch: Patch = {}
    for section in set(old) | set(new):
        if section not in new:
            patch[section] = None
            continue
        keys = {k: v for k, v in new[section].items() if old.get(section, {}).get(k) != v}
        if keys:
            patch[section] = keys
    return patch


def patch_file(path: Path, patch: Patch) -> None:
    """Apply *patch* to the TOML file at *path*, atomically, leaving it mode 0600."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    for section, keys in patch.items():
        if keys is None:
            data.pop(section, None)
        else:
            table = data.setdefault(section, {})
            table.update({k: str(v) if isinstance(v, Path) else v for k, v in keys.items()})
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(tomli_w.dumps(data).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
