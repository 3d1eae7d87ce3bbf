"""The safety tools through the CLI, the JSON API and the pages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import ketnav_cmd

pytestmark = pytest.mark.django_db


def test_cli_screen_json(tmp_path: Path, clean_env: dict[str, str]) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"}))
    out = subprocess.run(
        ketnav_cmd("screen", "--answers", str(answers), "--json"),
        env=clean_env,
        capture_output=True,
        text=True,
        check=True,
    )
    body = json.loads(out.stdout)
    rules = [f["rule"] for f in body["findings"]["precaution"]]
    assert rules == ["blood-pressure-above-140-90", "maoi"]
    assert body["findings"]["precaution"][1]["sources"][0]["id"] == "spravato-label"


def test_cli_screen_bad_file_is_one_line(tmp_path: Path, clean_env: dict[str, str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = subprocess.run(ketnav_cmd("screen", "--answers", str(bad)), env=clean_env, capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "is not valid JSON" in out.stderr


def test_cli_aftercare_writes_ics(tmp_path: Path, clean_env: dict[str, str]) -> None:
    ics = tmp_path / "plan.ics"
    out = subprocess.run(
        ketnav_cmd("aftercare", "--end", "2026-11-26T15:30", "--route", "iv", "--ics", str(ics), "--json"),
        env=clean_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["no_driving_until"] == "2026-11-27T15:30:00"
    assert "DTEND:20261127T153000" in ics.read_text()


def test_api_screen_and_errors(client: Client) -> None:
    ok = client.post(
        "/api/safety/screen",
        {"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"},
        content_type="application/json",
    ).json()
    assert [f["rule"] for f in ok["findings"]["precaution"]] == ["blood-pressure-above-140-90", "maoi"]
    bad = client.post("/api/safety/screen", "{oops", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    bp = client.post("/api/safety/screen", {"blood_pressure": "400/20"}, content_type="application/json")
    assert bp.status_code == 422
    detail = bp.json()["error"]["details"][0]
    assert detail["location"].endswith("blood_pressure") and "400 mmHg is not possible" in detail["message"]


def test_api_side_effects_and_aftercare(client: Client) -> None:
    res = client.post(
        "/api/safety/side-effects",
        {"effects": ["breathing"], "session_end": "2026-11-26T10:00", "now": "2026-11-26T11:00"},
        content_type="application/json",
    )
    assert res.json()["level"] == "urgent"
    ics = client.post(
        "/api/safety/aftercare.ics",
        {"session_end": "2026-11-26T15:30", "route": "nasal"},
        content_type="application/json",
    )
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in ics.content


def test_screen_page_round_trip(client: Client) -> None:
    page = client.get("/tools/safety-screen/").content.decode()
    assert 'name="medications"' in page
    result = client.post(
        "/tools/safety-screen/", {"age": "45", "medications": "Nardil\nblorptex", "systolic": "165", "diastolic": "102"}
    )
    html = result.content.decode()
    assert "MAO inhibitor" in html and "Blood pressure reading at or above 140 systolic or 90 diastolic" in html
    assert "not recognized — ask your clinician" in html
    assert "Questions to ask your clinician" in html


def test_screen_page_explains_bad_blood_pressure(client: Client) -> None:
    result = client.post("/tools/safety-screen/", {"systolic": "400", "diastolic": "20"})
    assert result.status_code == 422
    assert "not possible" in result.content.decode()


# --- issue 14 / 15 / 16: the pathway in every channel, typed API, plain CLI help -----------------------


def _run(clean_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ketnav_cmd(*args), env=clean_env, capture_output=True, text=True)


def _answers(tmp_path: Path, data: object) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_cli_passive_thoughts_print_the_crisis_contacts_first(tmp_path: Path, clean_env: dict[str, str]) -> None:
    out = _run(clean_env, "screen", "--answers", _answers(tmp_path, {"suicidal_thoughts": "passive"}))
    assert out.returncode == 0
    head = out.stdout.splitlines()[:4]
    assert head[0].startswith("If you are thinking about ending your life")
    assert any("988" in line for line in head)
    assert "Sometimes wishing you were not here" in out.stdout
    as_json = json.loads(
        _run(clean_env, "screen", "--answers", _answers(tmp_path, {"suicidal_thoughts": "passive"}), "--json").stdout
    )
    assert next(iter(as_json)) == "crisis" and "988" in json.dumps(as_json["crisis"])


def test_cli_shows_crisis_contacts_even_when_another_answer_is_wrong(tmp_path: Path, clean_env: dict[str, str]) -> None:
    data = {"suicidal_thoughts": "plan", "blood_pressure": "400/20"}
    out = _run(clean_env, "screen", "--answers", _answers(tmp_path, data))
    assert out.returncode == 2
    assert "988" in out.stdout and "400 mmHg is not possible" in out.stderr


def test_cli_hypertension_165_102_is_a_contraindication(tmp_path: Path, clean_env: dict[str, str]) -> None:
    data = {"conditions": ["uncontrolled hypertension"], "blood_pressure": "165/102"}
    body = json.loads(_run(clean_env, "screen", "--answers", _answers(tmp_path, data), "--json").stdout)
    assert "uncontrolled-hypertension" in {f["rule"] for f in body["findings"]["contraindication"]}


def test_cli_screen_help_lists_fields_values_and_plain_names(clean_env: dict[str, str]) -> None:
    help_text = _run(clean_env, "screen", "--help").stdout
    for word in ("suicidal_thoughts", "passive", "blood_pressure", "substance_use", "current_disorder", "glaucoma"):
        assert word in help_text
    assert "uncontrolled_hypertension" in help_text and "--template" in help_text


def test_cli_screen_template_is_a_valid_answers_file(tmp_path: Path, clean_env: dict[str, str]) -> None:
    template = _run(clean_env, "screen", "--template")
    assert template.returncode == 0
    path = tmp_path / "t.json"
    path.write_text(template.stdout)
    out = _run(clean_env, "screen", "--answers", str(path), "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["findings"]


def test_cli_aftercare_year_9999_is_exit_2(clean_env: dict[str, str]) -> None:
    out = _run(clean_env, "aftercare", "--end", "9999-12-31T23:00", "--route", "iv")
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "ketnav: error: --end: 9999 is not a plausible year for a session; give a date between 2000 and 2100"
    )


def test_api_passive_thoughts_return_crisis_first_with_988(client: Client) -> None:
    res = client.post("/api/safety/screen", {"suicidal_thoughts": "passive"}, content_type="application/json")
    body = res.json()
    assert res.status_code == 200 and next(iter(body)) == "crisis"
    assert "988" in json.dumps(body["crisis"]) and body["safety_pathway"][0]["rule"] == "suicidal-thoughts-passive"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/safety/aftercare", {"session_end": "9999-12-31T23:00", "route": "iv"}),
        ("/api/safety/aftercare.ics", {"session_end": "9999-12-31T23:00", "route": "iv"}),
        ("/api/safety/aftercare", {"session_end": "2026-11-26T15:30", "route": "i\u0000v"}),
        ("/api/safety/screen", {"medications": ["Xan\u0000ax"]}),
        ("/api/safety/screen", {"conditions": ["glau\u0000coma"]}),
        ("/api/safety/screen", {"suicidal_thoughts": "sometimes"}),
        ("/api/safety/side-effects", {"effects": ["nausea"], "session_end": "9999-12-31T23:00"}),
        ("/api/safety/side-effects", {"effects": ["nau\u0000sea"], "session_end": "2026-11-26T15:30"}),
    ],
)
def test_api_bad_safety_input_is_422_in_the_one_error_shape(client: Client, path: str, body: dict[str, object]) -> None:
    res = client.post(path, json.dumps(body), content_type="application/json")
    assert res.status_code == 422
    error = res.json()["error"]
    assert error["code"] == "invalid_input" and error["message"]


def test_openapi_describes_typed_safety_requests_and_responses(client: Client) -> None:
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for path, name in (
        ("/api/safety/screen", "ScreeningOut"),
        ("/api/safety/side-effects", "SideEffectsOut"),
        ("/api/safety/aftercare", "AftercareOut"),
    ):
        ok = spec["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].endswith(f"/{name}"), path
    answers = schemas["ScreeningAnswersIn"]["properties"]
    assert answers["suicidal_thoughts"]["enum"][:4] == ["none", "passive", "active", "plan"]
    assert (answers["age"]["minimum"], answers["age"]["maximum"]) == (0, 120)
    assert answers["medications"]["maxItems"] == 60 and answers["medications"]["items"]["maxLength"] == 200
    assert "crisis" in schemas["ScreeningOut"]["properties"]
    assert set(schemas["AftercareIn"]["properties"]["route"]["enum"]) >= {"iv", "nasal", "oral"}


def test_screen_page_shows_crisis_contacts_at_the_top_for_passive_thoughts(client: Client) -> None:
    html = client.post("/tools/safety-screen/", {"suicidal_thoughts": "passive"}).content.decode()
    crisis = html.index('class="crisis')
    assert crisis < html.index("Sometimes wishing you were not here") < html.index("Questions to ask")
    assert "988" in html[crisis : crisis + 2000]
    assert "Nothing in your answers matched" not in html


def test_screen_page_keeps_the_crisis_contacts_when_another_answer_is_wrong(client: Client) -> None:
    res = client.post("/tools/safety-screen/", {"suicidal_thoughts": "active", "systolic": "400", "diastolic": "20"})
    html = res.content.decode()
    assert res.status_code == 422 and 'class="crisis' in html and "not possible" in html


def test_side_effect_page_shows_crisis_for_thoughts_of_self_harm(client: Client) -> None:
    html = client.post("/tools/side-effects/", {"effects": ["self-harm"], "session_end": "bad"}).content.decode()
    assert 'class="crisis' in html and "988" in html


def test_pages_have_no_inline_handlers(client: Client) -> None:
    for url in ("/tools/aftercare/?end=2026-11-26T15:30&route=iv", "/tools/routes/", "/tools/safety-screen/"):
        assert "onclick=" not in client.get(url).content.decode(), url
    assert "onclick=" not in client.post("/tools/safety-screen/", {"age": "40"}).content.decode()
