"""A person's comparison worksheet, kept in their session: the clinics they are considering and the
course to price. Nothing goes into it until it has been fully checked, so a rejected import or form
leaves it exactly as it was."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ketnav.clinics.quotes import Quotes, parse_quotes
from ketnav.clinics.serialize import clinic_dict

KEY = "clinic_worksheet"
MAX_CLINICS = 12
COURSE_KEYS = ("route", "induction_sessions", "boosters", "months", "follow_ups")


def load(request: HttpRequest) -> dict[str, Any]:
    data = request.session.get(KEY) or {}
    return {"course": dict(data.get("course") or {}), "clinics": list(data.get("clinics") or [])}


def save(request: HttpRequest, data: dict[str, Any]) -> None:
    request.session[KEY] = data


def quotes(data: dict[str, Any]) -> Quotes | None:
    return parse_quotes(data) if data["clinics"] else None


def add(request: HttpRequest, incoming: Quotes) -> int:
    """Append already-checked clinics with the course each is priced at, keeping the worksheet bounded."""
    data = load(request)
    for clinic, course in zip(incoming.clinics, incoming.courses, strict=True):
        entry = clinic_dict(clinic)
        entry["course"] = {k: getattr(course, k) for k in COURSE_KEYS}
        data["clinics"].append(entry)
    data["clinics"] = data["clinics"][-MAX_CLINICS:]
    save(request, data)
    return len(incoming.clinics)


def set_course(request: HttpRequest, changes: dict[str, Any]) -> None:
    """Apply the same course assumptions (months, sessions, follow-ups) to every clinic."""
    data = load(request)
    for entry in data["clinics"]:
        entry["course"] = {**entry.get("course", {}), **changes}
    save(request, data)
