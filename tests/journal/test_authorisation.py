"""Every journal page and API route, walked with a second user and with no user.

The walk is built from the URL configuration and the OpenAPI schema themselves, so a route added
later is walked too (the test fails if one is missing from the expectations below).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, reverse

from ketnav.journal import models as m
from ketnav.journal import urls as journal_urls
from ketnav.journal.services import save_result
from ketnav.journal.watch import save_search
from ketnav.web.api import api
from tests.journal.conftest import GAD7, Api
from tests.journal.test_journal_api import BODIES, NOTE, SESSION, SIDE, VITALS

pytestmark = pytest.mark.django_db
SECRET = "ALICE-PRIVATE-MARKER"


@pytest.fixture
def alices_journal(alice: User, doctor: User) -> dict[str, Any]:
    """Alice has one of everything, and shares her journal with Dr Lee."""
    a = Api(alice)
    ids = {}
    for slug, body in (("sessions", {**SESSION, "notes": SECRET}), ("scales", GAD7),
                       ("side-effects", {**SIDE, "notes": SECRET}), ("vitals", {**VITALS, "notes": SECRET}),
                       ("notes", {**NOTE, "text": SECRET})):  # fmt: skip
        ids[slug] = a.post(f"/api/journal/{slug}", body).json()["id"]
    share = a.post("/api/journal/shares", {"email": doctor.email}).json()["id"]
    saved = save_result(alice, kind="aftercare", title=SECRET, data={"x": SECRET}).pk
    worksheet = save_result(alice, kind="clinics", title=SECRET, data={"clinics": []}).pk
    watch = save_search(alice, query="q=" + SECRET, label=SECRET, nct_ids=[]).pk
    return {"ids": ids, "share": share, "saved": saved, "worksheet": worksheet, "watch": watch, "owner": alice.pk}


def page_urls(j: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """(method, url) for every named journal route, filled with Alice's ids."""
    ids = j["ids"]
    per_kind = [(slug, pk) for slug, pk in ids.items()]
    return {
        "home": [("GET", reverse("journal:home"))],
        "new": [("GET", reverse("journal:new", args=[s])) for s in ids],
        "entry": [("GET", reverse("journal:entry", args=[s, pk])) for s, pk in per_kind],
        "edit": [(v, reverse("journal:edit", args=[s, pk])) for s, pk in per_kind for v in ("GET", "POST")],
        "delete": [(v, reverse("journal:delete", args=[s, pk])) for s, pk in per_kind for v in ("GET", "POST")],
        "chart": [("GET", reverse("journal:chart", args=[n])) for n in ("gad7", "phq9", "pcl5", "bp")],
        "summary": [("GET", reverse("journal:summary"))],
        "share": [("GET", reverse("journal:share"))],
        "revoke": [("POST", reverse("journal:revoke", args=[j["share"]]))],
        "audit": [("GET", reverse("journal:audit"))],
        "export": [("GET", reverse("journal:export") + f"?format={f}") for f in ("json", "csv", "fhir")],
        "import": [("POST", reverse("journal:import"))],
        "delete_saved": [("POST", reverse("journal:delete_saved", args=[j["saved"]]))],
        "open_saved": [("POST", reverse("journal:open_saved", args=[j["worksheet"]]))],
        "save_result": [("POST", reverse("journal:save_result", args=[k])) for k in ("aftercare", "screen", "clinics")],
        "save_search": [("POST", reverse("journal:save_search"))],
        "delete_watch": [("POST", reverse("journal:delete_watch", args=[j["watch"]]))],
        "flags_seen": [("POST", reverse("journal:flags_seen"))],
        "shared_list": [("GET", reverse("journal:shared_list"))],
        "shared_view": [("GET", reverse("journal:shared_view", args=[j["owner"]]))],
        "shared_summary": [("GET", reverse("journal:shared_summary", args=[j["owner"]]))],
        "shared_chart": [("GET", reverse("journal:shared_chart", args=[j["owner"], "gad7"]))],
        "shared_export": [("GET", reverse("journal:shared_export", args=[j["owner"]]) + "?format=json")],
    }


# Routes that name one of Alice's rows: a second user must get 404. The rest act on the caller's own
# journal (or save into it), so they answer normally but must never show or touch Alice's rows.
ID_ROUTES = {"entry", "edit", "delete", "revoke", "delete_saved", "open_saved", "delete_watch", "shared_view",
             "shared_summary", "shared_chart", "shared_export"}  # fmt: skip


def alices_rows(alice_id: int) -> dict[str, int]:
    return {model.__name__: model.objects.filter(owner_id=alice_id).count() for model in
            (m.TreatmentSession, m.ScaleResult, m.SideEffectReport, m.VitalSigns, m.Note, m.SavedResult,
             m.WatchedSearch)} | {"active shares": m.Share.objects.filter(revoked_at=None).count()}  # fmt: skip


def test_every_page_route_is_walked() -> None:
    names = {p.name for p in journal_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(page_urls({"ids": dict.fromkeys(["sessions"], 1), "share": 1, "saved": 1, "worksheet": 1,
                                   "watch": 1, "owner": 1}))  # fmt: skip


def test_a_second_user_gets_404_for_alices_ids_on_every_page(alices_journal: dict[str, Any], bob: User) -> None:
    before = alices_rows(alices_journal["owner"])
    client = Client()
    client.force_login(bob)
    for name, requests in page_urls(alices_journal).items():
        for method, url in requests:
            response = client.get(url) if method == "GET" else client.post(url, {"scale": "gad7"})
            body = response.content.decode(errors="replace")
            assert SECRET not in body and "alice@example.org" not in body, (method, url)
            if name in ID_ROUTES:
                assert response.status_code == 404, (method, url, response.status_code)
            else:
                assert response.status_code in {200, 302, 422}, (method, url, response.status_code)
    assert alices_rows(alices_journal["owner"]) == before


def test_no_user_is_sent_to_sign_in_on_every_page(alices_journal: dict[str, Any]) -> None:
    before = alices_rows(alices_journal["owner"])
    client = Client()
    for name, requests in page_urls(alices_journal).items():
        for method, url in requests:
            response = client.get(url) if method == "GET" else client.post(url)
            assert SECRET not in response.content.decode(errors="replace")
            if name == "home" and method == "GET":
                assert response.status_code == 200  # the journal's welcome page
            else:
                assert response.status_code == 302, (method, url)
                assert response["Location"].startswith("/account/login/"), (method, url)
    assert alices_rows(alices_journal["owner"]) == before


def _api_routes() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    routes: list[tuple[str, str]] = []
    for path, ops in schema["paths"].items():
        if path.startswith(("/api/journal", "/api/account")):
            routes.extend((method.upper(), path) for method in ops)
    return routes


def _fill(path: str, j: dict[str, Any]) -> str:
    kind = re.match(r"/api/journal/([a-z-]+)/\{entry_id\}", path)
    if kind:
        return path.replace("{entry_id}", str(j["ids"][kind.group(1)]))
    return path.replace("{share_id}", str(j["share"])).replace("{owner_id}", str(j["owner"]))


def test_a_second_user_gets_404_for_alices_ids_on_every_api_route(alices_journal: dict[str, Any], bob: User) -> None:
    before = alices_rows(alices_journal["owner"])
    as_bob = Api(bob)
    walked = 0
    for method, path in _api_routes():
        if path == "/api/account":
            continue  # deletes the caller's own account: tested on its own
        url = _fill(path, alices_journal)
        kind = path.split("/")[3] if path.count("/") >= 3 else ""
        body = BODIES.get(kind, {"email": "nobody@example.org"})
        send: Any = {"GET": as_bob.get, "POST": as_bob.post, "PUT": as_bob.put, "DELETE": as_bob.delete}[method]
        response = send(url) if method in {"GET", "DELETE"} else send(url, body)
        text = response.content.decode(errors="replace")
        assert SECRET not in text and "alice@example.org" not in text, (method, url)
        if "{" in path:
            assert response.status_code == 404, (method, url, response.status_code)
        else:
            assert response.status_code in {200, 201, 422}, (method, url, response.status_code)
        walked += 1
    assert walked >= 30
    assert alices_rows(alices_journal["owner"]) == before


def test_no_user_gets_401_or_403_on_every_api_route(alices_journal: dict[str, Any]) -> None:
    before = alices_rows(alices_journal["owner"])
    anonymous = Api()
    for method, path in _api_routes():
        url = _fill(path, alices_journal)
        send: Any = {"GET": anonymous.get, "POST": anonymous.post, "PUT": anonymous.put, "DELETE": anonymous.delete}[
            method
        ]
        response = send(url) if method in {"GET", "DELETE"} else send(url, {})
        assert response.status_code in {401, 403}, (method, url, response.status_code)
        assert SECRET not in response.content.decode(errors="replace")
    plain = Client(enforce_csrf_checks=True)  # no CSRF token at all
    assert plain.post("/api/journal/scales", GAD7, content_type="application/json").status_code in {401, 403}
    assert alices_rows(alices_journal["owner"]) == before
