"""Requests in flight in this process, so background warm-ups give way to people.

A server's criteria warm-up parses thousands of studies' criteria in a Python thread; every slice of it
holds the GIL that request threads need, so on a just-started server the first visitors waited behind
it (CI once measured 8.6 requests/s in the first seconds against ~20 later). Background work asks
``wait_until_idle`` before each small batch and runs only while no request is being answered; a busy
server simply parses what its requests need themselves, and the warm-up finishes in the quiet moments.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RequestActivity:
    """A count of requests being answered, with a wait for a quiet moment. Thread-safe; one per process
    (owned by the web app's config, never a module global)."""

    def __init__(self) -> None:
        self._quiet = threading.Condition()
        self._in_flight = 0
        self._last_done = 0.0

    @property
    def in_flight(self) -> int:
        with self._quiet:
            return self._in_flight

    def enter(self) -> None:
        with self._quiet:
            self._in_flight += 1

    def leave(self) -> None:
        with self._quiet:
            self._in_flight -= 1
            self._last_done = time.monotonic()
            if self._in_flight == 0:
                self._quiet.notify_all()

    def wait_until_idle(self, settle_s: float = 0.05) -> None:
        """Return once no request has been in flight for ``settle_s`` (a keep-alive client's next request
        usually follows within a few milliseconds of the last, so a gap that short is not yet quiet)."""
        with self._quiet:
            while True:
                if self._in_flight:
                    self._quiet.wait()
                    continue
                remaining = settle_s - (time.monotonic() - self._last_done)
                if remaining <= 0:
                    return
                self._quiet.wait(remaining)


def request_activity() -> RequestActivity:
    """This process's one ``RequestActivity``, kept by the web app's config (ketnav.web.apps)."""
    from django.apps import apps

    found = getattr(apps.get_app_config("web"), "activity", None)
    assert isinstance(found, RequestActivity)
    return found


class ActivityMiddleware:
    """Counts each request in flight for ``RequestActivity`` (first in the chain, so refusals count too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.activity = request_activity()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.activity.enter()
        try:
            return self.get_response(request)
        finally:
            self.activity.leave()
