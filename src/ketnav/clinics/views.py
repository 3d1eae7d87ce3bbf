"""Compare clinics: enter, import or pick clinics, see checklist and costs side by side, print, export.

Every form goes through the same schemas as the API and the CLI; a rejected form or file shows each
problem (by the form's label, or row and column for CSV) and leaves the worksheet unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ketnav.citations.bibliography import resolve
from ketnav.clinics import worksheet
from ketnav.clinics.checklist import ITEMS, evaluate
from ketnav.clinics.costs import SERIES, Estimate, estimate
from ketnav.clinics.csvio import read_csv, read_rows, write_csv
from ketnav.clinics.fields import Column, Problem, check, flat_columns, refused
from ketnav.clinics.money import CURRENCIES, show
from ketnav.clinics.profile import BASICS, GROUPS
from ketnav.clinics.quotes import ClinicEntry, CourseIn, Quotes, QuotesIn, read_quotes
from ketnav.clinics.selectors import get_clinic, visible
from ketnav.errors import InvalidInput
from ketnav.routes import ROUTES

MAX_UPLOAD = 2_000_000
FORM_COLUMNS = tuple(f.column for f in flat_columns(ClinicEntry) if f.column.group in GROUPS)
COURSE_COLUMNS = tuple(f.column for f in flat_columns(CourseIn) if f.column.name != "route")


@dataclass(frozen=True)
class FormField:
    """One control on the add-a-clinic form, with what the person typed and what was wrong with it."""

    column: Column
    value: str
    error: str

    @property
    def id(self) -> str:
        return f"f-{self.column.name}"


def _form(values: Mapping[str, str], errors: Mapping[str, str]) -> list[dict[str, Any]]:
    """The form's sections in order; a section opens by itself when it holds a value or an error."""
    today = dt.date.today().isoformat()
    defaults = {"currency": "USD", "quoted_on": today, "fee_per": "session"}
    sections = []
    for key, title in GROUPS.items():
        fields = [
            FormField(c, values.get(c.name, defaults.get(c.name, "")), errors.get(c.name, ""))
            for c in FORM_COLUMNS
            if c.group == key
        ]
        touched = any(f.error or (f.value and f.column.name not in defaults) for f in fields)
        sections.append({"key": key, "title": title, "fields": fields, "open": key == BASICS or touched})
    return sections


def _course_fields(errors: Mapping[str, str]) -> list[FormField]:
    return [FormField(c, "", errors.get(c.name, "")) for c in COURSE_COLUMNS]


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    error = None
    try:
        quotes = worksheet.load(request)
    except InvalidInput as exc:  # a worksheet saved by an older version: say so rather than fail
        quotes, error = Quotes(), exc
    estimates = [estimate(c, c.course, show=partial(show, code=c.currency)) for c in quotes.clinics]
    checklists = [evaluate(e.clinic) for e in estimates]
    columns = [
        {
            "estimate": e,
            "route": ROUTES[e.course.route],
            "checklist": checklist,
            "lines": [(line, show(line.amount, e.clinic.currency)) for line in e.lines],
            "monthly": show(e.financing.monthly_payment, e.clinic.currency) if e.financing else "",
            "per_session": show(e.per_session, e.clinic.currency),
            "total": show(e.total, e.clinic.currency),
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
        "currencies": CURRENCIES,
        "directory": list(visible(staff=False)[:50]),
        "sections": _form(extra.pop("form", {}), extra.pop("field_errors", {})),
        "course_fields": _course_fields(extra.pop("course_errors", {})),
        "series": [(ROUTES[r], s, resolve(s.citations)) for r, s in SERIES.items()],
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
    """The page again with every problem listed at the top, each linked to its field when on the form."""
    anchors = {c.label: f"f-{c.name}" for c in (*FORM_COLUMNS, *COURSE_COLUMNS)}
    details = [
        {"location": d.location, "message": d.message, "anchor": anchors.get(d.location, "")} for d in exc.details
    ]
    context = _context(request, error=exc, details=details[:50], **extra)
    return render(request, "clinics/compare.html", context, status=422)


def _by_label(found: list[Problem]) -> tuple[InvalidInput, dict[str, str]]:
    """Problems named by the form's labels (never schema paths), and each field's own message."""
    located = [p if p.column else Problem(p.loc, Column("", "This clinic"), p.message) for p in found]
    errors: dict[str, str] = {}
    for p in located:
        assert p.column is not None
        errors.setdefault(p.column.name, p.message)
    return refused(located, style="label"), errors


def _save(request: HttpRequest, incoming: Quotes) -> None:
    try:
        current = worksheet.load(request)
    except InvalidInput:
        current = Quotes()  # an unreadable old worksheet is replaced, as the page offered
    worksheet.save(request, worksheet.added(current, incoming))


@require_POST
def add_clinic(request: HttpRequest) -> HttpResponse:
    form = {c.name: request.POST.get(c.name, "") for c in FORM_COLUMNS}
    quotes, found = read_rows([form])
    if quotes is None:
        exc, errors = _by_label(found)
        return _rejected(request, exc, form=form, field_errors=errors)
    _save(request, quotes)
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
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                raise InvalidInput(f"{upload.name} is not valid JSON ({exc}); nothing was imported") from None
            quotes = read_quotes(doc)
        elif name.endswith(".csv"):
            quotes = read_csv(content)
        else:
            raise InvalidInput(f"{upload.name}: import a .csv or .json file")
    except InvalidInput as exc:
        return _rejected(request, exc)
    _save(request, quotes)
    return HttpResponseRedirect(reverse("clinics:compare") + f"?imported={len(quotes.clinics)}#comparison")


@require_POST
def set_course(request: HttpRequest) -> HttpResponse:
    given = {c.name: request.POST.get(c.name, "") for c in COURSE_COLUMNS}
    try:
        changes = check(CourseIn, given, style="label")
        updated = worksheet.with_course(worksheet.load(request), changes)
    except InvalidInput as exc:
        labels = {c.label: c.name for c in COURSE_COLUMNS}
        errors = {labels[d.location]: d.message for d in exc.details if d.location in labels}
        return _rejected(request, exc, course_errors=errors)
    worksheet.save(request, updated)
    return HttpResponseRedirect(reverse("clinics:compare") + "#comparison")


@require_POST
def add_from_directory(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = get_clinic(clinic_id, staff=False)
    _save(request, check(QuotesIn, {"clinics": [clinic.as_profile().export()]}).resolve())
    return HttpResponseRedirect(reverse("clinics:compare") + "#comparison")


@require_POST
def remove_clinic(request: HttpRequest, index: int) -> HttpResponse:
    try:
        worksheet.save(request, worksheet.without(worksheet.load(request), index))
    except InvalidInput:
        worksheet.save(request, Quotes())
    return HttpResponseRedirect(reverse("clinics:compare"))


@require_POST
def clear(request: HttpRequest) -> HttpResponse:
    worksheet.save(request, Quotes())
    return HttpResponseRedirect(reverse("clinics:compare"))


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _saved(request: HttpRequest) -> Quotes:
    try:
        return worksheet.load(request)
    except InvalidInput:
        return Quotes()


@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(_saved(request).export(), indent=2, ensure_ascii=False)
    return _download(body, "application/json; charset=utf-8", "clinic-comparison.json")


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _download(write_csv(_saved(request)), "text/csv; charset=utf-8", "clinic-comparison.csv")
