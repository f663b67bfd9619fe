"""Dependencies point inward: ui → services → domain. The worker, the CLI and the tests use
services without a display, so neither services nor the domain may import Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "parking_desk"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def non_ui_files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]


@pytest.mark.parametrize("path", non_ui_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_services_and_domain_never_import_qt(path: Path) -> None:
    qt = {m for m in imported_modules(path) if m.split(".")[0] in QT_MODULES}
    assert not qt, f"{path.name} imports {qt}"


@pytest.mark.parametrize("path", non_ui_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_services_and_domain_never_import_the_ui(path: Path) -> None:
    ui = {m for m in imported_modules(path) if m.startswith("parking_desk.ui")}
    if path.name in ("cli.py", "__main__.py"):
        return  # the entry point starts the GUI (lazily, inside a function)
    assert not ui, f"{path.name} imports {ui}"


def test_domain_never_imports_services() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.name in ("cli.py", "__main__.py"):
            continue
        services = {m for m in imported_modules(path) if m.startswith("parking_desk.services")}
        assert not services, f"{path.name} imports {services}"


def test_the_check_would_catch_a_qt_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from PySide6.QtCore import QObject\n")
    assert "PySide6.QtCore" in imported_modules(bad)
