"""Drop unwanted Qt plugins and translations from a PyInstaller analysis, with the libraries
that only those plugins needed.

PyInstaller resolves shared-library dependencies during the analysis, before a spec can
remove a plugin; dropping the GTK3 theme or the EGL platforms afterwards would leave
cairo, pango, QtNetwork and friends behind as orphans. A library is removed only when it
is reachable from a removed plugin and from nothing kept, so a library the app still links
is never lost.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from pathlib import PurePath

Entry = tuple[str, str, str]  # (destination in the bundle, source path, type code)

LIBRARY_TYPES = ("BINARY", "EXTENSION")


def _name(dest: str) -> str:
    return PurePath(dest.replace("\\", "/")).name


def _closure(
    roots: Iterable[Entry],
    by_name: dict[str, Entry],
    imports: Callable[[str], Iterable[tuple[str, str | None]]],
) -> set[str]:
    """Destination names of every bundled library reachable from the roots."""
    seen: set[str] = set()
    todo = [entry for entry in roots if entry[2] in LIBRARY_TYPES]
    while todo:
        dest, src, _ = todo.pop()
        if dest in seen:
            continue
        seen.add(dest)
        for name, _resolved in imports(src):
            found = by_name.get(_name(name))
            if found and found[0] not in seen:
                todo.append(found)
    return seen


def prune(
    binaries: list[Entry],
    unwanted: Callable[[str], bool],
    imports: Callable[[str], Iterable[tuple[str, str | None]]],
) -> tuple[list[Entry], list[Entry]]:
    """Split ``binaries`` into (kept, dropped): the unwanted entries plus their orphans."""
    by_name: dict[str, Entry] = {}
    for entry in binaries:
        if entry[2] in LIBRARY_TYPES:
            by_name.setdefault(_name(entry[0]), entry)
    removed = [entry for entry in binaries if unwanted(entry[0])]
    # Suspects: whatever a removed plugin reaches. Everything else kept is a root, and a
    # suspect survives when some root still reaches it.
    suspects = _closure(removed, by_name, imports)
    roots = [entry for entry in binaries if entry[0] not in suspects]
    from_roots = _closure(roots, by_name, imports)
    orphans = suspects - from_roots

    kept: list[Entry] = []
    dropped: list[Entry] = []
    for entry in binaries:
        if unwanted(entry[0]) or entry[0] in orphans:
            dropped.append(entry)
        else:
            kept.append(entry)
    return kept, dropped


def _link_target(entry: Entry) -> str:
    dest, target, _ = entry
    parent = posixpath.dirname(dest.replace("\\", "/"))
    return posixpath.normpath(posixpath.join(parent, target.replace("\\", "/")))


def drop_dangling_links(entries: list[Entry], dropped: list[Entry]) -> list[Entry]:
    """Remove the symbolic links (PyInstaller keeps them with the data) to dropped files."""
    gone = {entry[0].replace("\\", "/") for entry in dropped}
    return [e for e in entries if not (e[2] == "SYMLINK" and _link_target(e) in gone)]
