"""The command line signs people in as the desk does: ``--as NAME`` and a PIN for whatever
changes the queue, the same lockout, the same audit; read-only commands stay open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from worker_data import booking

from parking_desk.cli import main
from parking_desk.services.roles import Role, RoleSession
from parking_desk.services.staff import StaffService
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.task import LastError, TaskState

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PARKING_DESK_CONFIG": str(tmp_path / "absent.toml"),
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "cli.db"),
        "PARKING_DESK_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }


@pytest.fixture
def db(tmp_path: Path):
    store = SqliteStore(tmp_path / "cli.db")
    service = StaffService(store)
    service.create_first_admin("Vlad Admin", "9753")
    admin = RoleSession(service.sign_in("Vlad Admin", "9753"))
    service.add(admin, "Ana Popescu", Role.SUPERVISOR, "2468")
    service.add(admin, "Ion Pop", Role.STAFF, "1357")
    yield store
    store.close()


def dead_task(db: SqliteStore) -> str:
    _booking, task = db.create_booking(booking())
    now = datetime.now(UTC)
    [claimed] = db.claim_due("w1", 1, timedelta(minutes=5), now=now)
    db.fail_permanent(claimed, "w1", LastError("smtp-550", "5.1.1 User unknown", True), now=now)
    return task.id


def test_queue_retry_without_a_person_or_pin_stops_with_a_clear_message(capsys, env, db):
    task_id = dead_task(db)
    for argv, extra in (
        (["queue", "retry", task_id], {}),
        (["queue", "retry", task_id, "--as", "Ana Popescu"], {}),  # no PIN, no terminal
        (["queue", "cancel", task_id], {"PARKING_DESK_PIN": "2468"}),  # a PIN, but whose?
    ):
        assert main(argv, env | extra) == 2
        err = capsys.readouterr().err
        assert "changes the queue: say who you are with --as NAME" in err, argv
    assert main(["queue", "retry", task_id], env | {"PARKING_DESK_LANG": "ro"}) == 2
    assert "indicați cine sunteți cu --as NUME" in capsys.readouterr().err
    assert db.get_task(task_id).status == TaskState.DEAD

    # Reading stays open.
    assert main(["queue", "list", "--state", "dead"], env) == 0
    assert task_id in capsys.readouterr().out


def test_queue_retry_as_a_supervisor_is_audited_under_that_person(capsys, env, db):
    task_id = dead_task(db)
    ana = env | {"PARKING_DESK_PIN": "2468"}
    assert main(["queue", "retry", task_id, "--as", "ana popescu"], ana) == 0
    assert "1 task(s) will be sent again now" in capsys.readouterr().out
    assert db.get_task(task_id).status == TaskState.PENDING
    [retry] = [e for e in db.audit_log() if e.action == "retry"]
    assert retry.operator == "Ana Popescu (supervisor)" and retry.task_ids == [task_id]
    sign_in = next(e for e in db.audit_log() if e.action == "sign_in")
    assert sign_in.operator == "Ana Popescu (supervisor)" and sign_in.details["where"] == "cli"


def test_staff_may_not_change_the_queue_from_the_command_line(capsys, env, db):
    task_id = dead_task(db)
    ion = env | {"PARKING_DESK_PIN": "1357"}
    assert main(["queue", "retry", task_id, "--as", "Ion Pop"], ion) == 2
    assert "requires the supervisor role" in capsys.readouterr().err
    assert db.get_task(task_id).status == TaskState.DEAD


def test_guessing_pins_on_the_command_line_locks_the_account(capsys, env, db):
    task_id = dead_task(db)
    argv = ["queue", "retry", task_id, "--as", "Ana Popescu"]
    for guess in ("0001", "0002", "0003", "0004"):
        assert main(argv, env | {"PARKING_DESK_PIN": guess}) == 2
        assert "Wrong name or PIN." in capsys.readouterr().err
    assert main(argv, env | {"PARKING_DESK_PIN": "0005"}) == 2
    assert "Too many wrong PINs for Ana Popescu. Try again in 30 s." in capsys.readouterr().err

    # Locked: even the right PIN is refused, before it is looked at.
    assert main(argv, env | {"PARKING_DESK_PIN": "2468", "PARKING_DESK_LANG": "ro"}) == 2
    err = capsys.readouterr().err
    assert "Prea multe PIN-uri greșite pentru Ana Popescu" in err and " s." in err
    assert db.get_task(task_id).status == TaskState.DEAD
    actions = [e.action for e in db.audit_log()]
    assert actions.count("sign_in_failed") == 5
    assert actions.count("sign_in_locked") == 1 and actions.count("sign_in_refused") == 1
    assert "retry" not in actions
    assert db.staff.by_name("Ana Popescu").failed_attempts == 5


def test_an_admin_manages_staff_from_the_command_line(capsys, env, db):
    vlad = env | {"PARKING_DESK_PIN": "9753", "PARKING_DESK_NEW_PIN": "4680"}
    assert (
        main(["staff", "add", "Maria Ionescu", "--role", "supervisor", "--as", "Vlad Admin"], vlad)
        == 0
    )
    assert "Maria Ionescu (supervisor) can sign in now" in capsys.readouterr().out
    assert main(["staff", "list", "--as", "Vlad Admin"], vlad) == 0
    listed = capsys.readouterr().out
    assert "Maria Ionescu" in listed and "Ion Pop" in listed and "supervisor" in listed

    assert main(["staff", "deactivate", "Ion Pop", "--as", "Vlad Admin"], vlad) == 0
    assert not db.staff.by_name("Ion Pop").active
    assert main(["staff", "reset-pin", "Ana Popescu", "--as", "Vlad Admin"], vlad) == 0
    assert StaffService(db).sign_in("Ana Popescu", "4680").name == "Ana Popescu"

    ana = env | {"PARKING_DESK_PIN": "4680", "PARKING_DESK_NEW_PIN": "1111"}
    assert main(["staff", "add", "Eve", "--as", "Ana Popescu"], ana) == 2
    assert "requires the admin role" in capsys.readouterr().err
    assert db.staff.by_name("Eve") is None
    actions = [e.action for e in db.audit_log()]
    assert {"staff_add", "staff_deactivate", "staff_reset_pin"} <= set(actions)
