"""JSON API for the trial finder: GET /api/trials, GET /api/trials/{nct_id}, POST /api/trials/{nct_id}/prescreen.

The query schema states each parameter's real limits (codes, ranges, lengths) so that the OpenAPI
document tells clients and fuzzers what is accepted; the search filters then check what a schema
cannot say (a start-date range that ends before it begins, a place that is not known).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import model_validator

from ketnav.safety.schemas import CrisisOut
from ketnav.schemas import ErrorOut
from ketnav.trials.eligibility import (
    MAX_DESCRIPTION_CHARS,
    Answers,
    build_profile,
    check_description,
    prescreen,
    prescreen_dict,
)
from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts
from ketnav.trials.search.engine import MAX_PAGE_SIZE, SearchRequest, search
from ketnav.trials.search.filters import filters_from
from ketnav.trials.search.serialize import record_dict, results_dict
from ketnav.trials.search.state import search_index
from ketnav.trials.selectors import get_record, parsed_criteria

router = Router(tags=["trials"])

# The codes the search filters accept (ketnav.trials.record and .search.filters), spelled out for the
# type checker; tests/trials/test_api_schema.py checks that they stay the same.
StatusCode = Literal[
    "RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "COMPLETED",
    "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN", "open", "any",
]  # fmt: skip
PhaseCode = Literal["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"]
StudyTypeCode = Literal["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"]
InterventionTypeCode = Literal[
    "DRUG", "DEVICE", "BIOLOGICAL", "PROCEDURE", "RADIATION", "BEHAVIORAL", "GENETIC", "DIETARY_SUPPLEMENT",
    "COMBINATION_PRODUCT", "DIAGNOSTIC_TEST", "OTHER",
]  # fmt: skip
SortOrder = Literal["relevance", "distance", "last_updated", "start_date"]
IsoDate = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", json_schema_extra={"format": "date"})]
MAX_PAGE = 100_000


class SearchParams(Schema):
    q: str = Field(
        "",
        max_length=1000,
        description='Words, "quoted phrases" and prefix* terms; every one must match (with its synonyms). '
        "Structured terms: intervention:WORD (among the interventions' names, other names and MeSH terms) "
        'and condition:WORD (among the conditions and their MeSH terms); WORD may be "a phrase" and '
        'alternatives are joined by commas: intervention:ketamine,esketamine condition:"chronic pain"',
    )
    status: list[StatusCode] = Field(
        [], description='Overall status codes; "open" (the default) for open to enrolment, "any" for every status'
    )
    phase: list[PhaseCode] = []
    study_type: list[StudyTypeCode] = []
    intervention_type: list[InterventionTypeCode] = []
    age: float | None = Field(None, ge=0, le=120, description="The participant's age in years")
    sex: Literal["F", "M", "any"] | None = None
    healthy_volunteers: bool | None = None
    country: str = Field("", max_length=128)
    state: str = Field("", max_length=128)
    city: str = Field("", max_length=128)
    near: str = Field("", max_length=200, description='A place known from the registry ("Boston, MA") or "lat,lon"')
    radius_km: float | None = Field(None, gt=0, le=20_000, description="Distance from near, in km (default 100)")
    start_from: IsoDate | None = None
    start_to: IsoDate | None = None
    has_results: bool | None = None
    sort: SortOrder = "relevance"
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    facets: bool = True


class StudyPath(Schema):
    nct_id: str = Field(pattern=r"^[Nn][Cc][Tt][0-9]{8}$", description="NCT followed by 8 digits")


class SiteOut(Schema):
    facility: str
    city: str
    state: str
    country: str
    status: str
    distance_km: float


class InterventionOut(Schema):
    type: str
    name: str


class HitOut(Schema):
    nct_id: str
    title: str
    score: float
    status: str
    phases: list[str]
    conditions: list[str]
    interventions: list[InterventionOut]
    minimum_age_years: float | None
    maximum_age_years: float | None
    sex: str
    last_update: str | None
    start_date: str | None
    nearest_site: SiteOut | None
    snippet: str
    highlights: list[str]
    why: list[str]
    about_all: bool | None = Field(
        None,
        description="Whether its title, conditions, interventions or MeSH terms carry every concept of q "
        "(listed first); null when not asked (sorting by date or distance, one result)",
    )
    url: str


class FacetValue(Schema):
    value: str
    count: int


class FacetsOut(Schema):
    """Counts over exactly the studies in total (empty when facets=false), except that status ignores the
    status filter (each status's count is what choosing it would give). With near, countries are those of
    the sites within the radius."""

    status: list[FacetValue] = []
    phase: list[FacetValue] = []
    country: list[FacetValue] = []
    condition: list[FacetValue] = []


class PartialOut(Schema):
    """Studies carrying one concept of the query but not the others: not in total nor results."""

    concept: str = Field(description="The concept they carry, as query text")
    missing: list[str] = Field(description="The query's other concepts, which they lack")
    count: int = Field(description="How many, with every filter applied")
    query: str = Field(description="The query that lists every study carrying this concept")


class SearchOut(Schema):
    total: int = Field(description="Studies carrying every concept of q and passing every filter")
    page: int
    page_size: int
    sort: str
    mode: str = Field(description='"all words" (every concept), "any word" (patient descriptions) or "browse"')
    place: str | None
    notes: list[str]
    concepts: list[str] = Field(description="Each concept of q (a word or phrase with its synonyms), as query text")
    partial: list[PartialOut] = Field(description="Studies that match only part of q, offered apart from results")
    facets: FacetsOut
    results: list[HitOut]


class PartialDateOut(Schema):
    date: str = Field(description='"2021", "2021-03" or "2021-03-15", as precise as the registry gave it')
    precision: Literal["day", "month", "year"]


class MeshTermOut(Schema):
    term: str
    mesh_id: str


class StudyInterventionOut(Schema):
    type: str
    name: str
    other_names: list[str]
    description: str
    arm_labels: list[str]


class ArmOut(Schema):
    label: str
    type: str
    description: str
    intervention_names: list[str]


class OutcomeOut(Schema):
    measure: str
    time_frame: str
    description: str


class ContactOut(Schema):
    name: str
    role: str
    phone: str
    email: str


class StudySiteOut(Schema):
    facility: str
    city: str
    state: str
    zip: str
    country: str
    status: str
    latitude: float | None
    longitude: float | None


class EligibilityOut(Schema):
    criteria: str
    minimum_age_years: float | None
    maximum_age_years: float | None
    minimum_age_text: str
    maximum_age_text: str
    sex: str
    healthy_volunteers: bool | None
    std_ages: list[str]
    inclusion: list[str]
    exclusion: list[str]
    sectioned: bool = Field(description='False when the criteria had no "Inclusion/Exclusion Criteria" headers')


class StudyOut(Schema):
    nct_id: str
    source_format: Literal["v2", "xml"]
    brief_title: str
    official_title: str
    acronym: str
    overall_status: str
    phases: list[str]
    study_type: str
    start_date: PartialDateOut | None
    primary_completion_date: PartialDateOut | None
    completion_date: PartialDateOut | None
    first_posted: PartialDateOut | None
    last_update: PartialDateOut | None
    enrollment: int | None
    enrollment_type: str
    lead_sponsor: str
    lead_sponsor_class: str
    collaborators: list[str]
    brief_summary: str
    detailed_description: str
    keywords: list[str]
    conditions: list[str]
    condition_mesh: list[MeshTermOut]
    condition_mesh_ancestors: list[MeshTermOut]
    intervention_mesh: list[MeshTermOut]
    intervention_mesh_ancestors: list[MeshTermOut]
    interventions: list[StudyInterventionOut]
    arms: list[ArmOut]
    primary_outcomes: list[OutcomeOut]
    secondary_outcomes: list[OutcomeOut]
    eligibility: EligibilityOut
    sites: list[StudySiteOut]
    central_contacts: list[ContactOut]
    has_results: bool
    url: str


@router.get("", response={200: SearchOut, 400: ErrorOut, 422: ErrorOut}, summary="Search the local registry")
def search_trials(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    filters = filters_from(params)
    wanted = SearchRequest(
        text=params.q,
        filters=filters,
        sort=params.sort,
        page=params.page,
        page_size=params.page_size,
        facets=params.facets,
    )
    results = search(wanted)
    # The answer validated against its schema, kept per request and registry version by this database's
    # search index: ninja then only dumps it (it skips validating an instance of the response schema),
    # and validating a page of results cost more than finding it again. Never kept for results from
    # columns standing in for a newer version.
    kept: SearchOut | None = None
    if results.version is not None:
        kept = search_index().serialized.get(results.version, wanted)
    if kept is None:
        kept = SearchOut.model_validate(results_dict(results))
        if results.version is not None:
            search_index().serialized.put(results.version, wanted, kept)
    return kept


@router.get(
    "/{nct_id}",
    response={200: StudyOut, 404: ErrorOut, 422: ErrorOut},
    summary="One study, every section, normalized",
)
def get_trial(request: HttpRequest, path: Path[StudyPath]) -> dict[str, Any]:
    return record_dict(get_record(path.nct_id))


class PrescreenIn(Schema):
    """A person, in plain words and/or structured answers. Used for this answer only, never stored or logged."""

    patient: str = Field(
        default="",
        max_length=MAX_DESCRIPTION_CHARS,
        description='Plain words, e.g. "45-year-old man, chronic cluster headache, no history of psychosis"',
    )
    answers: Answers | None = None

    @model_validator(mode="after")
    def _something_given(self) -> PrescreenIn:
        if not self.patient.strip() and self.answers is None:
            raise ValueError("give patient (plain words) or answers, or both")
        return self


class CriterionOut(Schema):
    kind: Literal["inclusion", "exclusion"]
    text: str
    status: Literal["met", "not_met", "unknown"]
    because: str = Field(description="The words that decided it (the person's and the criterion's)")


class PrescreenOut(Schema):
    crisis: CrisisOut | None = Field(
        default=None,
        description="Where to get help now: present, and first, whenever the description or answers mention "
        "suicidal thoughts or self-harm, whatever the verdict",
    )
    nct_id: str
    verdict: Literal["likely_excluded", "likely_eligible", "possible"]
    notice: str = Field(description="A pre-screen, never a decision: the study team decides")
    reasons: list[str] = Field(description="The criteria behind a likely_excluded verdict")
    criteria: list[CriterionOut]
    questions: list[str] = Field(description="What to ask the study team about the criteria left unknown")


@router.post(
    "/{nct_id}/prescreen",
    response={200: PrescreenOut, 404: ErrorOut, 422: ErrorOut},
    summary="Pre-screen one study's criteria for a person (nothing is stored)",
)
def prescreen_trial(request: HttpRequest, path: Path[StudyPath], payload: PrescreenIn) -> dict[str, Any]:
    from ketnav.trials.apps import criteria_cache

    record = get_record(path.nct_id)
    text = check_description(payload.patient) if payload.patient.strip() else ""
    crisis = CrisisOut.now() if touches_suicidal_thoughts(payload.patient, payload.answers) else None
    parsed = parsed_criteria([record.nct_id], criteria_cache())[record.nct_id]
    result = prescreen_dict(prescreen(parsed, build_profile(text, payload.answers)))
    return {"crisis": crisis, "nct_id": record.nct_id, **result}
