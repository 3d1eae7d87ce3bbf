"""/api/openapi.json is a document every client can read: Swagger UI refused it when an operation had
both ninja's 422 and our "422" (JSON turned them into one key twice: "duplicated mapping key")."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicated, f"duplicated keys {duplicated} in an object with keys {keys}"
    return dict(pairs)


def test_the_openapi_document_has_no_duplicated_keys(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content, object_pairs_hook=_no_duplicates)
    statuses = [set(op["responses"]) for ops in doc["paths"].values() for op in ops.values()]
    assert statuses and all({"400", "422"} <= s for s in statuses)
