"""The clinic directory API, the estimate endpoint, the compare page's forms and the CLI."""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ketnav.clinics.models import Clinic
from ketnav.clinics.views import FORM_COLUMNS
from ketnav.clinics.worksheet import KEY
from tests.conftest import ketnav_cmd

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).with_name("example_quotes.json")
FORM = {
    "name": "Synthetic (example)",
    "route": "iv",
    "currency": "USD",
    "session_price": "450",
    "quoted_on": "2026-11-01",
    "source": "notes",
    "fee_per": "session",  # what the browser sends for the untouched "Other fee is charged" select
    "in_network": "",
}


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def profile(i: int) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(example()["clinics"][i])
    del data["course"]  # a course belongs to a quotes document, not to a clinic's profile
    return data


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("editor", password="x", is_staff=True))
    return client


def _upload(name: str, content: bytes) -> Any:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_estimate_endpoint_returns_itemized_totals_and_checklists(client: Client) -> None:
    body = client.post("/api/costs/estimate", example(), content_type="application/json").json()
    assert [e["totals"]["total"] for e in body["estimates"]] == ["4491.16", "1436.67"]
    assert body["estimates"][0]["financing"]["monthly_payment"] == "390.93"
    assert body["estimates"][1]["course"]["route"] == "nasal"
    assert body["checklists"][1]["summary"] == "7 of 11 met, 0 not met, 4 unknown"


def test_estimate_endpoint_rejects_bad_input_with_the_field(client: Client) -> None:
    doc = example()
    doc["clinics"][0]["financing"]["apr_percent"] = 250
    doc["clinics"][1]["currency"] = "XYZ"
    response = client.post("/api/costs/estimate", doc, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    found = {d["location"]: d["message"] for d in error["details"]}
    assert found["clinics[0].financing.apr_percent"] == "250% is outside 0–100%"
    assert found["clinics[1].currency"].startswith("'XYZ' is not a currency we know")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ([1, 2], "clinics[0]"),
        ({"clinics": []}, "clinics"),
        ({"clinics": [{"name": "x"}], "cours": {}}, "cours"),
        ({"clinics": "none"}, "clinics"),
    ],
)
def test_estimate_endpoint_rejects_malformed_documents(client: Client, body: Any, where: str) -> None:
    response = client.post("/api/costs/estimate", body, content_type="application/json")
    assert response.status_code == 422
    assert where in [d["location"] for d in response.json()["error"]["details"]]


def test_openapi_describes_clinics_requests_and_responses(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]

    def resolved(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref", "")
        return components[ref.rsplit("/", 1)[-1]] if ref else node

    for path, methods in schema["paths"].items():
        if not path.startswith(("/api/clinics", "/api/costs")):
            continue
        for method, op in methods.items():
            ok = next(code for code in op["responses"] if code.startswith("2"))
            content = op["responses"][ok].get("content", {}).get("application/json", {}).get("schema")
            if ok == "204":
                continue
            body = resolved(content)
            if body.get("type") == "array":
                body = resolved(body["items"])
            assert body.get("properties"), f"{method} {path} has an untyped {ok} response"
            assert body.get("additionalProperties") is not True
    estimate = schema["paths"]["/api/costs/estimate"]["post"]
    request = resolved(estimate["requestBody"]["content"]["application/json"]["schema"])
    assert "clinics" in request["properties"] and request["required"] == ["clinics"]
    text = json.dumps(components)
    assert '"maximum": 100' in text and '"enum": ["AUD", "CAD"' in text and '"esketamine"' in text
    financing = components["Financing"]["properties"]["term_months"]
    assert financing["minimum"] == 1 and financing["maximum"] == 120


def test_clinic_crud_needs_staff_and_hides_unpublished(client: Client, staff_client: Client) -> None:
    data = profile(0)
    assert client.post("/api/clinics", {"profile": data}, content_type="application/json").status_code == 401
    created = staff_client.post("/api/clinics", {"profile": data}, content_type="application/json")
    assert created.status_code == 201
    clinic_id = created.json()["id"]
    assert client.get(f"/api/clinics/{clinic_id}").status_code == 404  # not published yet
    updated = staff_client.put(
        f"/api/clinics/{clinic_id}", {"profile": data, "published": True}, content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["published"] is True
    listed = client.get("/api/clinics").json()
    assert [c["profile"]["name"] for c in listed] == [data["name"]]
    assert listed[0]["profile"]["prices"]["session"]["iv"]["amount"] == "500.00"
    assert listed[0]["checklist"]["summary"].startswith("8 of 10 met")
    bad = staff_client.put(
        f"/api/clinics/{clinic_id}",
        {"profile": {**data, "currency": "ZZZ"}, "published": True},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["location"] == "profile.currency"
    assert Clinic.objects.get(pk=clinic_id).profile["currency"] == "USD"  # nothing changed
    assert staff_client.delete(f"/api/clinics/{clinic_id}").status_code == 204
    assert not Clinic.objects.exists()


@pytest.mark.parametrize("clinic_id", ["0", "99999999999999999999", "-1"])
def test_it_rejects_clinic_ids_out_of_range(client: Client, clinic_id: str) -> None:
    assert client.get(f"/api/clinics/{clinic_id}").status_code in {404, 422}


def test_a_profile_stored_by_an_older_version_with_extra_keys_still_reads(client: Client) -> None:
    stored = {**profile(1), "notes": "typed in the admin before the schema refused unknown keys"}
    stored["prices"] = {**stored["prices"], "session": {"esketamine": 900}}
    Clinic.objects.bulk_create([Clinic(name="Old", profile=stored, published=True)])  # skips today's checks
    listed = client.get("/api/clinics").json()
    assert listed[0]["profile"]["routes"] == ["nasal"] and "notes" not in listed[0]["profile"]


def test_admin_refuses_a_profile_the_schema_refuses(staff_client: Client) -> None:
    admin = User.objects.create_superuser("admin", password="x")
    staff_client.force_login(admin)
    bad = {**profile(0), "prices": {"session": {"iv": -1}}}
    response = staff_client.post("/admin/clinics/clinic/add/", {"profile": json.dumps(bad), "published": "on"})
    assert response.status_code == 200 and "negative" in response.content.decode()
    assert not Clinic.objects.exists()
    good = staff_client.post("/admin/clinics/clinic/add/", {"profile": json.dumps(profile(1))})
    assert good.status_code == 302 and Clinic.objects.get().name == "Synthetic Esketamine Centre (example)"


def test_compare_page_import_course_export_and_remove(client: Client) -> None:
    with EXAMPLE.open("rb") as handle:
        response = client.post("/clinics/import/", {"file": handle})
    assert response.status_code == 302
    html = client.get("/clinics/").content.decode()
    assert "$4,491.16" in html and "$1,436.67" in html and "8 of 10 met" in html
    assert "1 package of 6 for $2,700.00" in html  # amounts in labels carry the currency too
    exported = client.get("/clinics/export.json").json()
    assert [c["name"] for c in exported["clinics"]] == [c["name"] for c in example()["clinics"]]
    csv_text = client.get("/clinics/export.csv").content.decode()
    assert csv_text.count("\n") == 3
    assert client.post("/clinics/course/", {"boosters": "0"}).status_code == 302
    html = client.get("/clinics/").content.decode()
    assert "6 induction + 0 booster session(s), IV infusion" in html
    client.post("/clinics/remove/0/")
    assert "Synthetic IV Clinic" not in client.get("/clinics/").content.decode()


def test_the_page_shows_where_the_esketamine_default_came_from(client: Client) -> None:
    client.post("/clinics/add/", {**FORM, "route": "nasal", "session_price": "900"})
    html = client.get("/clinics/").content.decode()
    assert "12 induction + 3 booster session(s), Esketamine nasal spray (Spravato), over 3 months" in html
    series = html[html.index('id="series-title"') :]
    assert "Twice weekly in weeks 1–4 and weekly in weeks 5–8, then every two weeks from week 9" in series
    assert 'href="/guide/references/#ref-spravato-label">Spravato label' in series


def test_an_exported_worksheet_imports_to_the_same_totals(client: Client) -> None:
    with EXAMPLE.open("rb") as handle:
        client.post("/clinics/import/", {"file": handle})
    client.post("/clinics/course/", {"months": "6", "follow_ups": "3"})
    exported = client.get("/clinics/export.json").content
    other = Client()
    assert other.post("/clinics/import/", {"file": _upload("w.json", exported)}).status_code == 302
    assert other.get("/clinics/export.json").content == exported
    assert other.session[KEY] == client.session[KEY]  # the saved worksheet is the schema's JSON


def test_a_worksheet_saved_by_the_previous_version_still_reads(client: Client) -> None:
    session = client.session
    old_entry = {
        **profile(1),
        "course": {"route": "esketamine", "induction_sessions": 12, "boosters": 4, "months": 3, "follow_ups": 0},
    }
    session[KEY] = {"course": {}, "clinics": [old_entry]}
    session.save()
    html = client.get("/clinics/").content.decode()
    assert "$1,436.67" in html and "could not be read" not in html


def test_a_rejected_import_changes_nothing(client: Client) -> None:
    with EXAMPLE.open("rb") as handle:
        client.post("/clinics/import/", {"file": handle})
    before = client.get("/clinics/export.json").json()
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


def test_the_add_form_names_the_field_it_rejects_by_its_label(client: Client) -> None:
    response = client.post(
        "/clinics/add/",
        {
            **FORM,
            "session_price": "-3",
            "coinsurance_percent": "150",
            "in_network": "yes",
            "package_sessions": "2.5",
            "package_price": "900",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert '<a href="#f-session_price">Price of one session</a>: -3 is negative' in html
    assert '<a href="#f-coinsurance_percent">Coinsurance (%)</a>: 150% is outside 0–100%' in html
    assert "Package: number of sessions</a>: &#x27;2.5&#x27; is not a whole number" in html
    assert "prices." not in html and "clinics[0]" not in html and "session_price</strong>" not in html
    assert 'id="f-session_price" name="session_price" type="text" value="-3"' in html  # kept what was typed
    assert 'aria-invalid="true"' in html
    assert '<details class="more" open>' in html  # the insurance section opens to show its problem


def test_the_add_form_adds_a_clinic_with_a_package(client: Client) -> None:
    response = client.post("/clinics/add/", {**FORM, "package_sessions": "5", "package_price": "2000"})
    assert response.status_code == 302
    assert "Package saving" in client.get("/clinics/").content.decode()


def test_the_add_form_shows_the_basics_first_and_the_rest_on_demand(client: Client) -> None:
    html = client.get("/clinics/").content.decode()
    basics = html.index("<legend>The clinic and its price for one session</legend>")
    for label in ("Clinic name", "Route", "Price of one session", "Date quoted", "Where the price came from"):
        assert html.index(f">{label}") > basics
    first_details = html.index('<details class="more">')
    assert html.index("Where the price came from") < first_details < html.index("Coinsurance (%)")
    for term in ("Coinsurance is the share", "A superbill is", "REMS (Risk Evaluation", "APR (annual percentage rate)"):
        assert term in html
    assert "onclick" not in html and "style=" not in html and "<script>" not in html


def test_the_course_form_rejects_bad_values_by_label(client: Client) -> None:
    with EXAMPLE.open("rb") as handle:
        client.post("/clinics/import/", {"file": handle})
    response = client.post("/clinics/course/", {"months": "0", "boosters": "lots"})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<a href="#f-months">Months</a>: 0 is outside 1–120' in html
    assert '<a href="#f-boosters">Booster sessions</a>: &#x27;lots&#x27; is not a whole number' in html
    response = client.post("/clinics/course/", {"induction_sessions": "0", "boosters": "0"})
    assert response.status_code == 422 and "a course needs at least one session" in response.content.decode()
    assert "$4,491.16" in client.get("/clinics/").content.decode()  # unchanged


def test_the_csv_export_neutralises_formulas(client: Client) -> None:
    client.post("/clinics/add/", {**FORM, "name": '=HYPERLINK("http://example.invalid") (example)'})
    row = next(csv.DictReader(io.StringIO(client.get("/clinics/export.csv").content.decode())))
    assert row["name"] == '\'=HYPERLINK("http://example.invalid") (example)'


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
    assert "Traceback" not in failed.stderr


def test_cli_costs_says_a_nurse_prescriber_is_not_met(clean_env: dict[str, str], tmp_path: Path) -> None:
    doc = example()
    doc["clinics"][0]["quality"]["prescriber_licence"] = "RN"
    quotes = tmp_path / "rn.json"
    quotes.write_text(json.dumps(doc))
    text = subprocess.run(
        ketnav_cmd("costs", "--quotes", str(quotes)), env=clean_env, capture_output=True, text=True, check=True
    )
    assert "7 of 10 met, 1 not met" in text.stdout
    assert "Not met: Is treatment prescribed by a licensed clinician" in text.stdout
    assert "registered nurse (RN)" in text.stdout
    out = subprocess.run(
        ketnav_cmd("costs", "--quotes", str(quotes), "--json"), env=clean_env, capture_output=True, text=True
    )
    items = {i["id"]: i for i in json.loads(out.stdout)["checklists"][0]["items"]}
    assert items["licensed-prescriber"]["status"] == "not met"


JUNK: list[Any] = [
    None,
    True,
    False,
    -1,
    0,
    2.5,
    10**30,
    "",
    " ",
    "x",
    "-0",
    "1e999",
    "NaN",
    "\x00",
    "é" * 400,
    [],
    {},
    [1],
    {"a": 1},
    "2026-02-30",
    "9" * 60,
]


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def test_the_estimate_endpoint_answers_junk_with_422_never_500(client: Client) -> None:
    """Every leaf of the example replaced in turn by each junk value (seeded, about 1,500 requests)."""
    rng = random.Random(7)
    base = example()
    paths = [p for p in _leaves(base) if p]
    statuses = set()
    for path in paths:
        for value in rng.sample(JUNK, 8):
            doc = copy.deepcopy(base)
            target = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            response = client.post("/api/costs/estimate", doc, content_type="application/json")
            statuses.add(response.status_code)
            assert response.status_code in {200, 422}, (path, value, response.content[:300])
            if response.status_code == 422:
                assert response.json()["error"]["details"], (path, value)
    assert statuses == {200, 422}


def test_the_add_form_answers_junk_with_422_never_500(client: Client) -> None:
    rng = random.Random(11)
    texts = ["x", "-1", "\x00", "9" * 60, "1e999", "NaN", "é" * 400, "2026-02-30", "yes"]
    for column in FORM_COLUMNS:  # two seeded junk values per field: about 90 requests
        for value in rng.sample(texts, 2):
            response = client.post("/clinics/add/", {**FORM, column.name: value})
            assert response.status_code in {302, 422}, (column.name, value)
            if response.status_code == 422:
                html = response.content.decode()
                assert "clinics[0]" not in html and "prices." not in html, (column.name, value)


def test_an_unreadable_worksheet_is_reported_and_can_be_replaced(client: Client) -> None:
    session = client.session
    session[KEY] = {"clinics": [{"name": "half a clinic"}]}
    session.save()
    html = client.get("/clinics/").content.decode()
    assert "Your saved comparison could not be read" in html
    assert client.get("/clinics/export.csv").status_code == 200
    assert client.post("/clinics/add/", FORM).status_code == 302  # a new clinic replaces what could not be read
    assert "could not be read" not in client.get("/clinics/").content.decode()
