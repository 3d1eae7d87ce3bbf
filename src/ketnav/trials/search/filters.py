"""Search filters and sort orders, validated at the boundary with specific messages."""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass, field

from ketnav.errors import ErrorDetail, InvalidInput
from ketnav.trials.record import OPEN_STATUSES, PHASES, STATUSES

STUDY_TYPES = ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS")
INTERVENTION_TYPES = (
    "DRUG",
    "DEVICE",
    "BIOLOGICAL",
    "PROCEDURE",
    "RADIATION",
    "BEHAVIORAL",
    "GENETIC",
    "DIETARY_SUPPLEMENT",
    "COMBINATION_PRODUCT",
    "DIAGNOSTIC_TEST",
    "OTHER",
)
SORTS = ("relevance", "distance", "last_updated", "start_date")
DEFAULT_RADIUS_KM = 100.0


@dataclass(frozen=True)
class SearchFilters:
    statuses: tuple[str, ...] = OPEN_STATUSES  # empty tuple = any status
    phases: tuple[str, ...] = ()
    study_types: tuple[str, ...] = ()
    intervention_types: tuple[str, ...] = ()
    age: float | None = None
    sex: str = ""  # "", "FEMALE", "MALE"
    healthy_volunteers: bool | None = None
    country: str = ""
    state: str = ""
    city: str = ""
    near: str = ""
    radius_km: float = DEFAULT_RADIUS_KM
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    has_results: bool | None = None


@dataclass
class _Problems:
    details: list[ErrorDetail] = field(default_factory=list)

    def add(self, location: str, message: str) -> None:
        self.details.append(ErrorDetail(location, message))


def _codes(
    values: list[str] | tuple[str, ...] | None, allowed: tuple[str, ...], name: str, problems: _Problems
) -> tuple[str, ...]:
    out = []
    for raw in values or ():
        for part in str(raw).split(","):
            code = part.strip().upper().replace(" ", "_").replace("-", "_")
            if not code:
                continue
            code = {
                "PHASE_1": "PHASE1",
                "PHASE_2": "PHASE2",
                "PHASE_3": "PHASE3",
                "PHASE_4": "PHASE4",
                "1": "PHASE1",
                "2": "PHASE2",
                "3": "PHASE3",
                "4": "PHASE4",
                "N/A": "NA",
            }.get(code, code)
            if code not in allowed:
                problems.add(name, f"unknown value {part.strip()!r}; use one of {', '.join(allowed)}")
            else:
                out.append(code)
    return tuple(dict.fromkeys(out))


def _date(raw: str | None, name: str, problems: _Problems) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.add(name, f"{raw!r} is not a date (YYYY-MM-DD)")
        return None


def build_filters(
    *,
    status: list[str] | None = None,
    phase: list[str] | None = None,
    study_type: list[str] | None = None,
    intervention_type: list[str] | None = None,
    age: float | str | None = None,
    sex: str | None = None,
    healthy_volunteers: bool | None = None,
    country: str = "",
    state: str = "",
    city: str = "",
    near: str = "",
    radius_km: float | str | None = None,
    start_from: str | None = None,
    start_to: str | None = None,
    has_results: bool | None = None,
) -> SearchFilters:
    """Build and validate filters from loosely typed input (query strings, CLI options)."""
    problems = _Problems()
    statuses: tuple[str, ...] = OPEN_STATUSES
    wanted = [s for s in (status or []) if s]
    if wanted:
        if any(s.strip().lower() in {"any", "all"} for s in wanted):
            statuses = ()
        elif any(s.strip().lower() == "open" for s in wanted):
            statuses = OPEN_STATUSES
        else:
            statuses = _codes(wanted, STATUSES, "status", problems)
    age_years: float | None = None
    if age not in (None, ""):
        try:
            age_years = float(age)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.add("age", f"{age!r} is not a number of years")
        else:
            if not 0 <= age_years <= 120:
                problems.add("age", f"{age_years:g} is not a possible age (0-120 years)")
    sex_code = (sex or "").strip().upper()
    sex_code = {"F": "FEMALE", "M": "MALE", "W": "FEMALE", "WOMAN": "FEMALE", "MAN": "MALE", "ANY": "", "ALL": ""}.get(
        sex_code, sex_code
    )
    if sex_code not in {"", "FEMALE", "MALE"}:
        problems.add("sex", f"{sex!r} is not F, M or any")
    radius = DEFAULT_RADIUS_KM
    if radius_km not in (None, ""):
        try:
            radius = float(radius_km)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.add("radius_km", f"{radius_km!r} is not a number of kilometres")
        else:
            if not 0 < radius <= 20_000:
                problems.add("radius_km", f"{radius:g} km is outside 0-20,000 km")
    filters = SearchFilters(
        statuses=statuses,
        phases=_codes(phase, PHASES, "phase", problems),
        study_types=_codes(study_type, STUDY_TYPES, "study_type", problems),
        intervention_types=_codes(intervention_type, INTERVENTION_TYPES, "intervention_type", problems),
        age=age_years,
        sex=sex_code,
        healthy_volunteers=healthy_volunteers,
        country=country.strip()[:128],
        state=state.strip()[:128],
        city=city.strip()[:128],
        near=near.strip()[:200],
        radius_km=radius,
        start_from=_date(start_from, "start_from", problems),
        start_to=_date(start_to, "start_to", problems),
        has_results=has_results,
    )
    if filters.start_from and filters.start_to and filters.start_from > filters.start_to:
        problems.add("start_to", "the end of the start-date range is before its beginning")
    if problems.details:
        first = problems.details[0]
        raise InvalidInput(f"{first.location}: {first.message}", details=problems.details)
    return filters


FILTER_PARAMETERS = tuple(inspect.signature(build_filters).parameters)


def filters_from(source: object) -> SearchFilters:
    """Filters from any object whose attributes are named like build_filters' parameters: the CLI's
    parsed options and the API's query schema both are, so they cannot drift apart."""
    return build_filters(**{name: getattr(source, name) for name in FILTER_PARAMETERS})
