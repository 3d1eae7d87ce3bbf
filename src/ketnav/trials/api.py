"""JSON API for the trial finder: GET /api/trials and GET /api/trials/{nct_id}."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from ketnav.trials.search.engine import SearchRequest, search
from ketnav.trials.search.filters import filters_from
from ketnav.trials.search.serialize import record_dict, results_dict
from ketnav.trials.selectors import get_record
from ketnav.web.api import ErrorOut

router = Router(tags=["trials"])


class SearchParams(Schema):
    q: str = ""
    status: list[str] = []
    phase: list[str] = []
    study_type: list[str] = []
    intervention_type: list[str] = []
    age: float | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
    country: str = ""
    state: str = ""
    city: str = ""
    near: str = ""
    radius_km: float | None = None
    start_from: str | None = None
    start_to: str | None = None
    has_results: bool | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: bool = True


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
    url: str


class FacetValue(Schema):
    value: str
    count: int


class SearchOut(Schema):
    total: int
    page: int
    page_size: int
    sort: str
    mode: str
    place: str | None
    notes: list[str]
    facets: dict[str, list[FacetValue]]
    results: list[HitOut]


@router.get("", response={200: SearchOut, 422: ErrorOut}, summary="Search the local registry")
def search_trials(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    filters = filters_from(params)
    results = search(
        SearchRequest(
            text=params.q,
            filters=filters,
            sort=params.sort,
            page=params.page,
            page_size=params.page_size,
            facets=params.facets,
        )
    )
    return results_dict(results)


@router.get(
    "/{nct_id}",
    response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut},
    summary="One study, every section, normalized",
)
def get_trial(request: HttpRequest, nct_id: str) -> dict[str, Any]:
    return record_dict(get_record(nct_id))
