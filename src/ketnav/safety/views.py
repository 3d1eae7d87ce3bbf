"""Treatment tools pages: the hub, the pre-consultation screen, the side-effect check and aftercare.

Answers are processed in the request and rendered; nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ketnav.errors import InvalidInput
from ketnav.safety.aftercare import ROUTES, plan
from ketnav.safety.ics import aftercare_ics
from ketnav.safety.screening import (
    CONDITIONS,
    PRIOR_KETAMINE,
    SEVERITIES,
    SEVERITY_LABELS,
    SUBSTANCE_USE,
    parse_answers,
    screen,
)
from ketnav.safety.side_effects import CLASS_LABELS, check, effects


def hub(request: HttpRequest) -> HttpResponse:
    return render(request, "safety/hub.html", {"title": "Treatment tools"})


def _answers_from_form(request: HttpRequest) -> dict[str, object]:
    p = request.POST
    data: dict[str, object] = {
        "conditions": p.getlist("conditions"),
        "medications": [line.strip() for line in p.get("medications", "").splitlines() if line.strip()],
        "substance_use": [v for v in p.getlist("substance_use") if v],
        "prior_ketamine": [v for v in p.getlist("prior_ketamine") if v],
        "suicidal_thoughts": p.get("suicidal_thoughts") or "none",
    }
    if p.get("age", "").strip():
        try:
            data["age"] = float(p["age"])
        except ValueError:
            data["age"] = p["age"]
    for flag in ("pregnant", "breastfeeding"):
        if p.get(flag) in {"yes", "no"}:
            data[flag] = p[flag] == "yes"
    systolic, diastolic = p.get("systolic", "").strip(), p.get("diastolic", "").strip()
    if systolic or diastolic:
        data["blood_pressure"] = f"{systolic}/{diastolic}"
    return data


@require_http_methods(["GET", "POST"])
def screen_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "title": "Before your consultation: safety screen",
        "conditions": CONDITIONS.items(),
        "substance_use": SUBSTANCE_USE,
        "prior_ketamine": PRIOR_KETAMINE,
    }
    status = 200
    if request.method == "POST":
        answers = _answers_from_form(request)
        try:
            result = screen(parse_answers(answers))
        except InvalidInput as exc:
            context["error"] = exc
            status = 422
        else:
            context.update(
                {
                    "result": result,
                    "title": "Your safety screen summary",
                    "groups": [
                        (s, SEVERITY_LABELS[s], result.by_severity[s]) for s in SEVERITIES if result.by_severity[s]
                    ],
                    "today": dt.date.today(),
                    "answers_json": json.dumps(answers),  # for "Save to my journal" (journal/save_screen.html)
                }
            )
            return render(request, "safety/screen_result.html", context)
    return render(request, "safety/screen.html", context, status=status)


@require_http_methods(["GET", "POST"])
def side_effects_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"title": "After a session: how are you feeling?", "effects": effects().values()}
    status = 200
    if request.method == "POST":
        try:
            end = dt.datetime.fromisoformat(request.POST.get("session_end", ""))
        except ValueError:
            context["error"] = InvalidInput("session_end: give the date and time the session ended")
            status = 422
        else:
            try:
                result = check(request.POST.getlist("effects"), session_end=end, now=dt.datetime.now())
                context.update({"result": result, "labels": CLASS_LABELS})
            except InvalidInput as exc:
                context["error"] = exc
                status = 422
    return render(request, "safety/side_effects.html", context, status=status)


def _plan_from(request: HttpRequest):  # type: ignore[no-untyped-def]
    end = dt.datetime.fromisoformat(request.GET["end"])
    return plan(session_end=end, route=request.GET.get("route", ""))


def aftercare_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"title": "Aftercare plan", "routes": ROUTES.items(), "params": request.GET}
    status = 200
    if request.GET.get("end"):
        try:
            context["plan"] = _plan_from(request)
        except ValueError:
            context["error"] = InvalidInput("end: give the date and time the session ended")
            status = 422
        except InvalidInput as exc:
            context["error"] = exc
            status = 422
    return render(request, "safety/aftercare.html", context, status=status)


def aftercare_ics_download(request: HttpRequest) -> HttpResponse:
    try:
        result = _plan_from(request)
    except (KeyError, ValueError, InvalidInput):
        return HttpResponse("Give end (e.g. 2026-11-26T15:30) and route.", status=422, content_type="text/plain")
    response = HttpResponse(aftercare_ics(result), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ketamine-aftercare.ics"'
    return response
