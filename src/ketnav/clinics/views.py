"""Compare clinics: enter, import or pick clinics, see checklist and costs side by side, print, export.

Every form goes through the same parsers as the API and the CLI; a rejected form or file shows each
problem (row and column for CSV) and leaves the worksheet unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ketnav.clinics import worksheet
from ketnav.clinics.checklist import ITEMS, evaluate
from ketnav.clinics.costs import COURSE_LIMITS, DEFAULT_INDUCTION, Estimate
from ketnav.clinics.csvio import QUALITY, column_for, read_csv, row_to_clinic_dict, write_csv
from ketnav.clinics.money import CURRENCIES, show
from ketnav.clinics.profile import ROUTES
from ketnav.clinics.quotes import parse_quotes
from ketnav.clinics.selectors import get_clinic, visible
from ketnav.errors import ErrorDetail, InvalidInput

MAX_UPLOAD = 2_000_000
YES_NO_QUESTIONS = (
    ("anesthesiologist_on_site", "Someone on site who can manage breathing and heart problems?"),
    ("psychiatrist_involved", "Psychiatrist involved in your care?"),
    ("evaluation_before_treatment", "Full evaluation before the first session?"),
    ("monitors_blood_pressure", "Blood pressure checked during and after?"),
    ("pulse_oximetry", "Oxygen level (pulse oximetry) monitored?"),
    ("escort_required", "Must leave with a responsible adult?"),
    ("measures_outcomes", "Tracks your symptoms with questionnaires?"),
    ("rems_certified", "REMS-certified for esketamine?"),
    ("integration_support", "Offers integration or therapy support?"),
)


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    data = worksheet.load(request)
    quotes = None
    error = None
    try:
        quotes = worksheet.quotes(data)
    except InvalidInput as exc:  # a worksheet saved by an older version: say so rather than fail
        error = exc
    estimates = quotes.estimates() if quotes else []
    checklists = [evaluate(e.clinic) for e in estimates]
    columns = [
        {
            "estimate": e,
            "checklist": checklist,
            "lines": [(line, show(line.amount, e.clinic.currency)) for line in e.lines],
            "monthly": show(e.financing.monthly_payment, e.clinic.currency) if e.financing else "",
            "per_session": show(e.per_session, e.clinic.currency),
        }
        for e, checklist in zip(estimates, checklists, strict=True)
    ]
    rows = [(item, [c.results[i] for c in checklists]) for i, item in enumerate(ITEMS)]
    context = {
        "title": "Compare clinics",
        "columns": columns,
        "checklist_rows": rows,
        "money_rows": _money_rows(estimates),
        "worksheet_error": error,
        "routes": ROUTES,
        "currencies": sorted(CURRENCIES),
        "quality_fields": QUALITY,
        "today": dt.date.today().isoformat(),
        "directory": list(visible(staff=False)[:50]),
        "course": data["course"],
        "induction_defaults": {r: v[0] for r, v in DEFAULT_INDUCTION.items()},
        "form": {},
        "yes_no_questions": YES_NO_QUESTIONS,
    }
    context.update(extra)
    return context


def _money_rows(estimates: list[Estimate]) -> list[tuple[str, list[str]]]:
    labels = ("billed", "insurance_pays", "programme_pays", "paid_to_clinic", "interest", "reimbursement", "total")
    names = {
        "billed": "Billed by the clinic",
        "insurance_pays": "Insurance pays",
        "programme_pays": "Manufacturer savings",
        "paid_to_clinic": "You pay the clinic",
        "interest": "Financing interest",
        "reimbursement": "Expected reimbursement",
        "total": "Your total cost",
    }
    return [(names[k], [show(getattr(e, k), e.clinic.currency) for e in estimates]) for k in labels]


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    return render(request, "clinics/compare.html", _context(request))


def _rejected(request: HttpRequest, exc: InvalidInput, **extra: Any) -> HttpResponse:
    context = _context(request, error=exc, details=list(exc.details)[:50], **extra)
    return render(request, "clinics/compare.html", context, status=422)


@require_POST
def add_clinic(request: HttpRequest) -> HttpResponse:
    form = {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    entry = row_to_clinic_dict(form)
    try:
        worksheet.add(request, parse_quotes({"clinics": [entry]}))
    except InvalidInput as exc:
        fields = [ErrorDetail(column_for(d.location.removeprefix("clinics[0].")), d.message) for d in exc.details]
        return _rejected(request, InvalidInput(exc.message, fields), form=form)
    return HttpResponseRedirect(reverse("clinics:compare") + "#comparison")


@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput("choose a .csv or .json file to import")
        if upload.size and upload.size > MAX_UPLOAD:
            raise InvalidInput(f"the file is {upload.size:,} bytes; the limit is {MAX_UPLOAD:,}")
        content = upload.read()
        name = (upload.name or "").casefold()
        if name.endswith(".json"):
            try:
                doc = json.loads(content.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InvalidInput(f"{upload.name} is not valid JSON ({exc}); nothing was imported") from None
            quotes = parse_quotes(doc)
        elif name.endswith(".csv"):
            quotes = read_csv(content)
        else:
            raise InvalidInput(f"{upload.name}: import a .csv or .json file")
    except InvalidInput as exc:
        return _rejected(request, exc)
    count = worksheet.add(request, quotes)
    return HttpResponseRedirect(reverse("clinics:compare") + f"?imported={count}#comparison")


@require_POST
def set_course(request: HttpRequest) -> HttpResponse:
    changes: dict[str, Any] = {}
    problems = []
    for key, (low, high) in COURSE_LIMITS.items():
        raw = request.POST.get(key, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not low <= int(raw) <= high:
            problems.append(ErrorDetail(key, f"{raw!r} should be a whole number from {low} to {high}"))
        else:
            changes[key] = int(raw)
    if problems:
        return _rejected(request, InvalidInput(f"{problems[0].location}: {problems[0].message}", problems))
    worksheet.set_course(request, changes)
    return HttpResponseRedirect(reverse("clinics:compare") + "#comparison")


@require_POST
def add_from_directory(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = get_clinic(clinic_id, staff=False)
    worksheet.add(request, parse_quotes({"clinics": [clinic.profile]}))
    return HttpResponseRedirect(reverse("clinics:compare") + "#comparison")


@require_POST
def remove_clinic(request: HttpRequest, index: int) -> HttpResponse:
    data = worksheet.load(request)
    if 0 <= index < len(data["clinics"]):
        del data["clinics"][index]
        worksheet.save(request, data)
    return HttpResponseRedirect(reverse("clinics:compare"))


@require_POST
def clear(request: HttpRequest) -> HttpResponse:
    worksheet.save(request, {"course": {}, "clinics": []})
    return HttpResponseRedirect(reverse("clinics:compare"))


@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    data = worksheet.load(request)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="clinic-comparison.json"'
    return response


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    quotes = worksheet.quotes(worksheet.load(request))
    body = write_csv(quotes.clinics, quotes.courses) if quotes else ""
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="clinic-comparison.csv"'
    return response
