"""The clinic directory API, the estimate endpoint, the compare page's forms and the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ketnav.clinics.models import Clinic
from tests.conftest import ketnav_cmd

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).with_name("example_quotes.json")


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("editor", password="x", is_staff=True))
    return client


def test_estimate_endpoint_returns_itemized_totals_and_checklists(client: Client) -> None:
    body = client.post("/api/costs/estimate", example(), content_type="application/json").json()
    assert [e["totals"]["total"] for e in body["estimates"]] == ["4491.16", "1436.67"]
    assert body["estimates"][0]["financing"]["monthly_payment"] == "390.93"
    assert body["checklists"][1]["summary"] == "7 of 11 met, 0 not met, 4 unknown"


def test_estimate_endpoint_rejects_bad_input_with_the_field(client: Client) -> None:
    doc = example()
    doc["clinics"][0]["financing"]["apr_percent"] = 250
    response = client.post("/api/costs/estimate", doc, content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["location"] == "clinics[0].financing.apr_percent" and "0–100%" in detail["message"]


def test_clinic_crud_needs_staff_and_hides_unpublished(client: Client, staff_client: Client) -> None:
    profile = example()["clinics"][0]
    assert client.post("/api/clinics", {"profile": profile}, content_type="application/json").status_code == 401
    created = staff_client.post("/api/clinics", {"profile": profile}, content_type="application/json")
    assert created.status_code == 201
    clinic_id = created.json()["id"]
    assert client.get(f"/api/clinics/{clinic_id}").status_code == 404  # not published yet
    updated = staff_client.put(
        f"/api/clinics/{clinic_id}", {"profile": profile, "published": True}, content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["published"] is True
    listed = client.get("/api/clinics").json()
    assert [c["profile"]["name"] for c in listed] == [profile["name"]]
    assert listed[0]["checklist"]["summary"].startswith("8 of 10 met")
    bad = staff_client.put(
        f"/api/clinics/{clinic_id}",
        {"profile": {**profile, "currency": "ZZZ"}, "published": True},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert Clinic.objects.get(pk=clinic_id).profile["currency"] == "USD"  # nothing changed
    assert staff_client.delete(f"/api/clinics/{clinic_id}").status_code == 204
    assert not Clinic.objects.exists()


def test_admin_refuses_a_profile_the_parser_refuses(staff_client: Client) -> None:
    admin = User.objects.create_superuser("admin", password="x")
    staff_client.force_login(admin)
    bad = {**example()["clinics"][0], "prices": {"session": {"iv": -1}}}
    response = staff_client.post("/admin/clinics/clinic/add/", {"profile": json.dumps(bad), "published": "on"})
    assert response.status_code == 200 and "negative" in response.content.decode()
    assert not Clinic.objects.exists()
    good = staff_client.post("/admin/clinics/clinic/add/", {"profile": json.dumps(example()["clinics"][1])})
    assert good.status_code == 302 and Clinic.objects.get().name == "Synthetic Esketamine Centre (example)"


def test_compare_page_import_course_export_and_remove(client: Client) -> None:
    with EXAMPLE.open("rb") as handle:
        response = client.post("/clinics/import/", {"file": handle})
    assert response.status_code == 302
    html = client.get("/clinics/").content.decode()
    assert "$4,491.16" in html and "$1,436.67" in html and "8 of 10 met" in html
    exported = client.get("/clinics/export.json").json()
    assert [c["name"] for c in exported["clinics"]] == [c["name"] for c in example()["clinics"]]
    csv_text = client.get("/clinics/export.csv").content.decode()
    assert csv_text.count("\n") == 3
    assert client.post("/clinics/course/", {"boosters": "0"}).status_code == 302
    html = client.get("/clinics/").content.decode()
    assert "6 induction + 0 booster session(s), iv" in html
    client.post("/clinics/remove/0/")
    assert "Synthetic IV Clinic" not in client.get("/clinics/").content.decode()


def test_a_rejected_import_changes_nothing(client: Client) -> None:
    with EXAMPLE.open("rb") as handle:
        client.post("/clinics/import/", {"file": handle})
    before = client.get("/clinics/export.json").json()
    bad = Path(__file__).parent / "bad.csv"
    response = client.post(
        "/clinics/import/",
        {
            "file": _upload(
                "quotes.csv", b"name;route;currency;session_price;quoted_on;source\nA;iv;USD;1;2026-01-01;x\n"
            )
        },
    )
    assert response.status_code == 422 and "separated by semicolons" in response.content.decode()
    assert client.get("/clinics/export.json").json() == before
    assert not bad.exists()


def test_the_add_form_names_the_field_it_rejects(client: Client) -> None:
    form = {
        "name": "Synthetic (example)",
        "route": "iv",
        "currency": "USD",
        "session_price": "-3",
        "quoted_on": "2026-11-01",
        "source": "notes",
    }
    response = client.post("/clinics/add/", form)
    assert response.status_code == 422
    assert "<strong>session_price</strong>" in response.content.decode()
    response = client.post(
        "/clinics/add/", {**form, "session_price": "450", "package_sessions": "5", "package_price": "2000"}
    )
    assert response.status_code == 302
    assert "Package saving" in client.get("/clinics/").content.decode()


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_cli_costs(clean_env: dict[str, str], tmp_path: Path) -> None:
    out = subprocess.run(
        ketnav_cmd("costs", "--quotes", str(EXAMPLE), "--json"),
        env=clean_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert [e["totals"]["total"] for e in json.loads(out.stdout)["estimates"]] == ["4491.16", "1436.67"]
    text = subprocess.run(
        ketnav_cmd("costs", "--quotes", str(EXAMPLE)), env=clean_env, capture_output=True, text=True, check=True
    )
    assert "$4,491.16" in text.stdout and "$390.93 a month" in text.stdout
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"clinics": [{**example()["clinics"][0], "currency": "XXX"}]}))
    failed = subprocess.run(ketnav_cmd("costs", "--quotes", str(bad)), env=clean_env, capture_output=True, text=True)
    assert failed.returncode == 2 and "clinics[0].currency" in failed.stderr
