"""The trial finder's pages, rendered by Django against a small real registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ketnav.trials.loading import load_paths

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_registry(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    chosen = [s for s in v2_studies.values() if "statusModule" in s["protocolSection"]][:150]
    chosen += [v2_studies["NCT04179266"], v2_studies["NCT04814381"]]
    path = tmp_path / "few.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in chosen))
    load_paths([path], workers=1)


def test_empty_registry_explains_how_to_load(client: Client) -> None:
    html = client.get("/trials/").content.decode()
    assert "The local registry is empty" in html
    assert "ketnav sync" in html


def test_search_page_shows_cards_facets_and_why(client: Client, small_registry: None) -> None:
    html = client.get("/trials/", {"q": "ketamine", "status": "any"}).content.decode()
    assert 'href="/trials/NCT04179266/"' in html
    assert 'class="badge closed">Completed' in html
    assert "<mark>" in html and "Why it matched" in html
    assert 'aria-label="Refine results"' in html


def test_bad_filter_is_explained_not_a_500(client: Client, small_registry: None) -> None:
    response = client.get("/trials/", {"q": "pain", "age": "400"})
    assert response.status_code == 422
    assert "400 is not a possible age" in response.content.decode()


def test_hostile_query_renders(client: Client, small_registry: None) -> None:
    response = client.get("/trials/", {"q": 'NEAR( "x * <script>alert(1)</script>'})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_study_page_has_every_section(client: Client, small_registry: None) -> None:
    html = client.get("/trials/NCT04179266/").content.decode()
    for heading in (
        "In short",
        "Key facts",
        "Eligibility",
        "You may be able to join if",
        "You may not be able to join if",
        "Arms and interventions",
        "What the study measures",
        "Where",
        "Contacts",
    ):
        assert heading in html, heading
    assert "https://clinicaltrials.gov/study/NCT04179266" in html
    assert "Record last updated on ClinicalTrials.gov: 2021-02-24" in html


def test_study_page_shows_criteria_without_markdown_escapes(client: Client, small_registry: None) -> None:
    html = client.get("/trials/NCT04179266/").content.decode()
    # the registry's text says "Systolic\> 140" and "NRS \< 4": Markdown escapes, shown resolved
    assert "(Systolic&gt; 140 mmHg or / and diastolic blood pressure&gt; 90 mm Hg)" in html
    assert "(e.g. NRS &lt; 4)" in html
    assert "\\&gt;" not in html and "\\&lt;" not in html and "\\>" not in html


def test_study_page_does_not_repeat_the_summary_as_the_description(client: Client, small_registry: None) -> None:
    html = client.get("/trials/NCT04814381/").content.decode()
    assert "In short" in html
    assert "Detailed description" not in html  # the record's description is its summary, word for word


def test_study_page_sorts_sites_by_distance(client: Client, small_registry: None) -> None:
    html = client.get("/trials/NCT04179266/", {"near": "55.68,12.57"}).content.decode()
    assert "nearest to 55.6800, 12.5700 first" in html
    assert " km</td>" in html


def test_unknown_study_is_a_404_page(client: Client) -> None:
    response = client.get("/trials/NCT00000000/")
    assert response.status_code == 404
    assert "not in the local registry" in response.content.decode()


def test_api_search_and_study(client: Client, small_registry: None) -> None:
    body = client.get("/api/trials", {"q": "ketamine", "status": "any"}).json()
    assert body["results"][0]["nct_id"] == "NCT04179266"
    assert body["total"] >= 1
    study = client.get("/api/trials/NCT04179266").json()
    assert study["eligibility"]["inclusion"][0] == "Signed informed consent"
    assert study["start_date"] == {"date": "2019-11-20", "precision": "day"}
    error = client.get("/api/trials", {"q": "x", "phase": "PHASE9"}).json()
    assert error["error"]["code"] == "invalid_input"
    assert error["error"]["details"][0]["location"] == "phase"
