"""A quotes document (CLI file, JSON import, API body, the worksheet): clinics plus the course to price.

Shape: ``{"course": {...}, "clinics": [{... clinic ..., "course": {...}}]}`` (or a bare list of
clinics). A clinic's own ``course`` overrides the shared one; anything left out comes from
``default_course`` for that clinic's route. All clinics are checked before any is used.

``Quotes`` is the same document with every course filled in: what ``QuotesIn.resolve`` returns, what
the compare page keeps in the session and what "Export JSON" writes, so a saved worksheet is just
this schema serialised, and reading it back is one validation.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from ketnav.clinics.costs import Course, Estimate, Show, default_course, estimate, plain
from ketnav.clinics.fields import Checked, Column, Frozen, RouteName, Whole, check, fail, problems
from ketnav.clinics.profile import Clinic

MAX_CLINICS = 500
COURSE = "course"  # the form section of the course columns


class CourseIn(Frozen):
    """Course assumptions as given; blank fields take the route's usual series."""

    route: Annotated[RouteName | None, Column("route", "Route", shared=True)] = None
    induction_sessions: Annotated[
        int | None,
        Whole(0, 100),
        Column("induction_sessions", "Induction sessions", COURSE, "whole", "The first series of sessions."),
    ] = None
    boosters: Annotated[
        int | None,
        Whole(0, 200),
        Column("boosters", "Booster sessions", COURSE, "whole", "Sessions after the first series."),
    ] = None
    months: Annotated[
        int | None,
        Whole(1, 120),
        Column("months", "Months", COURSE, "whole", "How long a stretch to price, from the first session."),
    ] = None
    follow_ups: Annotated[
        int | None,
        Whole(0, 100),
        Column("follow_ups", "Follow-up visits", COURSE, "whole", "Check-in visits with the prescriber."),
    ] = None
    consultation: bool | None = None
    use_packages: bool | None = None
    finance: bool | None = None

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def resolve_course(clinic: Clinic, *changes: CourseIn) -> Course:
    """The course for ``clinic``: its route's usual series, then each set of changes in turn."""
    given: dict[str, Any] = {}
    for change in changes:
        given.update(change.given())
    route = given.get("route") or (clinic.routes[0] if clinic.routes else "iv")
    base = default_course(route, months=given.get("months", 3))
    return Course.model_validate({**base.model_dump(), **given, "route": route})


class ClinicEntry(Clinic):
    course: CourseIn | None = None


class PricedClinic(Clinic):
    """A clinic with the course it is priced at."""

    course: Course

    @model_validator(mode="after")
    def _priced_route(self) -> PricedClinic:
        if self.course.route not in self.prices.session:
            priced = ", ".join(self.prices.session)
            fail("route", f"no per-session price for {self.course.route} (priced: {priced})", at="course.route")
        return self


def _bare_list(data: Any) -> Any:
    return {"clinics": data} if isinstance(data, list) else data


class QuotesIn(Checked):
    course: CourseIn | None = None
    clinics: Annotated[list[ClinicEntry], Field(min_length=1, max_length=MAX_CLINICS)]

    @model_validator(mode="before")
    @classmethod
    def _listed(cls, data: Any) -> Any:
        return _bare_list(data)

    @model_validator(mode="after")
    def _courses(self) -> QuotesIn:
        """Every clinic's course is checked here, so ``resolve`` cannot fail."""
        for i, entry in enumerate(self.clinics):
            try:
                course = resolve_course(entry, *self._changes(entry))
            except ValidationError as exc:
                problem = problems(Course, exc)[0]
                fail("course", problem.message, at=".".join(map(str, ("clinics", i, "course", *problem.loc))))
            if course.route not in entry.prices.session:
                priced = ", ".join(entry.prices.session)
                message = f"no per-session price for {course.route} (priced: {priced})"
                fail("route", message, at=f"clinics.{i}.course.route")
        return self

    def _changes(self, entry: ClinicEntry) -> list[CourseIn]:
        return [c for c in (self.course, entry.course) if c is not None]

    def resolve(self) -> Quotes:
        """Each clinic with its full course."""
        priced = []
        for entry in self.clinics:
            course = resolve_course(entry, *self._changes(entry))
            priced.append(PricedClinic.model_validate({**entry.model_dump(exclude={"course"}), "course": course}))
        return Quotes(clinics=priced)


class Quotes(Checked):
    """Clinics each with a full course: a resolved document, and the compare page's worksheet."""

    clinics: Annotated[list[PricedClinic], Field(max_length=MAX_CLINICS)] = []

    def estimates(self, *, show: Show = plain) -> list[Estimate]:
        return [estimate(c, c.course, show=show) for c in self.clinics]

    def export(self) -> dict[str, Any]:
        """As a quotes document that imports again to the same clinics and courses."""
        return {"clinics": [{**c.export(), "course": c.course.model_dump(mode="json")} for c in self.clinics]}


def read_quotes(doc: Any) -> Quotes:
    """A quotes document (parsed JSON) checked and resolved; InvalidInput names every problem by path."""
    return check(QuotesIn, doc).resolve()
