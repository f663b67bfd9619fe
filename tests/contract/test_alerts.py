"""Webhook alerts kept in the store: one claimer at a time, kept until delivered."""

from __future__ import annotations

from datetime import timedelta

from contract_data import T0

from parking_desk.services.store.alerts import AlertQueue

LEASE = timedelta(minutes=2)


def alerts_of(store) -> AlertQueue:
    return store.alerts


def test_an_alert_is_claimed_by_one_worker_until_its_lease_runs_out(store):
    alerts = alerts_of(store)
    alerts.add("a1", "task.dead", '{"event":"task.dead"}', now=T0)

    [first] = alerts.claim_due("w1", now=T0, lease=LEASE, limit=10)
    assert first.id == "a1" and first.body == '{"event":"task.dead"}'
    assert alerts.claim_due("w2", now=T0 + timedelta(seconds=30), lease=LEASE, limit=10) == []
    # w1 died while posting: once its lease runs out, w2 takes the alert and w1's late
    # outcome no longer counts.
    [again] = alerts.claim_due("w2", now=T0 + LEASE, lease=LEASE, limit=10)
    assert again.id == "a1"
    assert not alerts.delivered("a1", "w1", now=T0 + LEASE)
    assert alerts.delivered("a1", "w2", now=T0 + LEASE)

    done = alerts.get("a1")
    assert done is not None and done.delivered_at == T0 + LEASE and done.attempts == 1
    assert alerts.undelivered() == []
    assert alerts.claim_due("w3", now=T0 + timedelta(days=1), lease=LEASE, limit=10) == []


def test_a_failed_alert_waits_for_its_next_attempt_and_keeps_the_reason(store):
    alerts = alerts_of(store)
    alerts.add("a2", "task.dead", "{}", now=T0)
    alerts.add("a2", "task.dead", "{}", now=T0)  # recorded twice: kept once
    [claimed] = alerts.claim_due("w1", now=T0, lease=LEASE, limit=10)
    later = T0 + timedelta(seconds=30)
    assert alerts.failed(claimed.id, "w1", "HTTP 500", next_attempt_at=later)

    assert alerts.claim_due("w1", now=T0 + timedelta(seconds=29), lease=LEASE, limit=10) == []
    [kept] = alerts.undelivered()
    assert kept.attempts == 1 and kept.last_error == "HTTP 500" and kept.delivered_at is None
    [retried] = alerts.claim_due("w2", now=later, lease=LEASE, limit=10)
    assert retried.id == "a2"


def test_delivered_alerts_are_purged_after_their_period(store):
    alerts = alerts_of(store)
    alerts.add("old", "task.dead", "{}", now=T0)
    alerts.add("owed", "task.dead", "{}", now=T0 + timedelta(seconds=1))
    alerts.claim_due("w1", now=T0, lease=LEASE, limit=10)
    assert alerts.delivered("old", "w1", now=T0)

    assert alerts.purge_delivered(T0 + timedelta(days=8)) == 1
    assert alerts.get("old") is None
    assert [a.id for a in alerts.undelivered()] == ["owed"]
