"""Exports (FHIR R4 validated with fhir.resources, JSON, CSV) and the CSV import, all or nothing."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from fhir.resources.R4B.bundle import Bundle
from pydantic import BaseModel

from ketnav.journal.models import AuditEvent, Note, ScaleResult, TreatmentSession
from tests.journal.conftest import GAD7, PHQ9_ITEM9, Api
from tests.journal.test_journal_api import NOTE, SESSION, SIDE, VITALS

pytestmark = pytest.mark.django_db


def fill(api: Api) -> None:
    for slug, body in (("sessions", SESSION), ("scales", GAD7), ("scales", PHQ9_ITEM9), ("side-effects", SIDE),
                       ("vitals", VITALS), ("notes", NOTE)):  # fmt: skip
        assert api.post(f"/api/journal/{slug}", body).status_code == 201
    api.post("/api/journal/scales", {"scale": "pcl5", "answers": [1] * 20, "taken_on": "2026-11-05"})


def test_fhir_export_is_a_valid_bundle_with_loinc_coded_totals(as_alice: Api) -> None:
    fill(as_alice)
    response = as_alice.get("/api/journal/export?format=fhir")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith('attachment; filename="ketnav-journal-')
    data = json.loads(response.content)
    Bundle.model_validate(data)  # valid FHIR (R4B models; the same structure as R4 for these resources)
    assert data["type"] == "collection"
    resources = [e["resource"] for e in data["entry"]]
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("QuestionnaireResponse") == 3
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    totals = {r["code"]["coding"][0]["code"]: r["valueInteger"] for r in observations
              if r["category"][0]["coding"][0]["code"] == "survey"}  # fmt: skip
    assert totals == {"70274-6": 16, "44261-6": 9, "101698-9": 20}
    bp = next(r for r in observations if r["code"]["coding"][0]["code"] == "85354-9")
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in bp["component"]] == [
        ("8480-6", 142),
        ("8462-4", 91),
    ]
    qr = next(r for r in resources if r["resourceType"] == "QuestionnaireResponse")
    assert [i["answer"][0]["valueInteger"] for i in qr["item"]] == [3, 3, 3, 2, 2, 2, 1]
    urls = {e["fullUrl"] for e in data["entry"]}
    assert all(r["derivedFrom"][0]["reference"] in urls for r in observations if "derivedFrom" in r)


def test_fhir_validation_catches_an_invalid_bundle() -> None:
    from pydantic import ValidationError

    from ketnav.journal.fhir import validate_bundle

    with pytest.raises(ValidationError):
        validate_bundle({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
            "resourceType": "Observation", "code": {"text": "no status"}}}]})  # fmt: skip


def test_fhir_export_of_an_empty_journal_is_a_valid_empty_bundle(as_alice: Api) -> None:
    body = json.loads(as_alice.get("/api/journal/export?format=fhir").content)
    assert Bundle.model_validate(body).entry is None or body["entry"] == []


def test_json_export_holds_everything(as_alice: Api, doctor: User) -> None:
    fill(as_alice)
    as_alice.post("/api/journal/shares", {"email": doctor.email})
    body = json.loads(as_alice.get("/api/journal/export?format=json").content)
    assert body["account"]["email"] == "alice@example.org"
    assert [len(body[k]) for k in ("sessions", "scales", "side_effects", "vitals", "notes")] == [1, 3, 1, 1, 1]
    assert body["shares"][0]["clinician"] == doctor.email
    assert {a["action"] for a in body["audit"]} == {"share_added"}


def test_every_export_is_in_the_audit_trail(as_alice: Api) -> None:
    for fmt in ("fhir", "json", "csv"):
        assert as_alice.get(f"/api/journal/export?format={fmt}").status_code == 200
    assert list(AuditEvent.objects.values_list("detail", flat=True)) == ["CSV", "JSON", "FHIR"]


def test_it_rejects_an_unknown_export_format(as_alice: Api) -> None:
    assert as_alice.get("/api/journal/export?format=xlsx").status_code == 422


def test_csv_export_imports_into_another_journal_unchanged(as_alice: Api, as_bob: Api, bob: User) -> None:
    fill(as_alice)
    exported = as_alice.get("/api/journal/export?format=csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {r["record_type"] for r in rows} >= {"account", "session", "scale", "side_effect", "vitals", "note"}
    report = as_bob.post("/api/journal/import", exported, content_type="text/csv")
    assert report.status_code == 200, report.content
    assert report.json() == {"added": 7, "duplicates": 0, "account_rows_skipped": 1}
    again = as_bob.post("/api/journal/import", exported, content_type="text/csv").json()
    assert again == {"added": 0, "duplicates": 7, "account_rows_skipped": 1}

    def content(api: Api) -> dict[str, Any]:
        data = json.loads(api.get("/api/journal/export?format=json").content)
        strip = {"id", "sources", "triage"}
        return {k: [{f: v for f, v in e.items() if f not in strip} for e in data[k]]
                for k in ("sessions", "scales", "side_effects", "vitals", "notes")}  # fmt: skip

    assert content(as_bob) == content(as_alice)
    assert ScaleResult.objects.filter(owner=bob).count() == 3


def test_csv_cells_that_look_like_formulas_are_neutralised_and_come_back(as_alice: Api, as_bob: Api) -> None:
    as_alice.post("/api/journal/notes", {**NOTE, "text": '=HYPERLINK("http://evil.example")'})
    as_alice.post("/api/journal/sessions", {**SESSION, "clinic": "+1 555 0100", "notes": "@home"})
    exported = as_alice.get("/api/journal/export?format=csv").content.decode()
    assert "'=HYPERLINK" in exported and "'+1 555 0100" in exported and "'@home" in exported
    assert as_bob.post("/api/journal/import", exported, content_type="text/csv").status_code == 200
    assert Note.objects.filter(text__startswith="=HYPERLINK").count() == 2
    assert TreatmentSession.objects.filter(clinic="+1 555 0100").count() == 2


def test_a_csv_with_any_bad_row_imports_nothing_and_names_each_problem(as_alice: Api, as_bob: Api, bob: User) -> None:
    fill(as_alice)
    exported = as_alice.get("/api/journal/export?format=csv").content.decode()
    broken = exported.replace("3 3 3 2 2 2 1", "3 3 3 2 2 2 9").replace(",142,91,", ",142,191,")
    response = as_bob.post("/api/journal/import", broken, content_type="text/csv")
    assert response.status_code == 422
    details = [d["message"] for d in response.json()["error"]["details"]]
    assert any("question 7: 9" in d for d in details), details
    assert any("higher than the lower" in d for d in details), details
    assert "nothing was imported" in response.json()["error"]["message"]
    assert not any(m.objects.filter(owner=bob).exists() for m in (ScaleResult, Note, TreatmentSession))


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("name,age\nx,3\n", "not a journal CSV export"),
        ("record_type,when\nbanana,2026-01-01\n", "record_type: unknown 'banana'"),
        ("record_type,when,notes\nnote,2026-01-01T10:00,\n", "row 2: Note: is required"),
        (b"record_type,when\n\xff\xfe", "not UTF-8"),
    ],
)
def test_it_rejects_files_that_are_not_journal_exports(as_alice: Api, alice: User, body: Any, fragment: str) -> None:
    response = as_alice.post("/api/journal/import", body, content_type="text/csv")
    assert response.status_code == 422
    assert fragment in response.content.decode()
    assert not Note.objects.filter(owner=alice).exists()


def test_it_rejects_an_oversized_import_with_413(as_alice: Api) -> None:
    body = "record_type,when,notes\n" + "note,2026-01-01T10:00,x\n" * 250_000
    assert as_alice.post("/api/journal/import", body, content_type="text/csv").status_code == 413


def test_an_import_is_in_the_audit_trail(as_alice: Api, as_bob: Api) -> None:
    fill(as_alice)
    as_bob.post("/api/journal/import", as_alice.get("/api/journal/export?format=csv").content, content_type="text/csv")
    assert as_bob.get("/api/journal/audit").json()[0]["action"] == "import"


def _unchanged(model: type[BaseModel], raw: Any) -> bool:
    """Validating ``raw`` against ``model`` and dumping it gives ``raw`` back exactly (the API also writes
    out the one optional field, a scale's ``clusters``, as null when a scale has none, as before)."""
    plain = json.loads(json.dumps(raw))
    return bool(model.model_validate(plain).model_dump(mode="json", by_alias=True, exclude_unset=True) == plain)


def test_the_response_schemas_describe_every_answer_field_for_field(as_alice: Api, alice: User, doctor: User) -> None:
    """Declaring the schemas (issue 17) changed no answer: each serializer's dict is its schema's dump, and
    the downloads match what the OpenAPI document says they hold."""
    import datetime as dt

    from ketnav.journal import models as m
    from ketnav.journal import services
    from ketnav.journal.api import ENTRY_OUT
    from ketnav.journal.export import everything, fhir_bundle
    from ketnav.journal.kinds import KINDS
    from ketnav.journal.responses import FhirBundleOut, JournalExportOut, SeriesOut
    from ketnav.journal.selectors import entries, overview
    from ketnav.journal.serialize import entry_dict, series_dict
    from ketnav.safety.aftercare import plan
    from ketnav.safety.screening import parse_answers, screen
    from ketnav.safety.serialize import aftercare_dict, screening_dict

    fill(as_alice)
    as_alice.post("/api/journal/shares", {"email": doctor.email})
    end = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)
    services.save_result(alice, kind="aftercare", title="plan", data=aftercare_dict(plan(session_end=end, route="iv")))
    services.save_result(alice, kind="screen", title="screen", data=screening_dict(screen(parse_answers({}))))
    m.WatchedSearch.objects.create(
        owner=alice, label="anxiety", query="q=anxiety", statuses={"NCT01234567": "RECRUITING"}
    )

    for slug, out in ENTRY_OUT:
        rows = [entry_dict(KINDS[slug], e) for e in entries(alice, KINDS[slug])]
        assert rows
        assert all(_unchanged(out, row) for row in rows), slug
    series = overview(alice).series
    assert series
    assert all(_unchanged(SeriesOut, series_dict(s)) for s in series)
    assert _unchanged(JournalExportOut, everything(alice))
    assert _unchanged(FhirBundleOut, fhir_bundle(alice))
