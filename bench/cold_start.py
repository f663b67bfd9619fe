"""Cold start: from launching the desk process to a painted main window, and to a window
connected to its store with the in-app engine running (a booking can be saved).

Offscreen Qt, the embedded SQLite store, a fresh settings and data folder for every run.
Bytecode and the OS file cache are as the previous run left them: the first run is the
coldest one measured.

    .venv/bin/python bench/cold_start.py [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _harness as h


def one_start(env: dict[str, str]) -> tuple[float, float]:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("_desk_start.py"))],
        env=env,
        cwd=h.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    marks = dict(line.split()[:2] for line in out.stdout.splitlines() if line.split())
    if "shown" not in marks or "connected" not in marks:
        raise SystemExit(f"the desk did not start:\n{out.stdout}\n{out.stderr[-3000:]}")
    return float(marks["shown"]) - started, float(marks["connected"]) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 runs")
    args = parser.parse_args()
    if args.quick:
        args.runs = 3
    h.header("cold start of the desk (offscreen, SQLite)")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-start-"))
    settings = folder / "settings.toml"
    settings.write_text(
        f'[store]\nkind = "sqlite"\nsqlite_path = "{folder / "desk.db"}"\n'
        f'[qr]\nkey_path = "{folder / "qr-key.pem"}"\n'
        f'[mail]\noutbox_dir = "{folder / "outbox"}"\n',
        encoding="utf-8",
    )
    env = h.settings_env(settings)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(folder / "config"),
        XDG_DATA_HOME=str(folder / "data"),
    )
    shown, ready = [], []
    for run in range(args.runs):
        s, c = one_start(env)
        shown.append(s)
        ready.append(c)
        label = f"run {run + 1}"
        print(f"   {label:<26} window painted {s * 1000:6.0f} ms, connected {c * 1000:6.0f} ms")
    warm_shown, warm_ready = (
        statistics.median(shown[1:] or shown),
        statistics.median(ready[1:] or ready),
    )
    print(
        f"   median of warm runs: painted {warm_shown * 1000:.0f} ms, "
        f"connected {warm_ready * 1000:.0f} ms"
    )
    verdict = "met" if ready[0] <= 1.5 and warm_ready <= 1.5 else "MISSED"
    print(f"   goal <= 1.5 s to a usable window: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
