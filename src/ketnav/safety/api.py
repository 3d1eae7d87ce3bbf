"""JSON API for the safety tools. Nothing posted here is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from ketnav.errors import InvalidInput
from ketnav.safety.aftercare import plan
from ketnav.safety.ics import aftercare_ics
from ketnav.safety.screening import parse_answers, screen
from ketnav.safety.serialize import aftercare_dict, screening_dict, side_effects_dict
from ketnav.safety.side_effects import check
from ketnav.web.api import ErrorOut

router = Router(tags=["safety"])


class SideEffectsIn(Schema):
    effects: list[str]
    session_end: dt.datetime
    now: dt.datetime | None = None


class AftercareIn(Schema):
    session_end: dt.datetime
    route: str


@router.post(
    "/screen",
    response={200: dict[str, Any], 422: ErrorOut},
    summary="Pre-consultation screen (answers are not stored)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "example": {"age": 45, "medications": ["Nardil"], "blood_pressure": "165/102"},
                    }
                }
            }
        }
    },
)
def screen_answers(request: HttpRequest) -> dict[str, Any]:
    import json

    try:
        data = json.loads(request.body or b"null")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"body: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return screening_dict(screen(parse_answers(data)))


@router.post("/side-effects", response={200: dict[str, Any], 422: ErrorOut}, summary="Classify effects after a session")
def side_effects(request: HttpRequest, payload: SideEffectsIn) -> dict[str, Any]:
    end = payload.session_end
    now = payload.now or (dt.datetime.now(end.tzinfo) if end.tzinfo else dt.datetime.now())
    if (end.tzinfo is None) != (now.tzinfo is None):
        raise InvalidInput("now: give session_end and now both with or both without a time zone")
    return side_effects_dict(check(payload.effects, session_end=end, now=now))


@router.post("/aftercare", response={200: dict[str, Any], 422: ErrorOut}, summary="Aftercare plan")
def aftercare(request: HttpRequest, payload: AftercareIn) -> dict[str, Any]:
    return aftercare_dict(plan(session_end=payload.session_end, route=payload.route))


@router.post("/aftercare.ics", response={200: str, 422: ErrorOut}, summary="Aftercare plan as a calendar file")
def aftercare_calendar(request: HttpRequest, payload: AftercareIn) -> HttpResponse:
    text = aftercare_ics(plan(session_end=payload.session_end, route=payload.route))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ketamine-aftercare.ics"'
    return response
