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
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    bp = client.post("/api/safety/screen", {"blood_pressure": "400/20"}, content_type="application/json").json()
    assert bp["error"]["details"][0]["location"] == "blood_pressure"


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
    assert "MAO inhibitor" in html and "Blood pressure reading above 140/90" in html
    assert "not recognized — ask your clinician" in html
    assert "Questions to ask your clinician" in html


def test_screen_page_explains_bad_blood_pressure(client: Client) -> None:
    result = client.post("/tools/safety-screen/", {"systolic": "400", "diastolic": "20"})
    assert result.status_code == 422
    assert "not possible" in result.content.decode()
