"""The search index from other threads, as the server uses it: background warming and concurrent
searches while the registry changes. Writes are committed here (other threads' connections must see
them), so this module loads its own small registry."""

from __future__ import annotations

import copy
import json
import re
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


def _reload_with(tmp_path: Path, study: dict[str, Any], *, title: str, summary_text: str) -> None:
    """Load a changed copy of a study, as a sync that found it updated would: the registry version moves."""
    changed = json.loads(json.dumps(study))
    changed["protocolSection"]["identificationModule"]["briefTitle"] = title
    changed["protocolSection"].setdefault("descriptionModule", {})["briefSummary"] = summary_text
    # newer than any real record's, as the registry dates an update (an older or same date is not taken)
    changed["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2099-01-01", "type": "ACTUAL"}
    path = tmp_path / "changed.jsonl"
    path.write_text(json.dumps(changed) + "\n")
    load_paths([path], workers=1)


def _first_loaded(v2_studies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return next(s for s in v2_studies.values() if "statusModule" in s["protocolSection"])


def test_kept_pages_and_snippet_texts_answer_only_their_registry_version(
    registry: None, tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    """A page of results and a study's snippet text are kept for the version they were computed at: after a
    load changes the study, the next search shows its new title, snippet and reasons, not the kept ones."""
    study = _first_loaded(v2_studies)
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    index = SearchIndex()
    by_id = SearchRequest(text=nct, filters=ANY)
    by_word = SearchRequest(text="zzyzxquell", filters=ANY)
    first = search(by_id, index=index)
    assert [h.nct_id for h in first.hits] == [nct]
    assert first.version == index.registry_version()
    assert search(by_word, index=index).total == 0
    assert index.pages.entries and index.snippet_texts.get(first.version, nct) is not None

    _reload_with(tmp_path, study, title="A changed title", summary_text="Zzyzxquell therapy for a changed study.")
    again = search(by_id, index=index)
    assert again.version is not None and again.version > (first.version or 0)
    assert again.hits[0].brief_title == "A changed title"
    assert again.hits[0].snippet == [("Zzyzxquell therapy for a changed study.", False)]
    found = search(by_word, index=index)
    assert [h.nct_id for h in found.hits] == [nct]
    assert found.hits[0].why == ["“zzyzxquell” in summary"]


def test_changing_what_search_hands_out_leaves_the_kept_page_alone(registry: None) -> None:
    index = SearchIndex()
    request = SearchRequest(text="pain", filters=ANY, page_size=5)
    first = search(request, index=index)
    expected = copy.deepcopy((summary(first), [(h.snippet, h.why) for h in first.hits], first.notes, first.concepts))
    assert first.hits and first.hits[0].snippet
    first.hits[0].snippet.append(("changed", True))
    first.hits[0].why.clear()
    first.hits.reverse()
    first.facets.clear()
    first.notes.append("changed")
    again = search(request, index=index)
    assert (summary(again), [(h.snippet, h.why) for h in again.hits], again.notes, again.concepts) == expected


def test_results_from_columns_standing_in_for_a_newer_version_are_not_kept(registry: None) -> None:
    """While a load writes, old columns may stand in for the new version (see state.py): what they answer
    is not what searching at that version answers once the columns are rebuilt, so it is never kept."""
    index = SearchIndex(slow_build_s=-1.0, stale_factor=1e9)  # every snapshot may stand in, for ever
    request = SearchRequest(text="pain", filters=ANY, page_size=5)
    assert search(request, index=index).version is not None
    bump_registry_version()
    stood_in = search(request, index=index)
    assert index.snapshot().version < index.registry_version()
    assert stood_in.version is None
    assert index.pages.entries == {}


def test_the_trials_page_shows_a_changed_study_after_a_load(
    registry: None, client: Any, tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    """The page's rendered results are kept per query string and version: a load that changes a study
    shows on the same page at once, and the same query string is rendered the same way until then."""
    study = _first_loaded(v2_studies)
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    title = study["protocolSection"]["identificationModule"]["briefTitle"]
    path = f"/trials/?q={nct}&status=any"

    def page() -> str:  # the form's CSRF token is masked afresh for every response
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", client.get(path).content.decode())

    first = page()
    assert first.count(nct) >= 1 and title.split()[0] in first
    assert page() == first
    _reload_with(tmp_path, study, title="A title changed by a sync", summary_text="Changed summary.")
    changed = page()
    assert "A title changed by a sync" in changed and "Changed summary." in changed
