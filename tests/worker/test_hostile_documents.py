"""Whatever the website's JavaScript writes into ``emailQueue`` settles: delivered once, or
dead with a reason a supervisor can read, in three ``parking-desk worker --once`` rounds.

The documents are written raw, as the website writes them (Firestore through the plain
google client, SQLite through ``import_raw_task``); the rounds run the real command line
with a 2 s lease, past which a task whose outcome was not recorded would be claimed again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT

from parking_desk.cli import main
from parking_desk.messages import MESSAGES, message
from parking_desk.task import TaskState

pytestmark = pytest.mark.timeout(180)

LEASE_S = 2.0
ARRIVAL = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
DEPARTURE = ARRIVAL + timedelta(days=4)

# What Python, not a person, would say: none of it may reach a supervisor.
PYTHON_TEXT = (
    "invalid literal",
    "Traceback",
    "Error:",
    "Error(",
    "object has no attribute",
    "NoneType",
    "<class",
    "could not convert",
    "out of range",  # OverflowError's own words; ours say "not between the years"
    "unconverted data",
)


def web(n: int, number: Any = ..., data: dict[str, Any] | None = None, **top: Any) -> dict:
    """A document as the website's ``addToQueue`` writes it, with one recipient per case."""
    booking = {
        "clientName": f"Ana Pădurean {n}",
        "clientEmail": f"client{n}@client.example",
        "phone": "+40722123456",
        "plate": "B123ABC",
        "arrival": ARRIVAL,
        "departure": DEPARTURE,
        "passengers": 2,
    } | (data or {})
    doc = {
        "type": "both",
        "bookingNumber": f"8679{n:02d}" if number is ... else number,
        "clientEmail": f"client{n}@client.example",
        "bookingData": booking,
        "createdAt": datetime.now(UTC),
    } | top
    return doc


# case id -> (document, "completed" | reason fragments its lastError must carry)
CASES: dict[str, tuple[dict, str | tuple[str, ...]]] = {
    # booking numbers of any string, length or type
    "number-slash": (web(1, "12/34"), "completed"),
    "number-dots": (web(2, ".."), "completed"),
    "number-dunder": (web(3, "__x__"), ("__x__", "QR")),
    "number-2000": (web(4, "7" * 2000), ("bookingNumber", "2000 characters")),
    "number-int": (web(5, 867905), "completed"),
    "number-double": (web(6, 867906.0), "completed"),
    "number-map": (web(7, {"n": 1}), ("bookingNumber",)),
    "number-null": (web(8, None), ("bookingNumber",)),
    "number-bool": (web(9, True), ("bookingNumber",)),
    "number-diacritics": (web(10, "Ș-123"), ("Ș-123", "QR")),
    # dates as ISO text, as epoch milliseconds, or out of range
    "dates-iso": (
        web(11, data={"arrival": ARRIVAL.isoformat(), "departure": "2030-06-01T10:00:00Z"}),
        "completed",
    ),
    "dates-epoch-ms": (
        web(
            12,
            data={
                "arrival": int(ARRIVAL.timestamp() * 1000),
                "departure": int(DEPARTURE.timestamp() * 1000),
            },
        ),
        "completed",
    ),
    "departure-9999": (
        web(13, data={"departure": datetime(9999, 12, 31, 12, tzinfo=UTC)}),
        ("departure", "9999", "2099"),
    ),
    "departure-9999-text": (
        web(14, data={"departure": "9999-12-31T23:59:59Z"}),
        ("departure", "9999"),
    ),
    "departure-js-max": (
        web(15, data={"departure": "+275760-09-13T00:00:00.000Z"}),
        ("departure", "not a date"),
    ),
    "departure-epoch-huge": (web(16, data={"departure": 8.64e18}), ("departure", "not a date")),
    "arrival-epoch-seconds": (
        web(17, data={"arrival": int(ARRIVAL.timestamp())}),
        ("arrival", "1970", "2000"),
    ),
    "arrival-words": (web(18, data={"arrival": "mâine dimineață"}), ("arrival", "not a date")),
    # numbers as text
    "passengers-text": (web(19, data={"passengers": "3"}), "completed"),
    "passengers-words": (web(20, data={"passengers": "two"}), ("passengers", "two")),
    "attempts-text": (web(21, attempts="0", maxAttempts="5"), "completed"),
    # unknown fields and spellings
    "unknown-fields": (
        web(
            22,
            data={"voucher": {"code": "X", "uses": [1, 2]}, "persons": 4},
            utm={"source": "ads"},
            priority=None,
        ),
        "completed",
    ),
    "type-capitals": (web(23, type=" EMAIL "), "completed"),
    # claimed as often as its budget allows, never finished (lost leases, crashes)
    "claimed-too-often": (
        web(
            24,
            status="processing",
            attempts=10,
            leaseOwner="worker-that-died",
            leaseExpiresAt=datetime.now(UTC) - timedelta(minutes=5),
        ),
        ("Claimed 11 times without finishing",),
    ),
    "claimed-too-often-text": (
        web(
            25,
            status="processing",
            attempts="3",
            maxAttempts="3",
            leaseOwner="worker-that-died",
            leaseExpiresAt=datetime.now(UTC) - timedelta(minutes=5),
        ),
        ("Claimed 4 times without finishing",),
    ),
}


def readable(error: dict[str, Any]) -> None:
    """A reason in words, under a code the desk can translate."""
    code, text = error["code"], error["message"]
    assert text.strip(), error
    assert not any(bit in text for bit in PYTHON_TEXT), error
    if code != "malformed":  # the store's own code for a document that does not parse
        assert code in MESSAGES, error
        assert message(code, "ro") != message(code, "en"), error


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def worker_env(tmp_path: Path, smtp, kind: str) -> dict[str, str]:
    (tmp_path / "worker.toml").write_text(f"[worker]\nlease_s = {LEASE_S}\n", encoding="utf-8")
    return {
        "PARKING_DESK_CONFIG": str(tmp_path / "worker.toml"),
        "PARKING_DESK_STORE": kind,
        "PARKING_DESK_FIRESTORE_PROJECT": PROJECT,
        "PARKING_DESK_SQLITE_PATH": str(tmp_path / "store.db"),
        "PARKING_DESK_SMTP_HOST": "127.0.0.1",
        "PARKING_DESK_SMTP_PORT": str(smtp.port),
        "PARKING_DESK_SMTP_SECURITY": "none",
        "PARKING_DESK_MAIL_FROM": "Parcare Otopeni <rezervari@parcare.example>",
        "PARKING_DESK_QR_KEY": str(tmp_path / "key.pem"),
        "PARKING_DESK_LOG_DIR": str(tmp_path / "log"),
    }


def three_rounds(env: dict[str, str], leases: Callable[[], list[Any]]) -> None:
    """*leases*: the lease expiries of the tasks left processing."""
    for round_ in range(3):
        assert main(["worker", "--once"], env) == 0, f"round {round_ + 1}"
        # Until every lease has run out: a task left processing is claimed again next round.
        deadline = time.monotonic() + 10 * LEASE_S
        while any(isinstance(e, datetime) and e >= datetime.now(UTC) for e in leases()):
            assert time.monotonic() < deadline, "a lease outlived its length"
            time.sleep(0.05)


def check_settled(states: dict[str, dict[str, Any]], smtp) -> None:
    received = Counter(a.addr_spec for m in smtp.messages for a in m["To"].addresses)
    assert max(received.values(), default=0) <= 1, received  # nobody gets a second message
    for case, (doc, expected) in CASES.items():
        stored = states[case]
        recipient = doc["clientEmail"]
        if expected == "completed":
            assert stored["status"] == "completed", (case, stored.get("lastError"))
            assert received[recipient] == 1, case
            continue
        assert stored["status"] == "dead", (case, stored["status"], stored.get("lastError"))
        assert received[recipient] == 0, case
        readable(stored["lastError"])
        for fragment in expected:
            assert fragment in stored["lastError"]["message"], (case, stored["lastError"])


def test_sqlite_website_documents_settle_in_three_rounds(smtp, tmp_path):
    from parking_desk.services.store.sqlite.store import SqliteStore

    store = SqliteStore(tmp_path / "store.db")
    try:
        for case, (doc, _) in CASES.items():
            store.import_raw_task(case, doc)
        env = worker_env(tmp_path, smtp, "sqlite")

        def leases() -> list[Any]:
            tasks = [store.get_task(case) for case in CASES]
            return [t.lease_expires_at for t in tasks if t.status == TaskState.PROCESSING]

        three_rounds(env, leases)

        states = {}
        for case in CASES:
            task = store.get_task(case)
            error = task.last_error
            states[case] = {
                "status": str(task.status),
                "lastError": error.to_document() if error else None,
            }
    finally:
        store.close()
    check_settled(states, smtp)
    by_subject = {str(m["Subject"]): m for m in smtp.messages}
    assert "Confirmare rezervare #12/34" in by_subject
    assert "Confirmare rezervare #867906" in by_subject  # 867906.0 read as the integer
    text = by_subject["Confirmare rezervare #867919"].get_body(("plain",)).get_content()
    assert "Pasageri: 3" in text  # passengers "3" read as 3


@pytest.mark.firestore
def test_firestore_website_documents_settle_in_three_rounds(firestore_db, smtp, tmp_path):
    from google.cloud import firestore

    db = firestore.Client(project=PROJECT)
    try:
        queue = db.collection("emailQueue")
        for case, (doc, _) in CASES.items():
            queue.document(case).set(doc)
        env = worker_env(tmp_path, smtp, "firestore")

        def leases() -> list[Any]:
            docs = [d.to_dict() for d in queue.stream()]
            return [d.get("leaseExpiresAt") for d in docs if d.get("status") == "processing"]

        three_rounds(env, leases)

        states = {case: queue.document(case).get().to_dict() for case in CASES}
    finally:
        db.close()
    check_settled(states, smtp)
