"""schemathesis against /api/openapi.json (issue 15): every operation, generated requests, no 5xx.

Runs in-process through Django's WSGI application on the test database, with a small real registry
so that searches and study lookups return data whose responses are checked against their schemas.
Bounded (MAX_EXAMPLES per operation) and deterministic (a fixed seed, no example database), so CI sees
the same requests every run. Every operation must never answer a server error; the trial, guide and
version operations must also conform to their schema in full: documented status codes, content type,
and response bodies that match the declared models.
"""

from __future__ import annotations

import gzip
import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis import checks
from schemathesis.core.result import Ok

from ketnav.web.wsgi import application

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 15
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
EXAMPLES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def small_registry(django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory,
                   shared_data: Path) -> Iterator[None]:  # fmt: skip
    """100 API v2 and 100 legacy XML records, loaded once for the module and removed afterwards."""
    from ketnav.trials.loading import load_paths
    from tests.trials.conftest import clear_registry

    records = tmp_path_factory.mktemp("fuzz") / "records.jsonl"
    with records.open("wb") as out:
        for name in ("ctgov_v2_studies.jsonl.gz", "ctgov_legacy_xml.jsonl.gz"):
            with gzip.open(shared_data / "ctgov" / name, "rb") as source:
                out.writelines(itertools.islice(source, 100))
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_paths([records], workers=1)
    yield
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        clear_registry()


@pytest.fixture(autouse=True)
def keep_test_connection() -> Iterator[None]:
    """As Django's test client does: requests must not close the test's database connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@seed(15)
def test_api_never_answers_a_server_error(case: schemathesis.Case[Any]) -> None:
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    EXAMPLES[operation] += 1
    case.call_and_validate(  # every operation declares its typed answers, so all of them are checked in full
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ]
    )


def test_fuzzing_reached_every_operation() -> None:
    """Runs after the generated tests (pytest keeps file order): each operation got examples."""
    loaded = [result for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(loaded) == len(list(schema.get_all_operations())), "the schema has operations schemathesis cannot read"
    operations = {f"{op.ok().method.upper()} {op.ok().path}" for op in loaded}
    print(f"schemathesis: {len(operations)} operations, {EXAMPLES.total()} examples")
    assert set(EXAMPLES) == operations
