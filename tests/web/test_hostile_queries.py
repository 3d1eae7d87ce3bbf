"""Pages answer hostile query values with a page, never a 500 (issue 15), against a small real registry
(so the trial finder really searches)."""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def small_registry(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[None]:
    from ketnav.trials.loading import load_paths
    from tests.trials.conftest import clear_registry

    records = tmp_path_factory.mktemp("hostile") / "records.jsonl"
    with gzip.open(shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz", "rb") as source:
        records.write_bytes(b"".join(itertools.islice(source, 60)))
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_paths([records], workers=1)
    yield
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        clear_registry()


HOSTILE = ["", "x", "-1", "9" * 5000, "1e309", "nan", "inf", "²", "٣", "0x10", "1" * 30, "a" * 20_000, "<script>"]
PAGES = {
    "/trials/": ["q", "page", "age", "radius_km", "near", "status", "phase", "sex", "start_from", "sort", "country"],
    "/trials/NCT00000410/": ["near", "back"],
    "/search/": ["q"],
    "/guide/": ["q"],
    "/tools/aftercare/": ["end", "route"],
    "/tools/routes/": ["mode", "dose", "over", "weight", "hours", "model", "route"],
    "/clinics/": ["sort"],
}


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("path", sorted(PAGES))
def test_pages_answer_hostile_query_values_without_a_server_error(client: Client, path: str, value: str) -> None:
    base = {"q": "pain", "mode": "clinician", "dose": "0.5 mg/kg", "end": "2024-05-01T10:00", "route": "iv"}
    for name in PAGES[path]:
        response = client.get(path, {**base, name: value})
        assert response.status_code < 500, (path, name, value[:20])
