from __future__ import annotations

import pytest
from django.test import Client

from ketnav.web.context import AREAS

pytestmark = pytest.mark.django_db


def test_home_has_landmarks_and_areas(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for landmark in ('role="banner"', 'aria-label="Main"', '<main id="main"', 'role="contentinfo"'):
        assert landmark in html
    assert 'href="#main"' in html  # skip link
    for area in AREAS:
        assert area.title.replace("&", "&amp;") in html


def test_footer_carries_disclaimer_and_emergency_numbers(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "not medical advice" in html
    assert "988" in html
    assert "911" in html


@pytest.mark.parametrize("area", AREAS, ids=lambda a: a.slug)
def test_each_area_has_a_page_marked_current(client: Client, area: object) -> None:
    from django.urls import reverse

    url = reverse(area.url_name)  # type: ignore[attr-defined]
    html = client.get(url).content.decode()
    assert f'href="{url}" aria-current="page"' in html


def test_healthz_reports_database(client: Client) -> None:
    from django.db import connection

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == connection.vendor


def test_unknown_page_is_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_api_version(client: Client) -> None:
    assert client.get("/api/version").json()["name"] == "ketnav"


def test_unknown_api_path_uses_the_error_shape(client: Client) -> None:
    response = client.get("/api/does-not-exist")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert body["error"]["details"] == []


def test_openapi_schema_is_served(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Ketamine Navigator API"
    assert "/api/version" in schema["paths"]


def test_admin_login_page(client: Client) -> None:
    assert client.get("/admin/login/").status_code == 200
