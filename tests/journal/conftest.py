"""Fixtures for the journal: real accounts and a CSRF-enforcing client, as a browser or script uses it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ketnav.accounts.services import create_user
from tests.trials.conftest import v2_path, v2_studies  # noqa: F401 (the real records, for the watch-list)

PASSWORD = "correct horse battery 42"
GAD7 = {"scale": "gad7", "answers": [3, 3, 3, 2, 2, 2, 1], "taken_on": "2026-11-02"}
PHQ9_ITEM9 = {"scale": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 1], "taken_on": "2026-11-02"}


class Api:
    """A session-authenticated API client that sends the CSRF token the way a browser script does."""

    def __init__(self, user: User | None = None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        if user is not None:
            self.client.force_login(user)
        self.token = self.client.get("/api/auth/csrf").json()["csrf_token"]

    def _send(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
        send = getattr(self.client, method)
        return send(path, data, content_type=kwargs.pop("content_type", "application/json"),
                    headers={"X-CSRFToken": self.token}, **kwargs)  # fmt: skip

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self._send("post", path, body, **kwargs)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def delete(self, path: str) -> Any:
        return self._send("delete", path)


@pytest.fixture
def alice(db: Any) -> User:
    return create_user("alice@example.org", PASSWORD)


@pytest.fixture
def bob(db: Any) -> User:
    return create_user("bob@example.org", PASSWORD)


@pytest.fixture
def doctor(db: Any) -> User:
    return create_user("dr.lee@clinic.example", PASSWORD, clinician=True)


@pytest.fixture
def as_alice(alice: User) -> Api:
    return Api(alice)


@pytest.fixture
def as_bob(bob: User) -> Api:
    return Api(bob)
