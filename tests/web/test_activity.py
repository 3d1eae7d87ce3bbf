"""Background warm-ups give way to requests: the in-flight count and the wait for a quiet moment."""

from __future__ import annotations

import threading

from django.conf import settings
from django.test import Client

from ketnav.web.activity import RequestActivity, request_activity


def _wait_then_set(activity: RequestActivity, done: threading.Event, settle_s: float = 0.05) -> threading.Thread:
    def run() -> None:
        activity.wait_until_idle(settle_s=settle_s)
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_wait_until_idle_waits_for_every_request_in_flight() -> None:
    activity = RequestActivity()
    activity.enter()
    activity.enter()
    done = threading.Event()
    waiter = _wait_then_set(activity, done, settle_s=0.01)
    activity.leave()
    assert not done.wait(0.3)  # one request is still being answered
    activity.leave()
    waiter.join(timeout=10)
    assert done.is_set() and activity.in_flight == 0


def test_an_idle_process_does_not_wait() -> None:
    activity = RequestActivity()
    started = threading.Event()
    _wait_then_set(activity, started)
    assert started.wait(10)


def test_the_middleware_comes_first_and_counts_refused_requests_out_again() -> None:
    assert settings.MIDDLEWARE[0] == "ketnav.web.activity.ActivityMiddleware"
    activity = request_activity()
    before = activity.in_flight
    too_big = Client().post("/api/safety/screen", b"x" * (5 << 20), content_type="application/json")
    assert too_big.status_code == 413
    assert activity.in_flight == before
