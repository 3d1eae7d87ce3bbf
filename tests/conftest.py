"""Shared fixtures: paths to the real ClinicalTrials.gov data and helpers for subprocess tests."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def clear_registry() -> None:
    """Empty every registry table, the full-text index included (the ORM cannot reach that one)."""
    from django.db import connection

    from ketnav.trials.models import LoadRun, Place, Study, Synonym
    from ketnav.trials.search.index import FTS_TABLE, PG_TABLE

    Study.objects.all().delete()
    Place.objects.all().delete()
    Synonym.objects.all().delete()
    LoadRun.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE if connection.vendor == 'sqlite' else PG_TABLE}")


SHARED_RECORD_FILES = ("ctgov_v2_studies.jsonl.gz", "ctgov_legacy_xml.jsonl.gz")


@pytest.fixture(scope="module")
def shared_registry(django_db_setup: Any, django_db_blocker: Any, shared_data: Path) -> Iterator[None]:
    """Both real record files with status and interventions (API v2 and legacy XML, about 8,600 studies),
    loaded once for the module that asks and removed afterwards: loading takes seconds, so tests that only
    read the registry share one load instead of each module keeping its own copy of this fixture."""
    from ketnav.trials.loading import load_paths

    with django_db_blocker.unblock():
        clear_registry()
        load_paths([shared_data / "ctgov" / name for name in SHARED_RECORD_FILES], workers=2)
        yield
        clear_registry()
