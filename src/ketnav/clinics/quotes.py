"""A quotes document (CLI file, JSON import, API body): clinics plus the course to price at each.

Shape: ``{"course": {...}, "clinics": [{... clinic ..., "course": {...}}]}`` (or a bare list of
clinics). A clinic's own ``course`` overrides the shared one; anything left out comes from
``default_course`` for that clinic's route. All clinics are checked before any is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ketnav.clinics.costs import Course, Estimate, check_course, default_course, estimate
from ketnav.clinics.profile import ROUTES, Clinic, parse_clinics
from ketnav.errors import ErrorDetail, InvalidInput

COURSE_FIELDS = (
    "route",
    "induction_sessions",
    "boosters",
    "months",
    "follow_ups",
    "consultation",
    "use_packages",
    "finance",
)


@dataclass(frozen=True)
class Quotes:
    clinics: tuple[Clinic, ...]
    courses: tuple[Course, ...]

    def estimates(self) -> list[Estimate]:
        return [estimate(c, k) for c, k in zip(self.clinics, self.courses, strict=True)]


def parse_course(raw: Mapping[str, Any], clinic: Clinic, where: str) -> Course:
    unknown = set(raw) - set(COURSE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}",
            [ErrorDetail(where, f"unknown: {', '.join(sorted(unknown))}")],
        )
    route = str(raw.get("route") or (clinic.routes[0] if clinic.routes else "iv")).casefold()
    if route not in ROUTES:
        raise InvalidInput(
            f"{where}.route: {route!r} is not one of {', '.join(ROUTES)}",
            [ErrorDetail(f"{where}.route", "unknown route")],
        )
    months = _whole(raw.get("months", 3), f"{where}.months")
    course = default_course(route, months=months)
    changes: dict[str, Any] = {}
    for name in ("induction_sessions", "boosters", "follow_ups"):
        if raw.get(name) is not None:
            changes[name] = _whole(raw[name], f"{where}.{name}")
    for name in ("consultation", "use_packages", "finance"):
        if raw.get(name) is not None:
            if not isinstance(raw[name], bool):
                raise InvalidInput(
                    f"{where}.{name}: should be true or false", [ErrorDetail(f"{where}.{name}", "not a boolean")]
                )
            changes[name] = raw[name]
    return check_course(replace(course, **changes), where)


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise InvalidInput(f"{where}: {value!r} is not a whole number", [ErrorDetail(where, "not a whole number")])
    return int(value)


def parse_quotes(doc: Any) -> Quotes:
    if isinstance(doc, list):
        doc = {"clinics": doc}
    if not isinstance(doc, Mapping):
        raise InvalidInput('the quotes should be a JSON object like {"clinics": [...]} or a list of clinics')
    clinics = parse_clinics(doc.get("clinics"))
    shared = doc.get("course") or {}
    if not isinstance(shared, Mapping):
        raise InvalidInput("course: should be an object", [ErrorDetail("course", "not an object")])
    courses = []
    problems: list[ErrorDetail] = []
    for i, (clinic, raw) in enumerate(zip(clinics, doc["clinics"], strict=True)):
        own = raw.get("course") or {}
        try:
            courses.append(parse_course({**shared, **own}, clinic, f"clinics[{i}].course"))
        except InvalidInput as exc:
            problems.extend(exc.details or [ErrorDetail(f"clinics[{i}].course", exc.message)])
    if problems:
        raise InvalidInput(f"{problems[0].location}: {problems[0].message}", problems)
    return Quotes(tuple(clinics), tuple(courses))
