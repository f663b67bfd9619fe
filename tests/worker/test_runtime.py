"""What runtime.build_worker wires differently for the desk and for a headless worker."""

from __future__ import annotations

from parking_desk.services.runtime import build_worker, open_store


def test_the_desk_drains_on_one_sending_thread_and_a_worker_on_all(make_settings) -> None:
    settings = make_settings(send_parallelism=4)
    store = open_store(settings)
    try:
        desk, _ = build_worker(settings, store, "desk")
        headless, _ = build_worker(settings, store, "worker")
        assert desk.settings.send_parallelism == 1
        assert headless.settings.send_parallelism == 4
        assert settings.worker.send_parallelism == 4  # the shared settings are left alone
    finally:
        store.close()
