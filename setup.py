"""The wheel carries what the installed program reads at run time: the e-mail templates, the
compiled translations, the icons and the Firestore indexes, as package data under
``parking_desk/_resources/`` (where ``parking_desk.resources`` looks first). In the source tree
they stay in ``resources/``, outside the package, where a checkout, an editable install and the
PyInstaller spec find them. Everything else about the project is in pyproject.toml.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RESOURCES = ROOT / "resources"
SPEC = ROOT / "packaging" / "parking-desk.spec"
# Besides what the desk bundle ships: the indexes a worker server deploys to Firestore.
EXTRA_RESOURCES = [("firestore.indexes.json", "", True)]


def shipped_resources() -> list[tuple[str, str, bool]]:
    """The spec's SHIPPED_RESOURCES (folder, pattern, required): one list for both."""
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SHIPPED_RESOURCES" for t in node.targets
        ):
            return list(ast.literal_eval(node.value)) + EXTRA_RESOURCES
    raise SystemExit(f"packaging: SHIPPED_RESOURCES is not assigned in {SPEC}")


def lrelease() -> list[str] | None:
    """Qt's lrelease, from PySide6 in the building Python or on PATH."""
    try:
        import PySide6.scripts.pyside_tool  # noqa: F401
    except ImportError:
        found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
        return [found] if found else None
    return [sys.executable, "-c", "from PySide6.scripts.pyside_tool import lrelease; lrelease()"]


def compile_translations(target: Path) -> None:
    """A .qm for every .ts: the one `make translations` made if it is up to date, otherwise
    compiled here into the build folder (the source tree is left as it is)."""
    target.mkdir(parents=True, exist_ok=True)
    tool = None
    for ts in sorted((RESOURCES / "translations").glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.is_file() and qm.stat().st_mtime >= ts.stat().st_mtime:
            shutil.copy2(qm, target / qm.name)
            continue
        tool = tool or lrelease()
        if tool is None:
            raise SystemExit(
                f"packaging: {qm.relative_to(ROOT)} is missing or older than its .ts and no "
                "lrelease is at hand: run `make translations`, or build with PySide6 installed"
            )
        subprocess.run([*tool, "-silent", str(ts), "-qm", str(target / qm.name)], check=True)


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads resources/ in the tree
            return
        target = Path(self.build_lib) / "parking_desk" / "_resources"
        shutil.rmtree(target, ignore_errors=True)
        for name, pattern, required in shipped_resources():
            if name == "translations" and pattern == "*.qm":
                compile_translations(target / name)
                continue
            source = RESOURCES / name
            matches = sorted(source.glob(pattern)) if pattern else [source]
            matches = [path for path in matches if path.is_file()]
            if required and not matches:
                raise SystemExit(f"packaging: nothing matches resources/{name}/{pattern}")
            for path in matches:
                dest = target / path.relative_to(RESOURCES)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


setup(cmdclass={"build_py": BuildPyWithResources})
