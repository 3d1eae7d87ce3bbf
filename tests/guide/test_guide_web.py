"""The guide through its pages, the JSON API, the CLI and the site search, with a real registry."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ketnav.guide.knowledge import knowledge
from ketnav.trials.loading import load_paths
from ketnav.trials.search.engine import SearchRequest, search
from tests.conftest import current_database_url, ketnav_cmd
from tests.trials.conftest import clear_registry

pytestmark = pytest.mark.django_db

PAGES = [f"/guide/{t.slug}/" for t in knowledge().topics]


@pytest.fixture(scope="module")
def registry(django_db_setup: Any, django_db_blocker: Any, shared_data: Path) -> Iterator[None]:
    """The real API v2 records, loaded once for the tests that need counts."""
    with django_db_blocker.unblock():
        clear_registry()
        load_paths([shared_data / "ctgov" / "ctgov_v2_studies.jsonl.gz"], workers=2)
        yield
        clear_registry()


def test_every_topic_page_has_its_furniture(client: Client) -> None:
    for i, url in enumerate(PAGES):
        html = client.get(url).content.decode()
        topic = knowledge().topics[i]
        assert f"<h1>{topic.title}</h1>" in html
        assert "Last reviewed" in html and 'aria-label="On this page"' in html
        for section in topic.sections:
            assert f'href="#{section.id}"' in html and f'id="{section.id}"' in html
        assert ('rel="prev"' in html) == (i > 0) and ('rel="next"' in html) == (i < len(PAGES) - 1)
        assert "Print this page" in html and "Medical disclaimer" in html


def test_every_citation_and_fact_link_lands_on_an_anchor(client: Client) -> None:
    references = client.get("/guide/references/").content.decode()
    anchors = set(re.findall(r'id="(ref-[a-z0-9-]+)"', references))
    for url in PAGES:
        html = client.get(url).content.decode()
        cited = set(re.findall(r'href="/guide/references/#(ref-[a-z0-9-]+)"', html))
        assert cited and cited <= anchors, url
        facts = set(re.findall(r'class="fact" href="#(fact-[a-z0-9-]+)"', html))
        assert facts <= set(re.findall(r'id="(fact-[a-z0-9-]+)"', html)), url


def test_unknown_topic_is_404(client: Client) -> None:
    assert client.get("/guide/dosing/").status_code == 404
    body = client.get("/api/guide/dosing").json()
    assert body["error"]["code"] == "not_found" and "background" in body["error"]["message"]


def test_empty_registry_says_how_to_load_it(client: Client) -> None:
    html = client.get("/guide/applications/").content.decode()
    assert "your local copy of the trial registry is empty" in html and "ketnav sync" in html
    topic = client.get("/api/guide/applications").json()
    assert {r["open_studies"] for r in topic["registry"]} == {None}


def test_open_study_counts_come_from_the_registry(client: Client, registry: None) -> None:
    html = client.get("/guide/applications/").content.decode()
    topic = client.get("/api/guide/applications").json()
    for row in topic["registry"]:
        expected = search(SearchRequest(text=row["query"], facets=False, snippets=False)).total
        assert row["open_studies"] == expected
        assert f"{expected} open stud" in html
    assert "/trials/?q=intervention%3Aketamine%2Cesketamine%2Carketamine+condition%3Aptsd&amp;status=open" in html


def test_api_lists_topics_and_returns_sections_and_facts(client: Client) -> None:
    topics = client.get("/api/guide").json()
    assert [t["slug"] for t in topics] == [t.slug for t in knowledge().topics]
    assert all(0 < t["reading_grade"] < 10 for t in topics)
    body = client.get("/api/guide/comparative").json()
    assert [s["id"] for s in body["sections"]][:2] == ["at-a-glance", "speed"]
    fact = next(f for f in body["facts"] if f["id"] == "stard-step1-remission")
    assert fact["value"] == 36.8 and fact["unit"] == "%" and fact["citations"] == ["rush-2006"]
    assert {"rush-2006", "serretti-2009"} <= {r["id"] for r in body["references"]}
    schema = client.get("/api/openapi.json").json()
    assert "/api/guide/{slug}" in schema["paths"]


def test_site_search_shows_guide_sections_and_trials(client: Client, registry: None) -> None:
    html = client.get("/search/", {"q": "ketamine ptsd"}).content.decode()
    assert 'href="/guide/applications/#ptsd"' in html
    html = client.get("/search/", {"q": "ketamine headache"}).content.decode()
    assert re.search(r'href="/trials/NCT\d{8}/"', html)
    assert client.get("/search/", {"q": 'NEAR( "'}).status_code == 200


def test_cli_lists_and_prints_topics(tmp_path: Path, clean_env: dict[str, str]) -> None:
    env = {**clean_env, "KETNAV_DATABASE_URL": current_database_url()}
    listing = subprocess.run(ketnav_cmd("guide"), env=env, capture_output=True, text=True, check=True)
    assert all(t.slug in listing.stdout for t in knowledge().topics)
    safety = subprocess.run(ketnav_cmd("guide", "safety"), env=env, capture_output=True, text=True, check=True)
    assert "at least 24 hours" in safety.stdout and "[Spravato label 2026]" in safety.stdout
    as_json = subprocess.run(
        ketnav_cmd("guide", "safety", "--json"), env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(as_json.stdout)["slug"] == "safety"
    missing = subprocess.run(ketnav_cmd("guide", "dosing"), env=env, capture_output=True, text=True)
    assert missing.returncode == 3 and "No guide topic 'dosing'" in missing.stderr


def test_guide_snippets_show_no_markdown_list_markers() -> None:
    """A section's bulleted list once showed as "- Ketamine (sold as Ketalar ...)" in search results."""
    from ketnav.guide.search import guide_index

    for query in ("ketamine", "ketalar", "esketamine", "anxiety", "driving", "blood pressure"):
        for hit in guide_index().search(query, limit=20):
            text = "".join(part for part, _highlighted in hit.snippet)
            assert not text.lstrip().startswith(("- ", "* ", "+ ")), (query, text)
