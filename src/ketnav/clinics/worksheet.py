"""A person's comparison worksheet, kept in their session: the clinics they are considering, each with
the course to price.

The state is the ``Quotes`` schema, and the session holds exactly its JSON export, so a worksheet
saved anywhere else (a file, later an account) is the same document and is read back by one
validation. Nothing goes into it until it has been fully checked, so a rejected import or form
leaves it exactly as it was.
"""

from __future__ import annotations

from django.http import HttpRequest
from pydantic import ValidationError

from ketnav.clinics.costs import Course
from ketnav.clinics.fields import check, invalid
from ketnav.clinics.quotes import CourseIn, Quotes

KEY = "clinic_worksheet"
MAX_CLINICS = 12


def load(request: HttpRequest) -> Quotes:
    """The saved worksheet (empty if none); InvalidInput if a saved one can no longer be read."""
    data = request.session.get(KEY)
    if not data:
        return Quotes()
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "course"}  # worksheets saved before 0.x kept an unused "course"
    return check(Quotes, data)


def save(request: HttpRequest, quotes: Quotes) -> None:
    request.session[KEY] = quotes.export()


def added(current: Quotes, incoming: Quotes) -> Quotes:
    """The worksheet with ``incoming`` appended, keeping the newest ``MAX_CLINICS``."""
    return Quotes(clinics=[*current.clinics, *incoming.clinics][-MAX_CLINICS:])


def with_course(current: Quotes, changes: CourseIn) -> Quotes:
    """The same course assumptions (months, sessions, follow-ups) applied to every clinic."""
    given = changes.given()
    clinics = []
    for clinic in current.clinics:
        try:
            course = Course.model_validate({**clinic.course.model_dump(), **given})
        except ValidationError as exc:
            raise invalid(CourseIn, exc, style="label") from None
        clinics.append(clinic.model_copy(update={"course": course}))
    return Quotes(clinics=clinics)


def without(current: Quotes, index: int) -> Quotes:
    return Quotes(clinics=[c for i, c in enumerate(current.clinics) if i != index])
