"""Webhook alerts: signed over timestamp and body, free of personal data, kept until a
receiver takes them, across a worker restart."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hook_receiver import CheckingReceiver
from worker_data import booking

from parking_desk.services.runtime import build_worker
from parking_desk.services.store.sqlite.store import SqliteStore
from parking_desk.services.webhook import (
    SIGNATURE_HEADER,
    WebhookNotifier,
    alert_payload,
    attach_webhook,
    sign,
    verify,
)
from parking_desk.services.worker_events import TaskDead
from parking_desk.task import LastError, TaskState
from parking_desk.timeutil import utcnow

pytestmark = pytest.mark.timeout(90)

SECRET = "whsec-7f3a-parking"


@pytest.fixture
def receiver() -> Iterator[CheckingReceiver]:
    hook = CheckingReceiver(SECRET)
    try:
        yield hook
    finally:
        hook.close()


def post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(
        url, data=body, headers={SIGNATURE_HEADER: signature}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def dead_event(task_id: str = "t1", message: str = "no") -> TaskDead:
    return TaskDead(task_id, "867962", LastError("smtp-550", message, True), 3, utcnow())


# --- the signature ---------------------------------------------------------------------
def test_the_receiver_refuses_a_replay_with_a_changed_timestamp_and_takes_a_fresh_one(
    receiver, tmp_path
):
    store = SqliteStore(tmp_path / "store.db")
    notifier = WebhookNotifier(receiver.url, SECRET, store.alerts)
    notifier.on_event(dead_event())
    assert notifier.deliver_due() == 1
    [original] = receiver.accepted
    body, header = original.body, original.headers[SIGNATURE_HEADER]
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)

    # An eavesdropper replays it later under a new timestamp: the signature no longer fits.
    v1 = header.split(",")[1]
    replayed = f"t={int(time.time()) + 1},{v1}"
    assert post(receiver.url, body, replayed) == 401
    # The body altered under the original signature: refused too.
    assert post(receiver.url, body.replace(b"867962", b"867963"), header) == 401
    assert not verify(body.replace(b"867962", b"867963"), header, SECRET)
    # A fresh request signed with the secret is taken.
    assert post(receiver.url, body, sign(body, SECRET)) == 204
    assert [r.accepted for r in receiver.received] == [True, False, False, True]
    store.close()


def test_verify_refuses_missing_parts_other_secrets_and_stale_timestamps():
    body = b'{"event":"task.dead"}'
    t = 1_800_000_000
    header = sign(body, SECRET, t=t)
    assert verify(body, header, SECRET, now=t + 299)
    assert verify(body, header, SECRET, now=t - 299)  # a receiver's clock a little behind
    assert not verify(body, header, SECRET, now=t + 301)  # outside the replay window
    assert not verify(body, header, SECRET, now=t - 301)
    assert verify(body, header, SECRET, tolerance_s=600, now=t + 500)
    assert not verify(body, header, "another-secret", now=t)
    assert not verify(body, header.split(",")[1], SECRET, now=t)  # no timestamp
    assert not verify(body, header.split(",")[0], SECRET, now=t)  # no signature
    assert not verify(body, "", SECRET, now=t)
    assert not verify(body, None, SECRET, now=t)
    assert not verify(body, "t=soon," + header.split(",")[1], SECRET, now=t)
    assert not verify(body, header, "", now=t)
    # A secret being rotated: the receiver accepts either signature.
    old = sign(body, "old-secret", t=t).split(",")[1]
    assert verify(body, f"{header},{old}", "old-secret", now=t)


# --- no personal data ------------------------------------------------------------------
NAME, PLATE, EMAIL = "Ionuț Vlădescu-Popa", "CJ 77 XYZ", "ionut.vladescu@client.example"


def personal_bits() -> list[bytes]:
    bits = [NAME, "Ionuț", "Vlădescu", PLATE, "CJ77XYZ", EMAIL, "ionut.vladescu", "client.example"]
    bits += ["Ionu\\u021b", "Vl\\u0103descu"]  # as JSON would escape them
    return [b.encode("utf-8") for b in bits]


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_booking_full_of_personal_data_makes_alerts_with_none_of_it(
    store, smtp, make_settings, receiver
):
    smtp.faults.refuse = {EMAIL}  # "550 5.1.1 <ionut.vladescu@…>: Recipient address rejected"
    settings = make_settings(smtp)
    settings.webhook.url, settings.webhook.secret = receiver.url, SECRET
    settings.desk.site_name = "Parcare Otopeni"
    saved, task = store.create_booking(
        booking(name=NAME, email=EMAIL, plate=PLATE, notes=f"Sună la {EMAIL}, {NAME}")
    )
    worker, _ = build_worker(settings, store, "worker")
    report = worker.drain_once()
    worker.close()

    assert report.dead == 1
    dead = store.get_task(task.id)
    assert dead.status == TaskState.DEAD and EMAIL in dead.last_error.message  # the text had it
    [hook] = receiver.accepted
    everything = hook.body + repr(hook.headers).encode()
    for bit in personal_bits():
        assert bit not in everything, bit
    assert hook.json() == {
        "id": hook.headers["X-Parking-Desk-Delivery"],
        "event": "task.dead",
        "taskId": task.id,
        "bookingNumber": saved.booking_number,
        "error": {"code": "smtp-550", "class": "permanent"},
        "attempts": 1,
        "site": "Parcare Otopeni",
        "at": hook.json()["at"],
    }
    # What stays in the store for retries is the same body.
    for alert in [*store.alerts.undelivered(), store.alerts.get(hook.json()["id"])]:
        assert alert is not None
        for bit in personal_bits():
            assert bit not in alert.body.encode()


@dataclass(frozen=True)
class TaskBounced:
    """The shape the bounce reader will emit (its own issue adds it to worker_events)."""

    task_id: str
    booking_number: str
    error: LastError
    attempts: int
    at: datetime


def test_bounces_and_odd_values_are_alerted_through_the_same_allowlist():
    error = LastError("dsn-5.1.1", f"<{EMAIL}> unknown, said {NAME}", True)
    event = TaskBounced("t9", "867962", error, 1, datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    payload = alert_payload(event, alert_id="a1", site="Parcare\nOtopeni")
    assert payload is not None
    assert payload["event"] == "task.bounced" and payload["site"] == "Parcare Otopeni"
    assert payload["error"] == {"code": "dsn-5.1.1", "class": "permanent"}
    # A booking number or code that is not a plain token is left out, not passed through.
    odd = TaskDead(EMAIL + " x", NAME, LastError(EMAIL, "?", False), 2, utcnow())
    payload = alert_payload(odd, alert_id="a2")
    assert payload is not None
    assert payload["taskId"] is None and payload["bookingNumber"] is None
    assert payload["error"] == {"code": None, "class": "transient"}
    quota = LastError("smtp-550", "5.4.5 Daily user sending quota exceeded.", False)
    quota_event = TaskDead("t3", "867962", quota, 10, utcnow())
    quota_payload = alert_payload(quota_event, alert_id="a3")
    assert quota_payload is not None and quota_payload["error"]["class"] == "quota"


# --- kept until delivered --------------------------------------------------------------
@pytest.mark.parametrize(
    "store", ["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)], indirect=True
)
def test_a_refused_alert_is_kept_and_delivered_after_a_restart_once_the_receiver_is_back(
    store, smtp, make_settings, receiver
):
    smtp.faults.refuse = {"gone@client.example"}
    settings = make_settings(smtp)
    settings.webhook.url, settings.webhook.secret = receiver.url, SECRET
    receiver.status = 500  # the receiver is down
    store.create_booking(booking(email="gone@client.example"))
    first, _ = build_worker(settings, store, "worker")
    assert first.drain_once().dead == 1
    first.close()  # the process exits with the alert undelivered

    [kept] = store.alerts.undelivered()
    assert kept.event == "task.dead" and kept.attempts >= 1
    assert kept.last_error == "HTTP 500" and kept.delivered_at is None
    assert receiver.received and not receiver.accepted

    receiver.status = None  # back up
    settings.webhook.url = ""  # the second worker's notifier is attached by hand, to drive it
    second, _ = build_worker(settings, store, "worker")
    settings.webhook.url = receiver.url
    notifier = attach_webhook(settings, store, second, start=False)
    assert notifier is not None
    # Not due yet: the backoff after the refusal.
    assert notifier.deliver_due(now=utcnow()) == 0
    assert notifier.deliver_due(now=utcnow() + timedelta(hours=2)) == 1
    second.close()

    [hook] = receiver.accepted
    assert hook.json()["id"] == kept.id and hook.body == kept.body.encode()
    assert store.alerts.undelivered() == []
    delivered = store.alerts.get(kept.id)
    assert delivered is not None and delivered.delivered_at is not None


def test_alerts_not_yet_recorded_at_exit_stay_in_the_store(receiver, tmp_path):
    receiver.status = 503
    store = SqliteStore(tmp_path / "store.db")
    notifier = WebhookNotifier(receiver.url, SECRET, store.alerts)  # thread never started
    for i in range(3):
        notifier.on_event(dead_event(f"t{i}"))
    notifier.close(timeout_s=5)
    kept = store.alerts.undelivered()
    assert len(kept) == 3 and all(a.last_error == "HTTP 503" for a in kept)

    receiver.status = None
    later = WebhookNotifier(receiver.url, SECRET, SqliteStore(tmp_path / "store.db").alerts)
    assert later.deliver_due(now=utcnow() + timedelta(hours=2)) == 3
    assert sorted(r.json()["taskId"] for r in receiver.accepted) == ["t0", "t1", "t2"]
    store.close()


def test_two_workers_sharing_a_store_post_an_alert_once(receiver, tmp_path):
    path = tmp_path / "store.db"
    stores = [SqliteStore(path), SqliteStore(path)]
    a, b = (
        WebhookNotifier(receiver.url, SECRET, s.alerts, owner=f"w{i}") for i, s in enumerate(stores)
    )
    for i in range(10):
        a.on_event(dead_event(f"t{i}"))
    a.record_handed_over()  # recorded, not posted yet
    go = threading.Barrier(2)

    def drain(notifier: WebhookNotifier) -> None:
        go.wait()
        notifier.deliver_due()

    threads = [threading.Thread(target=drain, args=(n,)) for n in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    ids = [r.json()["id"] for r in receiver.accepted]
    assert len(ids) == 10 and len(set(ids)) == 10
    assert a.sent + b.sent == 10
    for s in stores:
        s.close()
