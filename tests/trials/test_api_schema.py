"""The OpenAPI document states what the endpoints really take and give (issues 15 and 17): every
operation's typed 2xx responses, and the trial search parameters' codes, ranges and lengths."""

from __future__ import annotations

import typing
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from ketnav.trials import api as trials_api
from ketnav.trials.record import PHASES, STATUSES
from ketnav.trials.search.engine import MAX_PAGE_SIZE
from ketnav.trials.search.filters import INTERVENTION_TYPES, SORTS, STUDY_TYPES
from ketnav.web.api import api


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return api.get_openapi_schema()


def test_the_schema_codes_are_the_ones_the_filters_accept() -> None:
    assert typing.get_args(trials_api.StatusCode) == (*STATUSES, "open", "any")
    assert typing.get_args(trials_api.PhaseCode) == PHASES
    assert typing.get_args(trials_api.StudyTypeCode) == STUDY_TYPES
    assert typing.get_args(trials_api.InterventionTypeCode) == INTERVENTION_TYPES
    assert typing.get_args(trials_api.SortOrder) == SORTS


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _untyped_objects(schema: dict[str, Any], node: dict[str, Any], seen: set[str]) -> list[str]:
    """Objects whose properties are not declared (a dict[str, Any] response), anywhere in ``node``. A map
    whose values have a declared schema (dict[str, int], route -> Quote) is typed."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
    node = _resolve(schema, node)
    found = []
    values = node.get("additionalProperties")
    typed_map = isinstance(values, dict) and bool(values)
    if node.get("type") == "object" and "properties" not in node and not typed_map:
        found.append(node.get("title", "object"))
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            found += _untyped_objects(schema, node[key], seen)
    for child in [*node.get("properties", {}).values(), *node.get("anyOf", []), *node.get("allOf", [])]:
        found += _untyped_objects(schema, child, seen)
    return found


def test_every_operation_declares_a_typed_2xx_response(schema: dict[str, Any]) -> None:
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            ok = {str(code): r for code, r in operation["responses"].items() if str(code).startswith("2")}
            assert ok, f"{where} declares no 2xx response"
            for code, response in ok.items():
                if code == "204":
                    assert "content" not in response, f"{where} 204 declares a body"
                    continue
                assert response.get("content"), f"{where} {code} declares no body"
                for content_type, body in response["content"].items():
                    untyped = _untyped_objects(schema, body["schema"], set())
                    assert not untyped, f"{where} {code} {content_type} has untyped objects: {untyped}"
            checked += 1
    assert checked == sum(len(operations) for operations in schema["paths"].values()) > 50


def _models(annotation: Any, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for arg in typing.get_args(annotation):
        _models(arg, found)


def test_no_two_schemas_share_a_name(schema: dict[str, Any]) -> None:
    """The OpenAPI components are keyed by class name: two of our classes with one name would silently
    leave one operation described by the other's schema (a journal AccountOut once replaced the account's)."""
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _models(model, found)
    ours = [m for m in found if m.__module__.startswith("ketnav.")]
    names = Counter(m.__name__ for m in ours)
    assert len(ours) > 50
    assert not [name for name, count in names.items() if count > 1]


def test_the_journal_export_states_each_format(schema: dict[str, Any]) -> None:
    for path in ("/api/journal/export", "/api/journal/shared/{owner_id}/export"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", "application/fhir+json", "text/csv"}
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/JournalExportOut"}
        bundle = content["application/fhir+json"]["schema"]
        assert bundle["properties"]["resourceType"]["const"] == "Bundle"
        assert bundle["properties"]["entry"]["items"]["properties"]["resource"]["required"] == ["resourceType", "id"]


def _parameters(schema: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}


def test_search_parameters_state_their_codes_ranges_and_lengths(schema: dict[str, Any]) -> None:
    params = _parameters(schema, "/api/trials")
    assert params["status"]["items"]["enum"] == [*STATUSES, "open", "any"]
    assert params["phase"]["items"]["enum"] == list(PHASES)
    assert params["intervention_type"]["items"]["enum"] == list(INTERVENTION_TYPES)
    assert params["sort"]["enum"] == list(SORTS)
    age = next(s for s in params["age"]["anyOf"] if s["type"] == "number")
    assert (age["minimum"], age["maximum"]) == (0, 120)
    radius = next(s for s in params["radius_km"]["anyOf"] if s["type"] == "number")
    assert (radius["exclusiveMinimum"], radius["maximum"]) == (0, 20_000)
    assert (params["page_size"]["minimum"], params["page_size"]["maximum"]) == (1, MAX_PAGE_SIZE)
    assert params["page"]["minimum"] == 1
    assert params["q"]["maxLength"] == 1000
    assert params["near"]["maxLength"] == 200
    assert {params[n]["maxLength"] for n in ("country", "state", "city")} == {128}
    start = next(s for s in params["start_from"]["anyOf"] if s["type"] == "string")
    assert start["format"] == "date"
    assert _parameters(schema, "/api/trials/{nct_id}")["nct_id"]["pattern"] == "^[Nn][Cc][Tt][0-9]{8}$"
    assert _parameters(schema, "/api/guide/{slug}")["slug"]["maxLength"] == 64


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("age=121", "age"),
        ("age=-1", "age"),
        ("radius_km=0", "radius_km"),
        ("page_size=101", "page_size"),
        ("page=0", "page"),
        ("sort=newest", "sort"),
        ("status=RECRUITING&status=OPENISH", "status"),
        ("q=" + "a" * 1001, "q"),
        ("near=" + "b" * 201, "near"),
        ("start_from=last+year", "start_from"),
        ("sex=X", "sex"),
    ],
)
def test_it_rejects_search_parameters_outside_their_stated_limits(client: Client, query: str, location: str) -> None:
    response = client.get(f"/api/trials?{query}")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"][0]["location"] == location


@pytest.mark.django_db
def test_it_rejects_a_malformed_nct_id_with_422_naming_it(client: Client) -> None:
    error = client.get("/api/trials/NCT123").json()["error"]
    assert error["details"][0]["location"] == "nct_id"
