"""`make run` on a Linux machine without one of the libraries Qt's X11 plugin loads says which
package to install, instead of Qt's abort that names xcb-cursor0 whatever is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parking_desk.ui.app import XCB_PLUGIN, xcb_chosen

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 on Linux")


def sandbox(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "XDG_", "WAYLAND"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        **extra,
    )
    return env


def test_a_missing_library_is_named_with_its_package(tmp_path: Path) -> None:
    """A loader that cannot find libxcb-icccm (as on a bare Debian with Qt from the wheel)."""
    assert XCB_PLUGIN.is_file()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ldd = bin_dir / "ldd"
    ldd.write_text(
        "#!/bin/sh\n"
        "printf '\\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x1)\\n'\n"
        "printf '\\tlibxcb-icccm.so.4 => not found\\n'\n"
    )
    ldd.chmod(0o755)
    env = sandbox(
        tmp_path,
        QT_QPA_PLATFORM="xcb",
        DISPLAY=":99",
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
    )
    result = subprocess.run(
        [sys.executable, "-m", "parking_desk"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "sudo apt-get install libxcb-icccm4\n" in result.stderr + "\n"
    assert "libxcb-icccm.so.4" in result.stderr
    assert "xcb-cursor" not in result.stderr  # neither Qt's message nor a library that is there
    assert "lipsesc bibliotecile" in result.stderr  # Romanian first, then English


@pytest.mark.parametrize(
    ("env", "chosen"),
    [
        ({}, True),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, False),
        (
            {
                "WAYLAND_DISPLAY": "wayland-0",
                "XDG_SESSION_TYPE": "wayland",
                "QT_QPA_PLATFORM": "xcb",
            },
            True,
        ),
    ],
)
def test_the_check_runs_only_when_qt_would_load_xcb(env: dict[str, str], chosen: bool) -> None:
    assert xcb_chosen(env) is chosen
