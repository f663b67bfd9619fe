"""Two desks lose Firestore (the emulator frozen with SIGSTOP, as a dropped line looks to a
client) and take twenty walk-ins each; one is killed half-way and started again. Once the
line is back both journals go in: forty bookings with forty numbers, forty tasks, forty
e-mails each received once, and the check-ins made meanwhile in the store."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fault_tools import FaultyMailServer, start_worker, stop_worker, walk_in, write_settings

from parking_desk.booking import BookingStatus
from parking_desk.offline_rules import is_block_number
from parking_desk.services.store import open_firestore

pytestmark = [pytest.mark.firestore, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("desk_process.py")


class Desk:
    """A desk process and its stdin/stdout conversation."""

    def __init__(self, project: str, folder: Path, name: str) -> None:
        self.project, self.folder, self.name = project, folder, name
        self.proc: subprocess.Popen[str] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.start()

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), self.project, str(self.folder), self.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self.folder / "desk.log").open("a"),
            text=True,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        assert self.read().get("ready"), self.log()

    def read(self) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"desk {self.name} ended:\n{self.log()}"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, *words: object) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def quit(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(AssertionError):
            self.ask("quit")
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        path = self.folder / "desk.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def test_two_desks_offline_one_killed_all_forty_go_in_once(
    tmp_path: Path, firestore_db, mail_server: FaultyMailServer
) -> None:
    project = firestore_db.project
    store = open_firestore(project)
    a = Desk(project, tmp_path / "a", "desk A")
    b = Desk(project, tmp_path / "b", "desk B")
    worker = None
    try:
        # Online first: each desk reserves its block; desk A sees a booking made elsewhere.
        for desk in (a, b):
            assert desk.ask("wait", "idle", 60)["idle"], desk.log()
            assert desk.ask("state")["spare"] >= 50
        seen, _ = store.create_booking(walk_in(900))
        assert a.ask("get", seen.booking_number)["number"] == seen.booking_number

        firestore_db.pause()
        try:
            for desk in (a, b):
                assert not desk.ask("wait", "offline", 30)["online"], desk.log()
            made: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}
            for n in range(10):
                made["a"].append(a.ask("book", n))
            a.kill()  # mid-way: the journal must hold what the desk showed
            a.start()
            assert not a.ask("wait", "offline", 30)["online"], a.log()
            for n in range(10, 20):
                made["a"].append(a.ask("book", n))
            for n in range(20, 40):
                made["b"].append(b.ask("book", n))
            answers = made["a"] + made["b"]
            assert all(x.get("offline") for x in answers), answers
            # Check-ins at the gate meanwhile: desk B's own walk-ins, desk A's copy of the
            # booking it saw online.
            checked_in = [x["number"] for x in made["b"][:5]]
            for number in checked_in:
                assert b.ask("status", number, "checked_in")["status"] == "checked_in"
            assert a.ask("status", seen.booking_number, "checked_in")["status"] == "checked_in"
            # A second scan of the same ticket at this desk is refused as usual.
            again = b.ask("status", checked_in[0], "checked_in")
            assert again.get("error") == "error.already_checked_in"
            state_a, state_b = a.ask("state"), b.ask("state")
        finally:
            firestore_db.resume()
        assert (state_a["bookings"], state_a["scans"]) == (20, 1)
        assert (state_b["bookings"], state_b["scans"]) == (20, 5)

        for desk in (a, b):
            assert desk.ask("wait", "idle", 180)["idle"], desk.log()
            assert desk.ask("state")["conflicts"] == 0

        numbers = [x["number"] for x in answers]
        assert len(set(numbers)) == 40
        assert all(is_block_number(n) for n in numbers)
        bookings = {n: store.get_booking(n) for n in numbers}
        assert all(bookings.values()), [n for n, bk in bookings.items() if bk is None]
        names = sorted(bk.client_name for bk in bookings.values() if bk)
        assert names == sorted(f"Client {n}" for n in range(40))
        tasks = {x["task"]: store.get_task(x["task"]) for x in answers}
        assert all(tasks.values()), [t for t, task in tasks.items() if task is None]
        assert len({t.booking_number for t in tasks.values() if t}) == 40
        for number in checked_in:
            assert store.get_booking(number).status == BookingStatus.CHECKED_IN
        assert store.get_booking(seen.booking_number).status == BookingStatus.CHECKED_IN

        # The e-mails go out after the sync, each once.
        settings_path = write_settings(
            tmp_path,
            smtp_port=mail_server.port,
            store={"kind": "firestore", "firestore_project": project},
        )
        worker = start_worker(settings_path, tmp_path / "worker.log")
        ids = [f"<task-{t}@lot.example>" for t in tasks]
        assert mail_server.wait_for(lambda log: all(log.accepted[i] for i in ids), 120), (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
        stop_worker(worker)
        worker = None
        log = mail_server.snapshot()
        assert [log.accepted[i] for i in ids] == [1] * 40
        assert log.duplicates == 0
        saves = sorted(x["ms"] for x in answers)
        print(f"\noffline saves: median {saves[20]:.1f} ms, slowest {saves[-1]:.1f} ms")
    finally:
        if worker is not None:
            stop_worker(worker)
        for desk in (a, b):
            desk.quit()
        store.close()
