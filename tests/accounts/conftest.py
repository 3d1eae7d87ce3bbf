from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ketnav.accounts.services import create_user

PASSWORD = "correct horse battery 42"


@pytest.fixture
def alice(db: Any) -> User:
    return create_user("Alice@Example.org", PASSWORD)


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def csrf_token(client: Client) -> str:
    token: str = client.get("/api/auth/csrf").json()["csrf_token"]
    return token
