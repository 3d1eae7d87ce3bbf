"""Shared fixtures: paths to the real ClinicalTrials.gov data and helpers for subprocess tests."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("KETNAV_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ketnav_cmd(*args: str) -> list[str]:
    """Run the installed CLI through this interpreter, so tests use the same environment."""
    return [sys.executable, "-m", "ketnav", *args]


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """An environment for a ketnav subprocess with its own data directory and no inherited settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETNAV_", "DJANGO_"))}
    env["KETNAV_DATA_DIR"] = str(tmp_path / "data")
    return env


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the shared ClinicalTrials.gov data is not at {SHARED_DATA} (it is in CI, not in a fresh clone)")
    return SHARED_DATA


def current_database_url() -> str:
    """The URL of the database the test run is using, for `ketnav` subprocesses to share it."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
