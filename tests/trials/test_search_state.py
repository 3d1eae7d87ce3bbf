"""The search index from other threads, as the server uses it: background warming and concurrent
searches while the registry changes. Writes are committed here (other threads' connections must see
them), so this module loads its own small registry."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ketnav.text.query import Term
from ketnav.trials.loading import load_paths
from ketnav.trials.search.backends import backend_for
from ketnav.trials.search.engine import SearchRequest, SearchResults, search
from ketnav.trials.search.filters import build_filters
from ketnav.trials.search.state import SearchIndex
from tests.trials.conftest import clear_registry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def registry(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> Any:
    chosen = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]][:600]
    path = tmp_path / "some.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in chosen))
    load_paths([path], workers=1)
    yield
    clear_registry()


def bump_registry_version() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trials_registryversion SET version = version + 1 WHERE id = 1")


ANY = build_filters(status=["any"])
REQUESTS = [
    SearchRequest(text="pain", filters=ANY, page_size=10, snippets=False),
    SearchRequest(text="cancer chemotherapy", filters=ANY, page_size=10, snippets=False),
    SearchRequest(text="depression", filters=build_filters(age=40), page_size=10, snippets=False),
    SearchRequest(
        filters=build_filters(status=["any"], near="42.36,-71.06", radius_km=300), sort="distance", snippets=False
    ),
    SearchRequest(text="disorder", filters=ANY, page=2, snippets=False),
]


def summary(results: SearchResults) -> tuple[Any, ...]:
    return results.total, [(h.nct_id, h.score) for h in results.hits], results.facets


def test_a_server_computes_the_terms_in_use_again_after_a_registry_change(registry: None) -> None:
    index = SearchIndex(broad_min_rows=20)
    index.start_warming()
    assert index.wait_for_warming(60)
    before = index.snapshot()
    search(REQUESTS[0], index=index)
    assert index.term_key(Term(("pain",)))[0] in {k for k, _s in before.terms.entries}
    bump_registry_version()
    search(REQUESTS[1], index=index)  # a search at the new version starts the background warm-up ...
    assert index.wait_for_warming(60)
    after = index.snapshot()
    assert after is not before
    # ... which asked for "pain" again
    assert index.term_key(Term(("pain",)))[0] in {k for k, _s in after.terms.entries}
    assert after.terms.to_warm() == []


def test_background_warm_up_failures_are_logged(registry: None, caplog: pytest.LogCaptureFixture) -> None:
    other = backend_for("postgresql" if connection.vendor == "sqlite" else "sqlite")
    index = SearchIndex(backend=other)
    with caplog.at_level("ERROR", logger="ketnav.trials.search.state"):
        index.start_warming()
        assert index.wait_for_warming(60)
    [record] = caplog.records
    assert record.getMessage().startswith("search warm-up failed at ")
    assert record.threadName == "ketnav-search-warm-up" and record.exc_info is not None


def test_concurrent_searches_agree_while_the_registry_version_moves(registry: None) -> None:
    """Eight threads search (text, filters, facets, places, pages) while the version moves under them,
    so snapshots are replaced, site points and term caches built, mid-search: every answer equals the
    one computed alone. (Snippets are left out: they decompress raw records, whose codec is tested
    under concurrency with the records themselves.)"""
    index = SearchIndex(broad_min_rows=20)
    expected = [summary(search(r, index=index)) for r in REQUESTS]
    first_version = index.snapshot().version
    problems: list[BaseException] = []

    def searcher() -> None:
        try:
            for _round in range(6):
                for request, answer in zip(REQUESTS, expected, strict=True):
                    assert summary(search(request, index=index)) == answer
        except BaseException as exc:  # reported by the main thread
            problems.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=searcher) for _ in range(8)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        bump_registry_version()
        time.sleep(0.02)
    for thread in threads:
        thread.join()
    assert not problems, problems[0]
    assert index.snapshot().version > first_version
