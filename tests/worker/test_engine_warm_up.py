"""The engine pays a first send's one-time costs (templates, QR, address checks) on its own
thread before its first claim, so they never land on the sending thread in one burst."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from worker_data import booking

from parking_desk.services.runtime import build_worker

pytestmark = pytest.mark.timeout(60)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {timeout} s")
        time.sleep(0.01)


@pytest.mark.parametrize("kind", ["desk", "worker"])
def test_the_engine_warms_up_on_its_drain_thread_before_its_first_claim(
    kind, store, smtp, make_settings, monkeypatch
):
    store.create_booking(booking())
    settings = make_settings(smtp, drain_interval_s=30.0)
    _worker, engine = build_worker(settings, store, kind)
    warm_up = engine.warm_up
    assert warm_up is not None
    claims: list[tuple[int, list[str]]] = []
    claim_due = store.claim_due

    def recording_claim_due(*args, **kwargs):
        claims.append((threading.get_ident(), list(warm_up.ran)))
        return claim_due(*args, **kwargs)

    monkeypatch.setattr(store, "claim_due", recording_claim_due)
    assert warm_up.ran == []  # building the engine paid nothing yet
    engine.start()
    try:
        wait_for(lambda: len(smtp.messages) == 1)
    finally:
        engine.stop(2.0)
    every_step = ["QR", "confirmation e-mail", "amendment e-mail", "cancellation e-mail"]
    assert warm_up.ran == every_step and warm_up.failed == []
    first_claim_thread, warmed_before_it = claims[0]
    assert warmed_before_it == every_step  # all of it before the first claim
    assert warm_up.ran_on == first_claim_thread  # on the drain thread...
    assert warm_up.ran_on != threading.get_ident()  # ...not the one that started the engine
    assert len(smtp.messages) == 1  # nothing of the warm-up was sent


def test_the_desk_pauses_between_warm_up_steps_and_a_worker_does_not(store, smtp, make_settings):
    settings = make_settings(smtp)  # a shared store's engine needs an SMTP server
    _desk_worker, desk = build_worker(settings, store, "desk")
    _headless_worker, headless = build_worker(settings, store, "worker")
    assert desk.warm_up is not None and headless.warm_up is not None
    assert desk.warm_up.pause_s > 0
    assert headless.warm_up.pause_s == 0


def test_a_warm_up_step_that_fails_is_skipped_and_the_rest_still_run():
    from parking_desk.services.worker_warmup import WarmUp

    def broken() -> None:
        raise ValueError("no templates here")

    done: list[str] = []
    warm_up = WarmUp([("broken", broken), ("next", lambda: done.append("next"))])
    warm_up.run()
    assert warm_up.failed == ["broken"] and warm_up.ran == ["broken", "next"]
    assert done == ["next"]
