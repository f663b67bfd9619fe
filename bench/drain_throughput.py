"""Drain throughput: a backlog sent by ``parking-desk worker`` processes (1, 2 and 3 at
once) against the naive baseline (``_baseline.py``), side by side in one run, on the
Firestore emulator (or the embedded SQLite store) and a local SMTP server.

    .venv/bin/python bench/drain_throughput.py [--tasks N] [--baseline-tasks N]
        [--workers 1,2,3] [--store firestore|sqlite] [--rtt MS] [--quick]

With ``--rtt MS`` the workers and the baseline reach the emulator through a loopback
latency proxy (``_latency_proxy.py``) that makes it MS away; laying down the backlog and
resetting the emulator go direct, so only the drains pay the distance. SMTP stays on
loopback without delay.

Rates count from the workers' start to the last message's arrival, process start-up
included; "steady" counts from the first message to the last.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _harness as h

from parking_desk.config import load_settings
from parking_desk.services.runtime import open_store


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drain(
    label: str,
    commands: list[list[str]],
    env: dict[str, str],
    sink: h.SmtpSink,
    total: int,
    log: Path,
    emu: h.Emulator,
) -> dict[str, float]:
    sink.clear()
    cpu_workers, cpu_emulator = children_cpu(), emu.cpu_seconds()
    started = time.monotonic()
    procs = [
        subprocess.Popen(c, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=h.ROOT)
        for c in commands
    ]
    arrived = sink.wait_for(total, timeout=max(600, total))
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    cpu_workers = children_cpu() - cpu_workers
    cpu_emulator = emu.cpu_seconds() - cpu_emulator
    times = sink.times()
    if not arrived or not times:
        print(f"   {label}: only {sink.total}/{total} messages arrived; see {log}")
        return {"rate": 0.0, "steady": 0.0}
    wall = times[-1] - started
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    result = {"rate": total / wall, "steady": steady, "wall": wall, "dups": sink.duplicates()}
    print(
        f"   {label:<28} {total:>6} tasks in {wall:7.1f} s  {result['rate']:7.1f} tasks/s "
        f"(steady {steady:6.1f}/s)  duplicates {result['dups']}",
        flush=True,
    )
    print(
        f"   {'':<28} CPU per task: sending processes {cpu_workers / total * 1000:.1f} ms, "
        f"Firestore emulator {cpu_emulator / total * 1000:.1f} ms",
        flush=True,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--baseline-tasks", type=int, default=300)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--store", choices=("firestore", "sqlite"), default="firestore")
    parser.add_argument("--quick", action="store_true", help="300 tasks, baseline 60")
    h.add_rtt_option(parser)
    args = parser.parse_args()
    if args.store == "sqlite":
        args.rtt = 0.0  # the embedded store is never far away
    if args.quick:
        args.tasks, args.baseline_tasks = 300, 60
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    h.header(f"drain throughput ({args.store}): backlog of {args.tasks}, workers {counts}")
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-drain-"))
    log = folder / "workers.log"
    results: dict[str, dict[str, float]] = {}
    with h.SmtpSink() as sink, h.emulator() as emu:
        store_cfg = (
            {"kind": "firestore", "firestore_project": emu.project}
            if args.store == "firestore"
            else {"kind": "sqlite", "sqlite_path": str(folder / "drain.db")}
        )
        settings_path = h.write_settings(folder, smtp_port=sink.port, store=store_cfg)

        def fresh_backlog(count: int) -> None:
            if args.store == "firestore":
                emu.reset()
            else:
                (folder / "drain.db").unlink(missing_ok=True)
            # Direct to the emulator: laying down the backlog is not what is measured (a
            # Firestore client reads FIRESTORE_EMULATOR_HOST when it is made).
            through = os.environ.get("FIRESTORE_EMULATOR_HOST")
            os.environ["FIRESTORE_EMULATOR_HOST"] = emu.host
            try:
                store = open_store(load_settings(settings_path, env={}))
            finally:
                if through is not None:
                    os.environ["FIRESTORE_EMULATOR_HOST"] = through
            t = time.monotonic()
            (h.seed_firestore if args.store == "firestore" else h.seed_sqlite)(store, count)
            store.close()
            print(f"   (backlog of {count} laid down in {time.monotonic() - t:.1f} s)")

        with emu.via(args.rtt):
            # The drains' clients go through the proxy: the workers' environment is taken
            # inside the block (seeding opens its own client direct, above).
            env = h.settings_env(settings_path)
            if args.store == "firestore":
                print(f"   {emu.describe_rtt()}", flush=True)
            if args.store == "firestore" and args.baseline_tasks:
                fresh_backlog(args.baseline_tasks)
                baseline = [sys.executable, str(Path(__file__).with_name("_baseline.py"))]
                results["baseline"] = drain(
                    "naive baseline",
                    [[*baseline, str(settings_path), str(args.baseline_tasks)]],
                    env,
                    sink,
                    args.baseline_tasks,
                    log,
                    emu,
                )
            worker = [sys.executable, "-m", "parking_desk", "worker", "--once"]
            for n in counts:
                fresh_backlog(args.tasks)
                results[f"{n}"] = drain(
                    f"{n} worker process(es)", [worker] * n, env, sink, args.tasks, log, emu
                )
    base = results.get("baseline", {}).get("rate")
    if base:
        for n in counts:
            rate = results[f"{n}"]["rate"]
            print(f"   {n} worker(s) / baseline: {rate / base:.1f}x")
    if "1" in results and results["1"]["rate"]:
        for n in counts[1:]:
            print(
                f"   {n} workers / 1 worker: {results[f'{n}']['rate'] / results['1']['rate']:.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
