"""Bad requests get a specific 4xx, never a 500 (issue 15), in the API's error shape or as a page.

Runs on the configured database: on PostgreSQL, which refuses NUL characters in text, the NUL cases
used to reach the database and answer 500.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ketnav.web.limits import MAX_JSON_DEPTH, MAX_QUERY_PARAMETERS, MAX_REQUEST_BODY_BYTES

pytestmark = pytest.mark.django_db


def post_json(client: Client, path: str, body: bytes | str) -> tuple[int, dict[str, object]]:
    response = client.generic("POST", path, body, content_type="application/json")
    return response.status_code, response.json()


def error(body: dict[str, object]) -> dict[str, object]:
    assert set(body) == {"error"}, body
    out = body["error"]
    assert isinstance(out, dict) and set(out) == {"code", "message", "details"}, out
    return out


def test_it_refuses_a_body_over_the_limit_with_413(client: Client) -> None:
    body = b'{"weight_kg": 70, "pad": "' + b"a" * MAX_REQUEST_BODY_BYTES + b'"}'
    status, out = post_json(client, "/api/pk/simulate", body)
    assert status == 413
    assert error(out)["code"] == "payload_too_large"
    assert "4 MiB" in str(error(out)["message"])


def test_it_refuses_a_form_over_the_body_limit_with_a_413_page(client: Client) -> None:
    response = client.post("/tools/side-effects/", {"notes": "a" * (MAX_REQUEST_BODY_BYTES + 1)})
    assert response.status_code == 413
    assert "at most 4 MiB" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/trials", "/trials/"])
def test_it_refuses_more_query_parameters_than_the_limit_with_400(client: Client, path: str) -> None:
    query = "&".join(f"status=RECRUITING{i}" for i in range(MAX_QUERY_PARAMETERS + 1))
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert f"at most {MAX_QUERY_PARAMETERS} are accepted" in response.content.decode()
    assert client.get(f"{path}?{'&'.join(['status=any'] * MAX_QUERY_PARAMETERS)}").status_code == 200


def test_it_refuses_a_form_with_thousands_of_fields_with_400(client: Client) -> None:
    response = client.post("/tools/safety-screen/", {f"f{i}": "1" for i in range(1500)})
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/pk/simulate", "/api/safety/screen", "/api/costs/estimate"])
def test_it_refuses_json_that_is_not_utf8_with_400(client: Client, path: str) -> None:
    status, out = post_json(client, path, b'{"model": "\xff\xfeclements"}')
    assert status == 400
    assert error(out)["message"] == "body: not UTF-8 (byte 0xff at position 11)"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
@pytest.mark.parametrize("path", ["/api/pk/simulate", "/api/safety/screen", "/api/costs/estimate"])
def test_it_refuses_deeply_nested_json_with_422(client: Client, path: str, depth: int) -> None:
    status, out = post_json(client, path, "[" * depth + "]" * depth)
    assert status == 422
    assert error(out)["message"] == f"body: nested more than {MAX_JSON_DEPTH} levels deep"


@pytest.mark.parametrize("number", ["9" * 5000, "1" + "0" * 400 + ".5", "1e" + "9" * 100, "-" + "7" * 60])
def test_it_refuses_numbers_with_thousands_of_digits_with_422(client: Client, number: str) -> None:
    status, out = post_json(client, "/api/pk/simulate", f'{{"weight_kg": {number}}}')
    assert status == 422
    assert "at most 50 are accepted" in str(error(out)["message"])


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_nan_and_infinity_in_json_with_422(client: Client, constant: str) -> None:
    status, out = post_json(client, "/api/pk/simulate", f'{{"weight_kg": {constant}}}')
    assert status == 422
    assert error(out)["message"] == f"body: {constant} is not a number JSON allows"


@pytest.mark.parametrize(
    "path",
    [
        "/api/trials?q=ketamine%00",
        "/api/trials?country=United%00States",
        "/api/trials?near=Boston%00",
        "/api/trials/NCT0417%009266",
        "/api/guide/safety%00",
        "/trials/?city=Bos%00ton",
        "/trials/NCT04179266/?near=Boston%00",
        "/search/?q=anxiety%00",
        "/tools/aftercare/?end=2024-05-01T10:00&route=iv%00",
        "/tools/routes/?mode=clinician&dose=0.5%00mg",
    ],
)
def test_it_refuses_nul_bytes_in_the_address_with_422(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.content[:300]
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/safety/screen", {"age": 40, "medications": ["ser\x00traline"]}),
        ("/api/pk/simulate", {"model": "clements\x00"}),
        ("/api/safety/aftercare", {"session_end": "2024-05-01T10:00:00", "route": "iv\x00"}),
        ("/api/costs/estimate", {"clinics": [{"name\x00": "x"}]}),
    ],
)
def test_it_refuses_nul_bytes_in_json_text_with_422(client: Client, path: str, body: object) -> None:
    status, out = post_json(client, path, json.dumps(body))
    assert status == 422
    assert "NUL character" in str(error(out)["message"])


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/tools/safety-screen/", {"age": "40", "medications": "ser\x00traline"}),
        ("/clinics/add/", {"name": "Clinic\x00"}),
    ],
)
def test_it_refuses_nul_bytes_in_form_fields_with_422(client: Client, path: str, form: dict[str, str]) -> None:
    response = client.post(path, form)
    assert response.status_code == 422
    assert "contains a NUL character" in response.content.decode()
