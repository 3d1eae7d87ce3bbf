"""Module-level state that web server threads share must be immutable, locked or per thread (issue 15).

One module-level zstandard decompressor, used by every waitress thread, crashed the server under 16
concurrent users. These tests look at every object bound at module level in ``ketnav`` and at what
serving requests changes, so the next such object fails here rather than in production.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import importlib
import json
import logging
import pkgutil
import re
import threading
import types
import typing
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps.registry import Apps
from django.conf import LazySettings
from django.db.utils import ConnectionHandler
from django.template import Library
from django.test import Client
from django.utils.connection import ConnectionProxy
from ninja import NinjaAPI, Router

from tests.conftest import current_database_url, ketnav_cmd

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
# Safe to share by construction: immutable values, or objects whose own design makes them thread-safe
# (Django's connection proxy hands each thread its own connection; routers and loggers are set up at
# import and only read afterwards; a threading.local is per thread).
_SAFE_TYPES: tuple[type, ...] = (
    str,
    bytes,
    int,
    float,
    complex,
    bool,
    type(None),
    tuple,
    frozenset,
    range,
    types.MappingProxyType,
    re.Pattern,
    decimal.Decimal,
    dt.date,
    dt.time,
    dt.timedelta,
    enum.Enum,
    threading.local,
    *_LOCK_TYPES,
    logging.Logger,
    ConnectionProxy,
    LazySettings,
    uuid.UUID,
    Apps,  # Django's app registry: filled once at start-up, read afterwards
    ConnectionHandler,  # django.db.connections: a connection per thread by design
    NinjaAPI,
    Router,
    Library,
    typing.TypeVar,
    types.UnionType,
    type(typing.Union[int, str]),  # noqa: UP007 (the typing form has its own type)
    type(__import__("__future__").annotations),
)
_CONTAINERS = (dict, list, set, bytearray)

# Module-level objects that change while serving, each with what makes it safe. The trial search's
# caches belong to SearchIndex objects (trials/search/state.py), one per database, kept in this map.
SHARED_STATE: dict[str, str] = {
    "ketnav.trials.search.state._indexes": "locked by state._indexes_lock; each SearchIndex guards its own caches",
}


def _modules() -> Iterator[types.ModuleType]:
    import ketnav.web.urls

    for info in pkgutil.walk_packages(ketnav.__path__, "ketnav."):
        name = info.name
        if ".migrations" in name or name.startswith("ketnav.web.settings") or name.endswith("__main__"):
            continue
        yield importlib.import_module(name)


def _module_objects() -> Iterator[tuple[str, Any]]:
    for module in _modules():
        for attr, value in vars(module).items():
            if attr.startswith("__") or isinstance(value, types.ModuleType | type):
                continue
            if callable(value) and not isinstance(value, _CONTAINERS):
                continue  # functions (their caches hold only built-once values; see the audit in issue 15)
            yield f"{module.__name__}.{attr}", value


def _is_frozen_dataclass(value: object) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return dataclasses.is_dataclass(value) and params is not None and bool(params.frozen)


def test_every_module_level_object_is_immutable_locked_or_per_thread() -> None:
    unsafe = [
        f"{name}: {type(value).__module__}.{type(value).__qualname__}"
        for name, value in _module_objects()
        if not isinstance(value, _SAFE_TYPES + _CONTAINERS)
        and not _is_frozen_dataclass(value)
        and name not in SHARED_STATE
    ]
    assert not unsafe, (
        "module-level objects that web server threads could share unsafely; make each immutable, "
        "per thread (threading.local) or locked, or own it in an object: " + "; ".join(unsafe)
    )


def _fingerprints() -> dict[str, str]:
    out = {}
    for name, value in _module_objects():
        if isinstance(value, _CONTAINERS) and name not in SHARED_STATE:
            out[name] = repr(value)
    return out


@pytest.mark.django_db(transaction=True)
def test_serving_requests_changes_no_unlocked_module_level_container(
    client: Client, clean_env: dict[str, str], tmp_path: Path, shared_data: Path
) -> None:
    """Module-level dicts, lists and sets are read-only tables: serving every kind of page and API call
    (study pages re-derive records from v2 JSON and legacy XML) must leave each exactly as it was."""
    import gzip
    import itertools
    import subprocess

    few = tmp_path / "few.jsonl"
    with few.open("wb") as out:
        for name in ("ctgov_v2_studies.jsonl.gz", "ctgov_legacy_xml.jsonl.gz"):
            with gzip.open(shared_data / "ctgov" / name, "rb") as source:
                out.writelines(itertools.islice(source, 40))
    # Loaded by another process, so that only serving can change this one's state.
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    loaded = subprocess.run(ketnav_cmd("load", str(few)), env=env, capture_output=True, text=True, check=False)
    assert loaded.returncode == 0, loaded.stderr
    before = _fingerprints()
    hits = client.get("/api/trials?q=&status=any&page_size=100").json()["results"]
    assert {h["nct_id"][:4] for h in hits} == {"NCT0"}
    paths = [f"/trials/{h['nct_id']}/" for h in hits] + [f"/api/trials/{h['nct_id']}" for h in hits[:20]]
    paths += ["/", "/trials/?q=pain&status=any", "/search/?q=ketamine", "/guide/", "/guide/safety/", "/tools/"]
    paths += ["/tools/routes/?mode=clinician&dose=0.5+mg%2Fkg&over=40+min", "/api/guide", "/clinics/"]
    for path in paths:
        assert client.get(path).status_code == 200, path
    screen = {"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"}
    assert client.post("/api/safety/screen", json.dumps(screen), content_type="application/json").status_code == 200
    after = _fingerprints()
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert not changed, f"module-level state changed while serving; lock it or make it per thread: {changed}"
