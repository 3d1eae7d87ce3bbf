"""The pre-screen at the boundaries: `ketnav trial --patient`, POST /api/trials/{id}/prescreen and the
study page's "Could I take part?" form; and nothing the person types reaches a log."""

from __future__ import annotations

import json
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ketnav.trials.loading import load_paths
from tests.conftest import current_database_url, ketnav_cmd

pytestmark = pytest.mark.django_db(transaction=True)

GLAUCOMA = "A 45-year-old man with chronic cluster headache and glaucoma"
HEALTHY = "A 45-year-old with chronic cluster headache, 82 kg, BMI 25, no other illness"


@pytest.fixture
def one_study(tmp_path: Path, v2_studies: dict[str, dict[str, Any]]) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(v2_studies["NCT04179266"]) + "\n")
    load_paths([path], workers=1)


def _ketnav(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ketnav_cmd(*args), env=env, capture_output=True, text=True, timeout=300, check=False)


def test_cli_adds_the_prescreen_to_the_json(one_study: None, clean_env: dict[str, str], tmp_path: Path) -> None:
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    shown = _ketnav(env, "trial", "NCT04179266", "--patient", GLAUCOMA, "--json")
    assert shown.returncode == 0, shown.stderr
    prescreen = json.loads(shown.stdout)["prescreen"]
    assert prescreen["verdict"] == "likely_excluded"
    assert {"kind", "text", "status", "because"} == set(prescreen["criteria"][0])
    iop = next(c for c in prescreen["criteria"] if "intraocular" in c["text"])
    assert (iop["kind"], iop["status"]) == ("exclusion", "met")
    described = tmp_path / "me.txt"
    described.write_text(HEALTHY)
    text = _ketnav(env, "trial", "NCT04179266", "--patient", f"@{described}")
    assert text.returncode == 0, text.stderr
    assert "Pre-screen: possibly eligible" in text.stdout and "not a decision" in text.stdout


@pytest.mark.parametrize("patient", ["", "   ", "@/no/such/file.txt", "x" * 5001])
def test_cli_bad_patient_is_one_line_exit_2(clean_env: dict[str, str], patient: str) -> None:
    result = _ketnav(clean_env, "trial", "NCT04179266", "--patient", patient)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ketnav: error: --patient: ")


def test_api_prescreen(client: Client, one_study: None) -> None:
    url = "/api/trials/NCT04179266/prescreen"
    excluded = client.post(url, {"patient": GLAUCOMA}, content_type="application/json")
    assert excluded.status_code == 200, excluded.content
    body = excluded.json()
    assert body["nct_id"] == "NCT04179266" and body["verdict"] == "likely_excluded"
    assert any("intraocular" in reason for reason in body["reasons"])
    by_age = client.post(url, {"answers": {"age": 70, "sex": "M"}}, content_type="application/json").json()
    assert by_age["verdict"] == "likely_excluded" and all("Age" in r for r in by_age["reasons"])
    fine = client.post(url, {"patient": HEALTHY}, content_type="application/json").json()
    assert fine["verdict"] != "likely_excluded" and fine["questions"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"patient": "  "}, 422),
        ({"answers": {"facts": {"no-such-concept": True}}}, 422),
        ({"answers": {"age": 500}}, 422),
        ({"patient": "x" * 5001}, 422),
        ({"patient": 45}, 422),
    ],
)
def test_api_prescreen_refuses_bad_input(client: Client, one_study: None, body: dict[str, Any], status: int) -> None:
    answer = client.post("/api/trials/NCT04179266/prescreen", body, content_type="application/json")
    assert answer.status_code == status
    assert set(answer.json()) == {"error"}


def test_api_prescreen_unknown_or_malformed_study(client: Client, one_study: None) -> None:
    payload = {"patient": GLAUCOMA}
    assert client.post("/api/trials/NCT00000001/prescreen", payload, content_type="application/json").status_code == 404
    assert client.post("/api/trials/NCT123/prescreen", payload, content_type="application/json").status_code == 422


def test_page_api_and_search_share_one_parse_of_a_study(
    client: Client, tmp_path: Path, v2_studies: dict[str, dict[str, Any]]
) -> None:
    """One cache key (the stored record's hash) for every caller: a study parsed for its page is not parsed
    again for the API or for a described person's search."""
    import copy
    import uuid

    from ketnav.trials.apps import criteria_cache
    from ketnav.trials.selectors import parsed_criteria

    study = copy.deepcopy(v2_studies["NCT04179266"])
    eligibility = study["protocolSection"]["eligibilityModule"]
    # Synthetic, so this record's hash (the cache key) is new to the process-wide cache.
    eligibility["eligibilityCriteria"] += f"\n* Synthetic test criterion {uuid.uuid4().hex}"
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(study) + "\n")
    load_paths([path], workers=1)
    cache = criteria_cache()
    hits, misses = cache.hits, cache.misses
    assert client.get("/trials/NCT04179266/").status_code == 200
    url = "/api/trials/NCT04179266/prescreen"
    assert client.post(url, {"patient": GLAUCOMA}, content_type="application/json").status_code == 200
    assert "NCT04179266" in parsed_criteria(["NCT04179266"], cache)
    assert (cache.hits - hits, cache.misses - misses) == (2, 1)


def test_study_page_form_is_generated_from_the_criteria_and_posts_with_csrf(one_study: None) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/trials/NCT04179266/")
    html = page.content.decode()
    assert "Could I take part?" in html
    assert '<label for="ps-age">' in html and "<legend>About you</legend>" in html
    assert "Do you have glaucoma or raised pressure in the eye?" in html  # from the IOP exclusion
    assert 'name="m_bmi"' in html  # from "Body weight ≥50 kg and BMI ≤30"
    assert client.post("/trials/NCT04179266/", {"age": "45"}).status_code == 403  # no CSRF token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    answered = client.post(
        "/trials/NCT04179266/",
        {"csrfmiddlewaretoken": token, "age": "45", "sex": "M", "c_glaucoma": "yes", "c_cluster_headache": "yes"},
    )
    assert answered.status_code == 200
    assert answered["Cache-Control"] == "no-store"
    shown = answered.content.decode()
    assert "Pre-screen: likely not eligible" in shown and "only the study team can say" in shown
    assert '<table class="data prescreen-table">' in shown and ">Met<" in shown and ">Unknown<" in shown
    refused = client.post("/trials/NCT04179266/", {"csrfmiddlewaretoken": token, "age": "two hundred"})
    assert refused.status_code == 422 and "age: not a number" in refused.content.decode()


def test_nothing_the_person_types_is_logged(client: Client, one_study: None, caplog: pytest.LogCaptureFixture) -> None:
    secret = "Zanzibar-4417 denies alcohol use, no history of psychosis"
    caplog.set_level(logging.DEBUG)
    api = client.post("/api/trials/NCT04179266/prescreen", {"patient": secret}, content_type="application/json")
    assert api.status_code == 200
    bad = client.post(
        "/api/trials/NCT04179266/prescreen",
        {"patient": secret, "answers": {"age": "Zanzibar-4417"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    page = client.post("/trials/NCT04179266/", {"about": secret, "age": "45"})
    assert page.status_code == 200
    refused = client.post("/trials/NCT04179266/", {"about": secret, "age": "Zanzibar-4417"})
    assert refused.status_code == 422
    missing = client.post("/api/trials/NCT00000001/prescreen", {"patient": secret}, content_type="application/json")
    assert missing.status_code == 404
    matched = client.post("/api/match", {"text": "cluster headache " + secret}, content_type="application/json")
    assert matched.status_code == 200
    refused_match = client.post(
        "/api/match", {"text": secret, "limit": "Zanzibar-4417"}, content_type="application/json"
    )
    assert refused_match.status_code == 422
    described = client.post("/trials/", {"about": "cluster headache " + secret, "medicines": secret})
    assert described.status_code == 200
    refused_page = client.post("/trials/", {"about": secret, "age": "Zanzibar-4417", "gad7": "Zanzibar-4417"})
    alert = refused_page.content.decode().split('id="describe-error"')[1].split("</div>")[0]
    assert refused_page.status_code == 422 and "Age in years" in alert and "Zanzibar" not in alert
    assert missing.status_code == 404
    assert caplog.records  # the requests were logged (the 4xx answers at least) ...
    logged = caplog.text + " ".join(str(r.args) + str(r.getMessage()) for r in caplog.records)
    assert "Zanzibar" not in logged  # ... but never what the person typed


def test_api_match_searches_and_prescreens(client: Client, one_study: None) -> None:
    body = {"text": GLAUCOMA, "status": ["any"]}
    answer = client.post("/api/match", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    found = answer.json()
    assert "cluster" in found["search"]["query"] and found["search"]["age"] == 45 and found["search"]["sex"] == "M"
    assert found["crisis"] is None and "study team" in found["notice"]
    hit = next(r for r in found["results"] if r["nct_id"] == "NCT04179266")
    assert hit["prescreen"]["verdict"] == "likely_excluded"
    assert any("intraocular" in reason for reason in hit["prescreen"]["reasons"])
    fine = client.post("/api/match", {"text": HEALTHY, "status": ["any"]}, content_type="application/json").json()
    assert fine["results"][0]["prescreen"]["verdict"] != "likely_excluded"
    answered = {"text": "cluster headache", "answers": {"facts": {"suicidal": True}}, "status": ["any"]}
    crisis = client.post("/api/match", answered, content_type="application/json").json()
    assert crisis["crisis"]["contacts"] and crisis["results"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": "  "},
        {"text": "x" * 5001},
        {"text": 45},
        {"text": "cluster headache", "limit": 0},
        {"text": "cluster headache", "status": ["NOPE"]},
        {"text": "cluster headache", "answers": {"age": 500}},
        {"text": "cluster headache", "answers": {"facts": {"no-such-concept": True}}},
        {"text": "no", "answers": {"age": 40}},
    ],
)
def test_api_match_refuses_bad_input(client: Client, one_study: None, body: dict[str, Any]) -> None:
    answer = client.post("/api/match", body, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert set(answer.json()) == {"error"}


def test_cli_match(one_study: None, clean_env: dict[str, str], tmp_path: Path) -> None:
    env = clean_env | {"KETNAV_DATABASE_URL": current_database_url()}
    shown = _ketnav(env, "match", GLAUCOMA, "--status", "any", "--json")
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert found["search"]["age"] == 45 and found["results"][0]["prescreen"]["verdict"] == "likely_excluded"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"age": 45, "facts": {"glaucoma": True}}))
    text = _ketnav(env, "match", "chronic cluster headache", "--answers", str(answers), "--status", "any")
    assert text.returncode == 0, text.stderr
    assert "[likely excluded] NCT04179266" in text.stdout and "never a decision" in text.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("   ",),
        ("x" * 5001,),
        ("cluster headache", "--limit", "0"),
        ("cluster headache", "--answers", "/no/such/file.json"),
    ],
)
def test_cli_match_bad_input_is_one_line_exit_2(clean_env: dict[str, str], args: tuple[str, ...]) -> None:
    result = _ketnav(clean_env, "match", *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ketnav: error: "), lines


def test_cli_match_bad_answers_file(clean_env: dict[str, str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"age": 500}))
    result = _ketnav(clean_env, "match", "anxiety", "--answers", str(answers))
    assert result.returncode == 2
    assert result.stderr.strip() == "ketnav: error: --answers: age: Input should be less than or equal to 120"


def test_trials_page_describe_box_posts_with_csrf_and_shows_badges(one_study: None) -> None:
    client = Client(enforce_csrf_checks=True)
    html = client.get("/trials/").content.decode()
    assert "Describe your situation" in html and '<label for="d-about">' in html
    assert "<legend>Have you had thoughts of ending your life, or of harming yourself?</legend>" in html
    assert client.post("/trials/", {"about": GLAUCOMA}).status_code == 403  # no CSRF token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    answered = client.post("/trials/", {"csrfmiddlewaretoken": token, "about": GLAUCOMA, "status": "any"})
    assert answered.status_code == 200 and answered["Cache-Control"] == "no-store"
    shown = answered.content.decode()
    assert 'class="badge verdict-likely_excluded"' in shown and "Why likely excluded:" in shown
    assert "intraocular" in shown and "the study team can say" in shown and 'href="/trials/NCT04179266/' in shown
    assert 'role="alert" aria-labelledby="crisis-title"' not in shown
    refused = client.post("/trials/", {"csrfmiddlewaretoken": token, "about": GLAUCOMA, "age": "two hundred"})
    assert refused.status_code == 422 and "Please check: Age in years" in refused.content.decode()


@pytest.mark.parametrize(
    "form",
    [
        {"q_suicidal": "yes"},  # even with nothing else to search for
        {"q_suicidal": "yes", "about": "anxiety", "age": "two hundred"},  # even when a field is refused
        {"about": "generalized anxiety, I have been having suicidal thoughts"},
    ],
)
def test_trials_page_shows_crisis_contacts_first(client: Client, one_study: None, form: dict[str, str]) -> None:
    shown = client.post("/trials/", form).content.decode()
    crisis = shown.find('aria-labelledby="crisis-title"')
    assert crisis != -1 and crisis < shown.find('id="describe-title"')
    assert "988" in shown


def test_trials_page_no_crisis_for_a_plain_no(client: Client, one_study: None) -> None:
    shown = client.post("/trials/", {"about": "generalized anxiety", "q_suicidal": "no"}).content.decode()
    assert 'aria-labelledby="crisis-title"' not in shown
    # Words about suicide show them even when negated: a negation reader would also miss
    # "not able to stop thinking about suicide".
    worded = client.post("/trials/", {"about": "anxiety, no suicidal thoughts", "q_suicidal": "no"}).content.decode()
    assert 'aria-labelledby="crisis-title"' in worded


def test_api_match_crisis_contacts_even_with_nothing_to_search(client: Client, one_study: None) -> None:
    answer = client.post("/api/match", {"answers": {"facts": {"suicidal": True}}}, content_type="application/json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["crisis"]["contacts"] and body["results"] == [] and body["notes"][0].startswith("No search was run")


def test_study_page_form_shows_crisis_contacts_on_a_suicide_answer(client: Client, one_study: None) -> None:
    shown = client.post("/trials/NCT04179266/", {"about": "I keep thinking about ending my life"}).content.decode()
    assert 'aria-labelledby="crisis-title"' in shown and "988" in shown
    calm = client.post("/trials/NCT04179266/", {"about": "cluster headache", "age": "45"}).content.decode()
    assert 'aria-labelledby="crisis-title"' not in calm
