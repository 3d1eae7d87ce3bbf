"""The journal API: scales as the issue specifies, every kind of entry, errors, sharing, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from ketnav.journal.models import AuditEvent, ScaleResult, Share, VitalSigns
from tests.journal.conftest import GAD7, PHQ9_ITEM9, Api

pytestmark = pytest.mark.django_db

SESSION = {"started_at": "2026-11-03T09:30", "route": "iv", "dose": "0.5 mg/kg over 40 min", "clinic": "Clinic A"}
VITALS = {"measured_at": "2026-11-03T10:15", "systolic": 142, "diastolic": 91, "heart_rate": 88}
SIDE = {"session_end": "2026-11-03T10:10", "noticed_at": "2026-11-03T12:00", "effects": ["nausea", "dizziness"]}
NOTE = {"written_at": "2026-11-04T20:00", "text": "Slept well; less worry at work."}
BODIES = {"sessions": SESSION, "scales": GAD7, "side-effects": SIDE, "vitals": VITALS, "notes": NOTE}


def test_recording_gad7_returns_201_with_total_and_severity(as_alice: Api) -> None:
    response = as_alice.post("/api/journal/scales", GAD7)
    assert response.status_code == 201
    body = response.json()
    assert (body["total"], body["severity"], body["max_total"], body["crisis"]) == (16, "severe", 21, None)
    assert body["answers"] == [3, 3, 3, 2, 2, 2, 1] and body["taken_on"] == "2026-11-02"
    assert as_alice.get(f"/api/journal/scales/{body['id']}").json() == body


def test_phq9_item9_above_zero_returns_crisis_resources_with_988(as_alice: Api) -> None:
    body = as_alice.post("/api/journal/scales", PHQ9_ITEM9).json()
    assert body["total"] == 9 and body["severity"] == "mild"
    contacts = " ".join(c["contact"] for c in body["crisis"]["contacts"])
    assert "988" in contacts and "emergency" in contacts
    low = as_alice.post("/api/journal/scales", {**PHQ9_ITEM9, "answers": [0] * 8 + [1]}).json()
    assert low["severity"] == "minimal" and low["crisis"] is not None
    assert as_alice.post("/api/journal/scales", {**PHQ9_ITEM9, "answers": [3] * 8 + [0]}).json()["crisis"] is None


def test_pcl5_result_includes_cluster_totals(as_alice: Api) -> None:
    body = as_alice.post("/api/journal/scales", {"scale": "pcl5", "answers": [2] * 20, "taken_on": "2026-11-01"}).json()
    assert body["total"] == 40 and [c["total"] for c in body["clusters"]] == [10, 4, 14, 12]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({**GAD7, "answers": [1] * 6}, "GAD-7 has 7 questions; got 6 answers"),
        ({**GAD7, "answers": [4, 0, 0, 0, 0, 0, 0]}, "question 1: 4 is not a whole number from 0 to 3"),
        ({**GAD7, "answers": [True, 0, 0, 0, 0, 0, 0]}, "not true/false"),
        ({**GAD7, "scale": "madrs"}, "scale"),
        ({**GAD7, "taken_on": "2031-01-01"}, "must not be in the future"),
        ({**GAD7, "taken_on": "9999-12-31"}, "must not be in the future"),
        ({**GAD7, "taken_on": "yesterday"}, "date"),
        ({**GAD7, "extra": 1}, "extra"),
    ],
)
def test_it_rejects_bad_scale_input_with_422(as_alice: Api, body: dict[str, Any], fragment: str) -> None:
    response = as_alice.post("/api/journal/scales", body)
    assert response.status_code == 422, response.content
    assert fragment in response.content.decode()
    assert not ScaleResult.objects.exists()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({**VITALS, "systolic": 16, "diastolic": 10}, "greater than or equal to 50"),
        ({**VITALS, "systolic": 80, "diastolic": 90}, "must be higher than the lower"),
        ({**VITALS, "heart_rate": 400}, "less than or equal to 250"),
        ({**VITALS, "notes": "bad\x00byte"}, "NUL"),
    ],
)
def test_it_rejects_impossible_vitals_with_422(as_alice: Api, body: dict[str, Any], fragment: str) -> None:
    response = as_alice.post("/api/journal/vitals", body)
    assert response.status_code == 422 and fragment in response.content.decode()
    assert not VitalSigns.objects.exists()


def test_it_rejects_an_unknown_side_effect_and_a_session_in_the_future(as_alice: Api) -> None:
    unknown = as_alice.post("/api/journal/side-effects", {**SIDE, "effects": ["hiccups"]})
    assert unknown.status_code == 422 and "unknown effect 'hiccups'" in unknown.content.decode()
    later = as_alice.post("/api/journal/side-effects", {**SIDE, "session_end": "2026-11-03T13:00"})
    assert later.status_code == 422 and "in the future" in later.content.decode()


@pytest.mark.parametrize("slug", ["sessions", "scales", "side-effects", "vitals", "notes"])
def test_every_kind_can_be_added_listed_read_edited_and_deleted(as_alice: Api, slug: str) -> None:
    created = as_alice.post(f"/api/journal/{slug}", BODIES[slug])
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    assert [e["id"] for e in as_alice.get(f"/api/journal/{slug}").json()] == [entry_id]
    assert as_alice.get(f"/api/journal/{slug}/{entry_id}").status_code == 200
    changed = {
        "sessions": {**SESSION, "dose": "0.75 mg/kg"},
        "scales": {**GAD7, "answers": [1, 1, 1, 1, 1, 1, 1]},
        "side-effects": {**SIDE, "effects": ["headache"]},
        "vitals": {**VITALS, "systolic": 128, "diastolic": 82},
        "notes": {**NOTE, "text": "Edited."},
    }[slug]
    replaced = as_alice.put(f"/api/journal/{slug}/{entry_id}", changed)
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["id"] == entry_id
    assert as_alice.delete(f"/api/journal/{slug}/{entry_id}").status_code == 204
    assert as_alice.get(f"/api/journal/{slug}/{entry_id}").status_code == 404


def test_edited_scale_is_rescored_and_side_effects_retriaged(as_alice: Api) -> None:
    entry = as_alice.post("/api/journal/scales", GAD7).json()
    again = as_alice.put(f"/api/journal/scales/{entry['id']}", {**GAD7, "answers": [1, 1, 1, 1, 0, 0, 0]}).json()
    assert (again["total"], again["severity"]) == (4, "minimal")
    report = as_alice.post("/api/journal/side-effects", SIDE).json()
    assert report["level"] == "expected"
    urgent = as_alice.put(f"/api/journal/side-effects/{report['id']}", {**SIDE, "effects": ["chest-pain"]}).json()
    assert urgent["level"] == "urgent" and urgent["crisis"] is None
    harm = as_alice.put(f"/api/journal/side-effects/{report['id']}", {**SIDE, "effects": ["self-harm"]}).json()
    assert "988" in str(harm["crisis"])


def test_vitals_carry_the_guideline_category(as_alice: Api) -> None:
    body = as_alice.post("/api/journal/vitals", VITALS).json()
    assert body["category"]["label"] == "Stage 2 hypertension"
    assert body["sources"][0]["id"] == "whelton-2018"


def test_another_users_entries_are_404_for_every_method(as_alice: Api, as_bob: Api) -> None:
    for slug, body in BODIES.items():
        entry_id = as_alice.post(f"/api/journal/{slug}", body).json()["id"]
        assert as_bob.get(f"/api/journal/{slug}/{entry_id}").status_code == 404
        assert as_bob.put(f"/api/journal/{slug}/{entry_id}", body).status_code == 404
        assert as_bob.delete(f"/api/journal/{slug}/{entry_id}").status_code == 404
        assert as_bob.get(f"/api/journal/{slug}").json() == []
        assert as_alice.get(f"/api/journal/{slug}/{entry_id}").status_code == 200


def test_anonymous_is_401_and_a_write_without_csrf_is_403(as_alice: Api, alice: User) -> None:
    entry_id = as_alice.post("/api/journal/scales", GAD7).json()["id"]
    anonymous = Api()
    assert anonymous.get(f"/api/journal/scales/{entry_id}").status_code == 401
    assert anonymous.get("/api/journal").status_code == 401
    assert anonymous.post("/api/journal/scales", GAD7).status_code == 401
    no_token = Api(alice)
    no_token.token = "wrong"
    assert no_token.post("/api/journal/scales", GAD7).status_code == 403
    assert no_token.delete(f"/api/journal/scales/{entry_id}").status_code == 403
    assert ScaleResult.objects.count() == 1


def test_overview_shows_response_and_remission_from_the_own_baseline(as_alice: Api) -> None:
    as_alice.post("/api/journal/sessions", SESSION)  # first session 3 Nov
    for day, answers in (("2026-11-01", [3, 3, 3, 2, 2, 2, 1]), ("2026-11-10", [2, 2, 1, 1, 1, 1, 0])):
        as_alice.post("/api/journal/scales", {"scale": "gad7", "answers": answers, "taken_on": day})
    as_alice.post("/api/journal/scales", {"scale": "gad7", "answers": [1, 1, 1, 0, 0, 0, 0], "taken_on": "2026-11-20"})
    body = as_alice.get("/api/journal").json()
    gad7 = next(s for s in body["outcomes"] if s["scale"] == "gad7")
    assert gad7["outcome"]["baseline"] == {"taken_on": "2026-11-01", "total": 16}
    assert gad7["outcome"]["latest"] == {"taken_on": "2026-11-20", "total": 3}
    assert (gad7["outcome"]["response"], gad7["outcome"]["remission"], gad7["outcome"]["reduction_pct"]) == (
        True,
        True,
        81.2,
    )
    assert "50%" in gad7["definitions"]["response"] and gad7["definitions"]["remission_below"] == 5
    assert body["counts"]["scales"] == 3 and body["crisis"] is None


def test_sharing_gives_a_clinician_read_only_access_until_revoked(as_alice: Api, alice: User, doctor: User) -> None:
    entry_id = as_alice.post("/api/journal/scales", GAD7).json()["id"]
    as_doctor = Api(doctor)
    assert as_doctor.get(f"/api/journal/shared/{alice.pk}").status_code == 404
    share = as_alice.post("/api/journal/shares", {"email": "Dr.Lee@clinic.example"})
    assert share.status_code == 201 and share.json()["clinician"] == "dr.lee@clinic.example"
    seen = as_doctor.get(f"/api/journal/shared/{alice.pk}")
    assert seen.status_code == 200 and seen.json()["outcomes"][0]["outcome"]["latest"]["total"] == 16
    assert set(seen.json()) == {"owner", "outcomes", "sessions", "scales", "side-effects", "vitals", "notes"}
    assert as_doctor.get("/api/journal/shared").json()[0]["email"] == "alice@example.org"
    # read-only: the clinician's own routes never reach Alice's rows
    assert as_doctor.get(f"/api/journal/scales/{entry_id}").status_code == 404
    assert as_doctor.delete(f"/api/journal/scales/{entry_id}").status_code == 404
    fhir = as_doctor.get(f"/api/journal/shared/{alice.pk}/export?format=fhir")
    assert fhir.status_code == 200 and b"70274-6" in fhir.content
    audit = as_alice.get("/api/journal/audit").json()
    assert [(a["who"], a["action"]) for a in audit][:2] == [
        ("dr.lee@clinic.example", "export"),
        ("dr.lee@clinic.example", "clinician_view"),
    ]
    assert as_alice.delete(f"/api/journal/shares/{share.json()['id']}").status_code == 204
    assert as_doctor.get(f"/api/journal/shared/{alice.pk}").status_code == 404
    assert as_doctor.get(f"/api/journal/shared/{alice.pk}/export?format=json").status_code == 404
    assert Share.objects.get().revoked_at is not None


def test_sharing_only_with_a_clinician_account(as_alice: Api, bob: User) -> None:
    for email in ("bob@example.org", "nobody@example.org", "alice@example.org"):
        response = as_alice.post("/api/journal/shares", {"email": email})
        assert response.status_code == 422, email
    assert not Share.objects.exists()


def test_revoking_someone_elses_share_is_404(as_alice: Api, as_bob: Api, doctor: User) -> None:
    share_id = as_alice.post("/api/journal/shares", {"email": doctor.email}).json()["id"]
    assert as_bob.delete(f"/api/journal/shares/{share_id}").status_code == 404
    assert Share.objects.get().revoked_at is None


def test_a_clinician_flag_is_needed_to_read_even_with_a_share_row(alice: User, bob: User) -> None:
    Share.objects.create(owner=alice, clinician=bob)  # not via the service: bob is no clinician
    assert Api(bob).get(f"/api/journal/shared/{alice.pk}").status_code == 404
    assert not AuditEvent.objects.exists()


def test_times_without_an_offset_are_stored_as_entered(as_alice: Api) -> None:
    body = as_alice.post("/api/journal/sessions", SESSION).json()
    assert body["started_at"] == "2026-11-03T09:30:00+00:00"
    offset = as_alice.post("/api/journal/sessions", {**SESSION, "started_at": "2026-11-03T09:30+02:00"}).json()
    assert dt.datetime.fromisoformat(offset["started_at"]).hour == 7
