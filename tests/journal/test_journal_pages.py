"""The journal's pages: forms that keep what was typed, results with crisis resources first, charts
as SVG beside their tables, the printable summary, sharing, export and import, saving tool results."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ketnav.journal import models as m
from tests.journal.conftest import GAD7, Api
from tests.journal.test_journal_api import SESSION, VITALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def answers(values: list[int]) -> dict[str, str]:
    return {f"item{i}": str(v) for i, v in enumerate(values, start=1)}


def test_anonymous_journal_page_explains_and_offers_sign_up(client: Client) -> None:
    body = client.get("/journal/").content.decode()
    assert "Create an account" in body and "Sign in" in body and "Stored only in this site" in body


def test_adding_a_gad7_by_form_shows_the_score_with_its_source(page: Client) -> None:
    response = page.post(
        "/journal/scales/new/?scale=gad7", {"scale": "gad7", **answers([3, 3, 3, 2, 2, 2, 1]), "taken_on": "2026-11-02"}
    )
    assert response.status_code == 302
    result = page.get(response["Location"]).content.decode()
    assert "<strong>16</strong> out of 21: <strong>severe</strong>" in result
    assert "Spitzer RL" in result and 'role="alert"' not in result


def test_phq9_item9_shows_the_crisis_resources_before_the_score(page: Client) -> None:
    response = page.post("/journal/scales/new/", {"scale": "phq9", **answers([0] * 8 + [1]), "taken_on": "2026-11-02"})
    body = page.get(response["Location"]).content.decode()
    assert body.index("988") < body.index("out of 27")
    assert 'class="crisis notice error" role="alert"' in body
    home = page.get("/journal/").content.decode()
    assert "Suicide &amp; Crisis Lifeline" in home


def test_a_self_harm_side_effect_shows_the_crisis_resources(page: Client) -> None:
    response = page.post(
        "/journal/side-effects/new/",
        {"session_end": "2026-11-03T10:00", "noticed_at": "2026-11-03T12:00", "effects": ["self-harm"]},
    )
    body = page.get(response["Location"]).content.decode()
    assert body.index("988") < body.index("Seek urgent care now")


def test_a_missing_scale_answer_keeps_the_other_answers(page: Client) -> None:
    partial = answers([2, 2, 2, 2, 2, 2, 2])
    del partial["item4"]
    response = page.post("/journal/scales/new/", {"scale": "gad7", **partial, "taken_on": "2026-11-02"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Question 4: choose an answer" in body and 'href="#f-item4"' in body
    assert body.count('value="2" checked') == 6
    assert not m.ScaleResult.objects.exists()


def test_impossible_blood_pressure_is_refused_with_the_field_and_nothing_lost(page: Client) -> None:
    response = page.post(
        "/journal/vitals/new/",
        {"measured_at": "2026-11-03T10:00", "systolic": "16", "diastolic": "10", "notes": "at home, sitting"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Upper number (systolic, mmHg): must be at least 50" in body
    assert 'aria-invalid="true"' in body and "at home, sitting" in body and 'value="16"' in body
    assert not m.VitalSigns.objects.exists()


def test_edit_and_delete_a_session_by_form(page: Client, alice: User) -> None:
    page.post("/journal/sessions/new/", SESSION)
    session = m.TreatmentSession.objects.get(owner=alice)
    form = page.get(f"/journal/sessions/{session.pk}/edit/").content.decode()
    assert 'value="2026-11-03T09:30"' in form and 'value="0.5 mg/kg over 40 min"' in form
    page.post(f"/journal/sessions/{session.pk}/edit/", {**SESSION, "dose": "0.75 mg/kg"})
    assert m.TreatmentSession.objects.get().dose == "0.75 mg/kg"
    confirm = page.get(f"/journal/sessions/{session.pk}/delete/")
    assert "Delete this treatment session?" in confirm.content.decode()
    assert page.post(f"/journal/sessions/{session.pk}/delete/").status_code == 302
    assert not m.TreatmentSession.objects.exists()


def test_journal_page_shows_response_remission_definitions_chart_and_table(as_alice: Api, page: Client) -> None:
    as_alice.post("/api/journal/sessions", SESSION)
    as_alice.post("/api/journal/scales", {**GAD7, "taken_on": "2026-11-01"})
    as_alice.post("/api/journal/scales", {"scale": "gad7", "answers": [1, 1, 1, 1, 1, 1, 1], "taken_on": "2026-11-20"})
    as_alice.post("/api/journal/vitals", VITALS)
    body = page.get("/journal/").content.decode()
    assert '<span class="yes">yes</span>: at least half below your baseline' in body
    assert "not yet (below 5)" in body
    assert "A total at least 50% lower than your baseline score." in body and "Coley RY" in body
    assert '<img src="/journal/charts/gad7.svg"' in body and "<caption>GAD-7 scores</caption>" in body
    assert '<img src="/journal/charts/bp.svg"' in body and "Stage 2 hypertension" in body
    assert "style=" not in body and "onclick" not in body and "<script>" not in body


def test_charts_are_svg_with_the_bands_threshold_and_sessions(as_alice: Api, page: Client) -> None:
    as_alice.post("/api/journal/sessions", SESSION)
    as_alice.post("/api/journal/scales", GAD7)
    as_alice.post("/api/journal/scales", {"scale": "gad7", "answers": [1] * 7, "taken_on": "2026-11-20"})
    as_alice.post("/api/journal/vitals", VITALS)
    chart = page.get("/journal/charts/gad7.svg")
    assert chart["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = chart.content.decode()
    assert svg.startswith("<svg") and "severe" in svg and "Response: at or below 8" in svg
    assert "Remission: below 5" in svg and "Treatment session" in svg
    bp = page.get("/journal/charts/bp.svg").content.decode()
    assert "Upper (systolic)" in bp and "Stage 2: 140 upper / 90 lower" in bp
    assert page.get("/journal/charts/phq9.svg").status_code == 200  # an empty chart, not an error


def test_the_clinician_summary_is_one_printable_page(as_alice: Api, page: Client) -> None:
    as_alice.post("/api/journal/sessions", SESSION)
    as_alice.post("/api/journal/scales", GAD7)
    as_alice.post(
        "/api/journal/side-effects",
        {"session_end": "2026-11-03T10:10", "noticed_at": "2026-11-03T11:00", "effects": ["nausea"]},
    )
    as_alice.post("/api/journal/vitals", VITALS)
    body = page.get("/journal/summary/").content.decode()
    for text in (
        "Clinician summary",
        "0.5 mg/kg over 40 min",
        "Nausea: 1×",
        "142/91",
        "Response (≥50% fall)",
        "data-print hidden",
    ):
        assert text in body, text


def test_share_and_revoke_by_form_and_the_clinician_view_is_audited(page: Client, alice: User, doctor: User) -> None:
    Api(alice).post("/api/journal/scales", GAD7)
    refused = page.post("/journal/share/", {"email": "nobody@example.org"})
    assert refused.status_code == 422 and "no clinician account" in refused.content.decode()
    page.post("/journal/share/", {"email": doctor.email})
    share = m.Share.objects.get()
    clinician = Client()
    clinician.force_login(doctor)
    listing = clinician.get("/journal/shared/").content.decode()
    assert "alice@example.org" in listing
    view = clinician.get(f"/journal/shared/{alice.pk}/").content.decode()
    assert "Journal of alice@example.org" in view and "Edit" not in view and "<strong>16</strong>" in view
    assert clinician.get(f"/journal/shared/{alice.pk}/charts/gad7.svg").status_code == 200
    assert clinician.get(f"/journal/shared/{alice.pk}/summary/").status_code == 200
    audit = page.get("/journal/audit/").content.decode()
    assert (
        "dr.lee@clinic.example" in audit and "viewed your journal" in audit and "opened your clinician summary" in audit
    )
    page.post(f"/journal/share/{share.pk}/revoke/")
    assert clinician.get(f"/journal/shared/{alice.pk}/").status_code == 404
    assert "revoked" in page.get("/journal/share/").content.decode()


def test_export_downloads_and_csv_import_by_upload(page: Client, alice: User, bob: User) -> None:
    Api(alice).post("/api/journal/scales", GAD7)
    csv_file = page.get("/journal/export/?format=csv")
    assert csv_file["Content-Disposition"].endswith('.csv"')
    other = Client()
    other.force_login(bob)
    upload = SimpleUploadedFile("journal.csv", csv_file.content, content_type="text/csv")
    assert other.post("/journal/import/", {"file": upload}).status_code == 302
    assert m.ScaleResult.objects.filter(owner=bob, total=16).exists()
    bad = SimpleUploadedFile("x.csv", b"record_type,when\nscale,2026-01-01\n", content_type="text/csv")
    response = other.post("/journal/import/", {"file": bad})
    assert response.status_code == 422 and "row 2" in response.content.decode()
    assert page.get("/journal/export/?format=pdf").status_code == 422


def test_saving_an_aftercare_plan_and_a_safety_screen_into_the_journal(page: Client, alice: User) -> None:
    assert page.post("/journal/save/aftercare/", {"end": "2026-11-26T15:30", "route": "iv"}).status_code == 302
    screen = {"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"}
    assert page.post("/journal/save/screen/", {"answers_json": json.dumps(screen)}).status_code == 302
    saved = {s.kind: s for s in m.SavedResult.objects.filter(owner=alice)}
    assert saved["aftercare"].data["no_driving_until"].startswith("2026-11-27T15:30")
    assert saved["screen"].data["answers"] == screen and saved["screen"].data["findings"]
    home = page.get("/journal/").content.decode()
    assert "Aftercare plan: IV infusion, session ending 2026-11-26 15:30" in home
    bad = page.post("/journal/save/aftercare/", {"end": "soon", "route": "iv"}, follow=True)
    assert "Nothing was saved" in bad.content.decode()
    assert m.SavedResult.objects.count() == 2


def test_saving_needs_an_account_and_nothing_is_stored_anonymously(client: Client) -> None:
    response = client.post("/journal/save/aftercare/", {"end": "2026-11-26T15:30", "route": "iv"})
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert not m.SavedResult.objects.exists()


def test_pages_carry_no_inline_script_style_or_handlers(page: Client, as_alice: Api) -> None:
    as_alice.post("/api/journal/scales", GAD7)
    for url in (
        "/journal/",
        "/journal/scales/new/?scale=pcl5",
        "/journal/sessions/new/",
        "/journal/side-effects/new/",
        "/journal/summary/",
        "/journal/share/",
        "/journal/export/",
        "/account/",
        "/account/delete/",
    ):
        body = page.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert " style=" not in body and " onclick=" not in body, url


def test_the_safety_screen_result_saves_into_the_journal_only_when_asked(page: Client, alice: User) -> None:
    form = {"age": "45", "systolic": "165", "diastolic": "102", "medications": "Nardil", "suicidal_thoughts": "none"}
    result = page.post("/tools/safety-screen/", form).content.decode()
    assert not m.SavedResult.objects.exists()  # showing the result stores nothing
    value = re.search(r'name="answers_json" value="([^"]*)"', result)
    assert value and "Save to my journal" in result
    assert page.post("/journal/save/screen/", {"answers_json": html.unescape(value.group(1))}).status_code == 302
    saved = m.SavedResult.objects.get(owner=alice)
    assert saved.data["answers"]["medications"] == ["Nardil"] and any(saved.data["findings"].values())
    anonymous = Client().post("/tools/safety-screen/", form).content.decode()
    assert "answers_json" not in anonymous and "Your answers were not stored." in anonymous


def test_the_aftercare_plan_offers_saving_to_signed_in_people(page: Client) -> None:
    signed_in = page.get("/tools/aftercare/?end=2026-11-26T15%3A30&route=iv").content.decode()
    assert 'action="/journal/save/aftercare/"' in signed_in and 'name="end" value="2026-11-26T15:30"' in signed_in
    anonymous = Client().get("/tools/aftercare/?end=2026-11-26T15%3A30&route=iv").content.decode()
    assert "/journal/save/aftercare/" not in anonymous and "Nothing is stored unless you do" in anonymous
