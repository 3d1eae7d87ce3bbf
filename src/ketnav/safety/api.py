"""JSON API for the safety tools. Nothing posted here is stored.

Every operation declares its typed request and response schemas (ketnav.safety.answers and
ketnav.safety.schemas), so ``/api/openapi.json`` states the accepted values and the returned shape.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Router

from ketnav.errors import InvalidInput
from ketnav.safety.aftercare import plan
from ketnav.safety.answers import ScreeningAnswersIn
from ketnav.safety.ics import aftercare_ics
from ketnav.safety.schemas import AftercareIn, AftercareOut, ScreeningOut, SideEffectsIn, SideEffectsOut
from ketnav.safety.screening import screen
from ketnav.safety.side_effects import check
from ketnav.schemas import ErrorOut

router = Router(tags=["safety"])


@router.post(
    "/screen",
    response={200: ScreeningOut, 422: ErrorOut},
    summary="Pre-consultation screen (answers are not stored)",
    description="Any yes to suicidal thoughts returns the crisis contacts first, in `crisis`.",
)
def screen_answers(request: HttpRequest, answers: ScreeningAnswersIn) -> ScreeningOut:
    return ScreeningOut.of(screen(answers.to_answers()))


@router.post("/side-effects", response={200: SideEffectsOut, 422: ErrorOut}, summary="Classify effects after a session")
def side_effects(request: HttpRequest, payload: SideEffectsIn) -> SideEffectsOut:
    end = payload.session_end
    now = payload.now or (dt.datetime.now(end.tzinfo) if end.tzinfo else dt.datetime.now())
    if (end.tzinfo is None) != (now.tzinfo is None):
        raise InvalidInput("now: give session_end and now both with or both without a time zone")
    return SideEffectsOut.of(check(payload.effects, session_end=end, now=now))


@router.post("/aftercare", response={200: AftercareOut, 422: ErrorOut}, summary="Aftercare plan")
def aftercare(request: HttpRequest, payload: AftercareIn) -> AftercareOut:
    return AftercareOut.of(plan(session_end=payload.session_end, route=payload.route))


@router.post(
    "/aftercare.ics",
    response={200: str, 422: ErrorOut},
    summary="Aftercare plan as a calendar file",
    openapi_extra={
        "responses": {
            "200": {"description": "An iCalendar file", "content": {"text/calendar": {"schema": {"type": "string"}}}}
        }
    },
)
def aftercare_calendar(request: HttpRequest, payload: AftercareIn) -> HttpResponse:
    text = aftercare_ics(plan(session_end=payload.session_end, route=payload.route))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ketamine-aftercare.ics"'
    return response
