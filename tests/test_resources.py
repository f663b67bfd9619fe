"""Shipped files are found from a checkout and from inside a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from parking_desk.resources import resource_path


def test_templates_found_from_the_source_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARKING_DESK_RESOURCES", raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    html = resource_path("templates", "confirmation.html")
    assert html.is_file() and "cid:{{ qr_cid }}" in html.read_text(encoding="utf-8")


def test_inside_a_bundle_resources_come_from_meipass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARKING_DESK_RESOURCES", raising=False)
    (tmp_path / "resources" / "templates").mkdir(parents=True)
    (tmp_path / "resources" / "templates" / "confirmation.txt").write_text("bundled")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("templates", "confirmation.txt").read_text() == "bundled"
