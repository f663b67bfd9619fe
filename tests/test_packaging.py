"""What ships: the PyInstaller spec carries every resource the code reads and no Qt module it
imports is left out; the desktop entry and the worker's systemd unit are valid and point at
real commands; the worker's environment file names only settings that exist; the icon PNGs
are the SVG as it is now. The last test builds the bundle and runs it (slow; the same check
as ``make bundle-check``)."""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from parking_desk import cli, config, settings_model

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "parking_desk"
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "parking-desk.spec"
DESKTOP = PACKAGING / "parking-desk.desktop"
UNIT = PACKAGING / "parking-desk-worker.service"
ENV_EXAMPLE = PACKAGING / "worker.env.example"
ICONS = ROOT / "resources" / "icons"

sys.path.insert(0, str(PACKAGING))
import bundle_prune  # noqa: E402


def spec_constant(name: str):
    """A literal assigned at the top of the spec (the spec itself only runs inside PyInstaller)."""
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in {SPEC.name}")


def python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def resource_folders_read_by_code() -> dict[str, Path]:
    """First argument of every resource_path("folder", ...) call, and what follows
    resources_root() / "folder"."""
    found: dict[str, Path] = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            first = None
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name == "resource_path" and node.args:
                    first = node.args[0]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                left = node.left
                if isinstance(left, ast.Call) and getattr(left.func, "id", "") == "resources_root":
                    first = node.right
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, path)
    return found


def qt_modules_imported_by_code() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
                if node.module == "PySide6":
                    names = [f"PySide6.{alias.name}" for alias in node.names]
            for name in names:
                if name.startswith("PySide6."):
                    found.setdefault(".".join(name.split(".")[:2]), path)
    return found


# --- the PyInstaller spec -------------------------------------------------------------


def test_spec_ships_every_resource_folder_the_code_reads() -> None:
    used = resource_folders_read_by_code()
    assert {"templates", "translations"} <= set(used), "the scan found the known readers"
    shipped = {name for name, _pattern, _required in spec_constant("SHIPPED_RESOURCES")}
    missing = {name: str(path.relative_to(ROOT)) for name, path in used.items()}
    missing = {k: v for k, v in missing.items() if k not in shipped}
    assert not missing, f"read by the code but not in SHIPPED_RESOURCES: {missing}"


def test_every_required_resource_exists_in_the_tree() -> None:
    for name, pattern, required in spec_constant("SHIPPED_RESOURCES"):
        if not required:
            continue
        folder = ROOT / "resources" / name
        if pattern == "*.qm":  # compiled by `make translations` from the .ts sources
            assert list(folder.glob("*.ts")), f"no .ts catalogue under {folder}"
            continue
        assert list(folder.glob(pattern)), f"nothing matches resources/{name}/{pattern}"


def test_spec_leaves_out_no_qt_module_the_code_imports() -> None:
    imported = qt_modules_imported_by_code()
    assert "PySide6.QtWidgets" in imported, "the scan found the GUI's imports"
    excluded = set(spec_constant("QT_EXCLUDES"))
    clash = {m: str(p.relative_to(ROOT)) for m, p in imported.items() if m in excluded}
    assert not clash, f"excluded from the bundle but imported: {clash}"


def test_spec_leaves_out_no_library_the_code_imports() -> None:
    # An exclusion covers a module and its submodules: "PIL._avif" leaves "PIL" in.
    excluded = spec_constant("DEV_EXCLUDES")

    def covered(module: str) -> bool:
        return any(module == e or module.startswith(e + ".") for e in excluded)

    clash = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            clash.update({m: str(path.relative_to(ROOT)) for m in modules if covered(m)})
    assert not clash, f"excluded from the bundle but imported: {clash}"


def test_pruning_keeps_a_library_that_a_kept_module_still_needs() -> None:
    links = {
        "/src/libqgtk3.so": ["libgtk.so", "libshared.so"],
        "/src/libgtk.so": ["libcairo.so"],
        "/src/QtGui.so": ["libshared.so"],
    }
    binaries = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
        ("libgtk.so", "/src/libgtk.so", "BINARY"),
        ("libcairo.so", "/src/libcairo.so", "BINARY"),
        ("libshared.so", "/src/libshared.so", "BINARY"),
        ("PySide6/QtGui.so", "/src/QtGui.so", "EXTENSION"),
    ]
    datas = [("libgtk.so.3", "libgtk.so", "SYMLINK"), ("libshared.so.1", "libshared.so", "SYMLINK")]

    def imports(src: str):
        return [(name, None) for name in links.get(src, [])]

    kept, dropped = bundle_prune.prune(binaries, lambda d: "libqgtk3" in d, imports)
    assert {e[0] for e in dropped} == {
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "libgtk.so",
        "libcairo.so",
    }
    assert {e[0] for e in kept} == {"libshared.so", "PySide6/QtGui.so"}
    assert bundle_prune.drop_dangling_links(datas, dropped) == [datas[1]]


# --- the desktop entry ----------------------------------------------------------------


def desktop_entry() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive: Name[ro], TryExec
    parser.read(DESKTOP, encoding="utf-8")
    return parser


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
def test_desktop_entry_validates() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_desktop_entry_starts_the_installed_command_with_the_shipped_icon() -> None:
    entry = desktop_entry()
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert main["Exec"].split()[0] in scripts
    assert main["TryExec"] == main["Exec"].split()[0]
    assert (ICONS / f"{main['Icon']}.svg").is_file()
    assert main["Terminal"] == "false"


def test_desktop_entry_speaks_romanian_too() -> None:
    entry = desktop_entry()
    sections = [entry["Desktop Entry"]] + [
        entry[name] for name in entry.sections() if name.startswith("Desktop Action ")
    ]
    checked = 0
    for section in sections:
        for key in ("GenericName", "Comment", "Keywords", "Name"):
            if key == "Name" and section.name == "Desktop Entry":
                continue  # the product's name is the same in both languages
            if key in section:
                assert section.get(f"{key}[ro]", section[key]) != section[key], (
                    f"{section.name}: {key}[ro] missing or untranslated"
                )
                checked += 1
    assert checked >= 4


def test_desktop_actions_run_real_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    entry = desktop_entry()
    actions = [a for a in entry["Desktop Entry"]["Actions"].split(";") if a]
    assert actions
    for action in actions:
        command = entry[f"Desktop Action {action}"]["Exec"].split()
        assert cli.main([*command[1:], "--help"], env={}) == 0, f"{command} is not a subcommand"
    capsys.readouterr()


# --- the worker's systemd unit --------------------------------------------------------


def unit_lines(text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) in order; systemd allows a key more than once."""
    section, out = "", []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.append((section, key.strip(), value.strip()))
    return out


def unit_value(key: str) -> str:
    values = [v for s, k, v in unit_lines(UNIT.read_text()) if s == "Service" and k == key]
    assert values, f"{key}= missing from [Service]"
    return values[-1]


def verify_unit(text: str, tmp_path: Path) -> str:
    """systemd-analyze verify on a copy whose ExecStart points at an existing program (the
    real one exists only once the bundle is installed in /opt). Returns what it reported:
    systemd exits 0 on an unknown key or a bad value, and only says so."""
    real = re.sub(r"^ExecStart=\S+", f"ExecStart={sys.executable}", text, flags=re.M)
    copy = tmp_path / UNIT.name
    copy.write_text(real)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, check=False
    )
    report = (result.stdout + result.stderr).strip()
    return report if report or result.returncode == 0 else f"exit {result.returncode}"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze absent")
def test_worker_unit_verifies_cleanly(tmp_path: Path) -> None:
    assert verify_unit(UNIT.read_text(), tmp_path) == ""


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze absent")
def test_unit_check_would_catch_a_bad_setting(tmp_path: Path) -> None:
    broken = UNIT.read_text().replace("Restart=on-failure", "Restart=sometimes\nRestartz=no")
    report = verify_unit(broken, tmp_path)
    assert "sometimes" in report and "Restartz" in report


def test_worker_unit_restarts_on_failure_as_its_own_user_with_secrets_outside() -> None:
    assert unit_value("Restart") == "on-failure"
    # A wrong setting exits with the CLI's usage status; restarting would only repeat it.
    assert unit_value("RestartPreventExitStatus") == str(cli.USAGE)
    assert unit_value("User") not in ("", "root") and unit_value("User") == unit_value("Group")
    assert unit_value("EnvironmentFile").startswith("/etc/parking-desk/")
    command = unit_value("ExecStart").split()
    assert (
        Path(command[0]).name
        in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    )
    assert command[1:] == ["worker"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert unit_value(key) == value, key
    text = UNIT.read_text().lower()
    assert "password=" not in text and "secret=" not in text


def test_worker_unit_writes_only_where_systemd_lets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """ProtectSystem=strict makes everything read-only but the folders systemd manages, so
    the data and log folders the worker is pointed at must be exactly those."""
    env = dict(v.split("=", 1) for v in _unit_environment())
    monkeypatch.setenv("XDG_DATA_HOME", env["XDG_DATA_HOME"])
    assert settings_model.data_dir() == Path("/var/lib") / unit_value("StateDirectory")
    assert Path(env["PARKING_DESK_LOG_DIR"]) == Path("/var/log") / unit_value("LogsDirectory")
    assert env["PARKING_DESK_CONFIG"].startswith(
        str(Path("/etc") / unit_value("ConfigurationDirectory")) + "/"
    )


def _unit_environment() -> list[str]:
    return [v for s, k, v in unit_lines(UNIT.read_text()) if s == "Service" and k == "Environment"]


# --- the worker's environment file ----------------------------------------------------

ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$")


def named_variables(text: str) -> dict[str, tuple[str, bool]]:
    """Every VAR=value line, commented out or not: name -> (value, active)."""
    out = {}
    for line in text.splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            out[match.group(1)] = (match.group(2).strip(), not line.lstrip().startswith("#"))
    return out


def variables_read_by_code() -> set[str]:
    names = set(config.ENV_VARS)
    for path in python_files():
        names.update(
            re.findall(
                r"\b(PARKING_DESK_[A-Z_]+|GMAIL_[A-Z_]+|GOOGLE_[A-Z_]+)\b",
                path.read_text(encoding="utf-8"),
            )
        )
    return names


def test_environment_file_names_only_settings_that_exist() -> None:
    known = variables_read_by_code() | {"GOOGLE_APPLICATION_CREDENTIALS"}  # read by google-auth
    named = named_variables(ENV_EXAMPLE.read_text())
    assert len(named) >= 10
    unknown = sorted(set(named) - known)
    assert not unknown, f"not read by Parking Desk: {unknown}"
    unit_vars = {v.split("=", 1)[0] for v in _unit_environment()}
    unknown = sorted(v for v in unit_vars - known if not v.startswith("XDG_") and v != "HOME")
    assert not unknown, f"unit sets variables Parking Desk never reads: {unknown}"


def test_environment_file_as_shipped_loads_and_holds_no_secret(tmp_path: Path) -> None:
    named = named_variables(ENV_EXAMPLE.read_text())
    active = {name: value for name, (value, on) in named.items() if on}
    settings = config.load_settings(tmp_path / "absent.toml", env=active)
    assert settings.store.kind == active["PARKING_DESK_STORE"]
    secret_names = [n for n in named if n.endswith(("PASSWORD", "SECRET"))]
    assert secret_names, "the file shows where secrets go"
    assert all(named[n] == ("", False) for n in secret_names), "no secret value is shipped"


# --- the icon -------------------------------------------------------------------------


def test_icon_pngs_are_the_svg_as_it_is_now(qapp) -> None:
    import render_icons
    from PIL import Image
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(render_icons.SVG))
    assert renderer.isValid()
    for size in render_icons.SIZES:
        committed = Image.open(render_icons.png_path(size)).convert("RGBA")
        assert committed.size == (size, size)
        fresh = render_icons.render(renderer, size)
        for x, y in ((size // 2, size // 2), (size // 4, size // 3), (size - 3, size - 3)):
            pixel = fresh.pixelColor(x, y)
            expected = committed.getpixel((x, y))
            got = (pixel.red(), pixel.green(), pixel.blue(), pixel.alpha())
            assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) <= 3, (size, x, y)
    ico = Image.open(ICONS / "parking-desk.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])


# --- the self-test installers and CI run -----------------------------------------------


def sandbox_env(home: Path) -> dict[str, str]:
    """A user with no settings, store or keys yet, and no display but Qt's offscreen one."""
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_RUNTIME_DIR": str(runtime),
    }


def test_self_test_opens_the_desk_window_and_exits_0(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "parking_desk", "--self-test"],
        env=sandbox_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


# --- the bundle itself ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_bundle_builds_and_runs(tmp_path: Path) -> None:
    """packaging/smoke_test.sh (`make bundle-check`): a clean PyInstaller build, then the
    bundle's --version, --self-test, demo data drained to .eml files with their QR, and the
    gate key export. About 60 s of build on an idle two-core machine."""
    env = {
        **os.environ,
        "PY": sys.executable,
        "DIST": str(tmp_path / "dist"),
        "WORK": str(tmp_path / "build"),
    }
    try:
        result = subprocess.run(
            ["bash", str(PACKAGING / "smoke_test.sh")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=840,
            check=False,
        )
    finally:
        shutil.rmtree(tmp_path / "build", ignore_errors=True)
        shutil.rmtree(tmp_path / "dist", ignore_errors=True)
    summary = [line for line in result.stdout.splitlines() if line.startswith("bundle-check:")]
    assert result.returncode == 0, "\n".join(summary) + "\n" + result.stderr[-4000:]
    assert summary[-1] == "bundle-check: OK"
    sent = [m for line in summary if (m := re.search(r"(\d+) with their QR", line))]
    assert sent and int(sent[0].group(1)) >= 1, summary
