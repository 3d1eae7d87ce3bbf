"""Page forms to schema input: the POST fields of each entry form as the dict its schema parses,
and stored entries back into form values. (Validation itself is the schema's, as for the API.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import QueryDict

from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.journal.kinds import Kind, input_values
from ketnav.scales.definitions import get_scale

_OPTIONAL_BLANK = {"noticed_at", "heart_rate", "dose", "clinic", "notes"}


def raw_from_post(kind: Kind, post: QueryDict, *, scale_id: str = "") -> dict[str, Any]:
    if kind.slug == "scales":
        return _scale_raw(post, scale_id)
    raw: dict[str, Any] = {}
    for name in kind.schema.model_fields:
        if name == "effects":
            raw[name] = post.getlist("effects")
            continue
        value = post.get(name, "")
        if value.strip() == "" and name in _OPTIONAL_BLANK:
            continue
        if value != "":
            raw[name] = value
    return raw


def _scale_raw(post: QueryDict, scale_id: str) -> dict[str, Any]:
    scale = get_scale(scale_id)
    answers: list[Any] = []
    missing = []
    for i in range(1, len(scale.items) + 1):
        value = post.get(f"item{i}", "")
        if value == "":
            missing.append(ErrorDetail(f"item{i}", f"Question {i}: choose an answer"))
        answers.append(value)
    if missing:
        raise InvalidInput(f"{missing[0].message}", details=missing)
    raw: dict[str, Any] = {"scale": scale_id, "answers": answers}
    if post.get("taken_on", ""):
        raw["taken_on"] = post["taken_on"]
    return raw


def _form_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def initial_values(kind: Kind, instance: Any | None) -> dict[str, Any]:
    """What the form shows: a stored entry's values, or sensible defaults for a new one."""
    if instance is not None:
        return {k: _form_value(v) for k, v in input_values(kind, instance).items()}
    now = dt.datetime.now(dt.UTC)
    field = {"scales": "taken_on"}.get(kind.slug, kind.when)
    return {field: _form_value(now.date() if field == "taken_on" else now)}


def values_from_post(post: QueryDict) -> dict[str, Any]:
    """Echo what was typed back into the form after an error (so nothing the person wrote is lost)."""
    values: dict[str, Any] = {k: post.get(k) for k in post if k != "csrfmiddlewaretoken"}
    values["effects"] = post.getlist("effects")
    return values
