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
from ketnav.safety.aftercare import DRIVING_RULE, ROUTES, plan
from ketnav.safety.answers import SUICIDAL_THOUGHTS_LABELS, touches_suicidal_thoughts
from ketnav.safety.crisis import crisis_payload
from ketnav.safety.ics import aftercare_ics
from ketnav.safety.screening import (
    CONDITIONS,
    PRIOR_KETAMINE,
    SEVERITIES,
    SEVERITY_LABELS,
    SUBSTANCE_USE,
    Finding,
    ScreeningResult,
    parse_answers,
    screen,
)
from ketnav.safety.side_effects import CLASS_LABELS, CRISIS_EFFECTS, check, effects


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


def _groups(result: ScreeningResult) -> list[tuple[str, str, list[Finding]]]:
    """Findings by severity for the page, without the safety-pathway findings shown above them."""
    pathway = {id(f) for f in result.pathway}
    groups = []
    for s in SEVERITIES:
        items = [f for f in result.by_severity[s] if id(f) not in pathway]
        if items:
            groups.append((s, SEVERITY_LABELS[s], items))
    return groups


@require_http_methods(["GET", "POST"])
def screen_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "title": "Before your consultation: safety screen",
        "conditions": CONDITIONS.items(),
        "substance_use": SUBSTANCE_USE,
        "prior_ketamine": PRIOR_KETAMINE,
        "suicidal_choices": SUICIDAL_THOUGHTS_LABELS.items(),
        "chosen": {"conditions": set(request.POST.getlist("conditions"))},
    }
    status = 200
    if request.method == "POST":
        answers = _answers_from_form(request)
        if touches_suicidal_thoughts(answers):  # shown even if another answer needs correcting
            context["crisis"] = crisis_payload()
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
                    "groups": _groups(result),
                    "other_urgent": [f for f in result.findings if f.rule.urgent and f not in result.pathway],
                    "crisis": crisis_payload() if result.crisis else None,
                    "today": dt.date.today(),
                    "answers_json": json.dumps(answers),  # for "Save to my journal" (journal/save_screen.html)
                }
            )
            return render(request, "safety/screen_result.html", context)
    return render(request, "safety/screen.html", context, status=status)


@require_http_methods(["GET", "POST"])
def side_effects_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "title": "After a session: how are you feeling?",
        "effects": effects().values(),
        "chosen": set(request.POST.getlist("effects")),
    }
    status = 200
    if request.method == "POST":
        selected = request.POST.getlist("effects")
        if CRISIS_EFFECTS & set(selected):  # before any other check, so an error elsewhere never hides it
            context["crisis"] = crisis_payload()
        try:
            end = dt.datetime.fromisoformat(request.POST.get("session_end", ""))
        except ValueError:
            context["error"] = InvalidInput("session_end: give the date and time the session ended")
            status = 422
        else:
            try:
                result = check(selected, session_end=end, now=dt.datetime.now())
                context.update({"result": result, "labels": CLASS_LABELS})
            except InvalidInput as exc:
                context["error"] = exc
                status = 422
    return render(request, "safety/side_effects.html", context, status=status)


def _plan_from(request: HttpRequest):  # type: ignore[no-untyped-def]
    end = dt.datetime.fromisoformat(request.GET["end"])
    return plan(session_end=end, route=request.GET.get("route", ""))


def aftercare_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "title": "Aftercare plan",
        "routes": ROUTES.items(),
        "params": request.GET,
        "driving_rule": DRIVING_RULE,
    }
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
