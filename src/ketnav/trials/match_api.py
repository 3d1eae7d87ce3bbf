"""POST /api/match: a person in plain words (and optional answers) -> a search and a pre-screen per result.

POST, not GET, so the description never appears in a URL (server logs, history, proxies). Used for this
answer only: nothing is stored or logged.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from ketnav.safety.schemas import CrisisOut
from ketnav.schemas import ErrorOut
from ketnav.trials.api import CriterionOut, HitOut, PhaseCode, StatusCode
from ketnav.trials.eligibility import MAX_DESCRIPTION_CHARS, Answers, prescreen_dict
from ketnav.trials.eligibility.crisis import touches_suicidal_thoughts
from ketnav.trials.match import MAX_LIMIT, MatchResults, match, prescreen_score
from ketnav.trials.search.serialize import hit_dict

router = Router(tags=["trials"])


class MatchIn(Schema):
    text: str = Field(
        default="",
        max_length=MAX_DESCRIPTION_CHARS,
        description='The person in plain words, e.g. "40-year-old woman with generalized anxiety, GAD-7 15, '
        'takes sertraline, no history of psychosis"',
    )
    answers: Answers | None = Field(default=None, description="Structured answers; they win over the words")
    status: list[StatusCode] = Field(default=[], description='Default "open" (open to enrolment); "any" for all')
    phase: list[PhaseCode] = Field(default=[], description="Phases, e.g. PHASE2")
    country: str = Field("", max_length=128)
    near: str = Field("", max_length=200, description='A known place ("Boston, MA") or "lat,lon"')
    radius_km: float | None = Field(None, gt=0, le=20_000)
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    page: int = Field(1, ge=1, le=10, description="Pages of `limit` results; at most 10 (all pre-screened)")


class DerivedSearchOut(Schema):
    query: str = Field(description="The words searched for (conditions and treatments; negated ones left out)")
    age: float | None = Field(description="Age filter (from the answers, else the words)")
    sex: Literal["F", "M", ""] = Field(description="Sex filter; empty when not known")
    left_out: list[str] = Field(description="Negated phrases not searched for")


class MatchPrescreenOut(Schema):
    verdict: Literal["likely_excluded", "likely_eligible", "possible"]
    score: float = Field(description="Higher = more likely eligible (verdict tier + share of criteria met)")
    reasons: list[str]
    criteria: list[CriterionOut]
    questions: list[str]


class MatchHitOut(HitOut):
    fit: float = Field(description="The score the ranking used: relevance x fit factor; likely excluded last")
    prescreen: MatchPrescreenOut | None


class MatchOut(Schema):
    crisis: CrisisOut | None = Field(description="Crisis contacts, present whenever an answer touches suicide")
    search: DerivedSearchOut
    notice: str = Field(description="A pre-screen, never a decision: the study team decides")
    total: int = Field(description="Studies the search found")
    prescreened: int = Field(description="How many of the most relevant were pre-screened and ranked by fit")
    page: int
    limit: int
    notes: list[str]
    results: list[MatchHitOut]


def match_dict(found: MatchResults, *, crisis: bool) -> dict[str, Any]:
    """The JSON shape shared by the API and `ketnav match --json`."""
    from ketnav.safety.crisis import crisis_payload
    from ketnav.trials.eligibility import NOTICE

    results = []
    for m in found.hits:
        screened = None
        if m.prescreen is not None:
            screened = prescreen_dict(m.prescreen)
            screened.pop("notice")
            screened["score"] = round(prescreen_score(m.prescreen), 4)
        results.append({**hit_dict(m.hit), "fit": round(m.fit, 4), "prescreen": screened})
    return {
        "crisis": crisis_payload() if crisis else None,
        "search": {
            "query": found.query.text,
            "age": found.age,
            "sex": found.sex,
            "left_out": list(found.query.dropped),
        },
        "notice": NOTICE,
        "total": found.total,
        "prescreened": found.pool,
        "page": found.page,
        "limit": found.limit,
        "notes": found.notes,
        "results": results,
    }


@router.post(
    "",
    response={200: MatchOut, 400: ErrorOut, 422: ErrorOut},
    summary="Describe a person: search for them and pre-screen every result (nothing is stored)",
)
def match_person(request: HttpRequest, payload: MatchIn) -> dict[str, Any]:
    from ketnav.errors import InvalidInput
    from ketnav.trials.apps import criteria_cache

    crisis = touches_suicidal_thoughts(payload.text, payload.answers)
    try:
        found = match(
            payload.text,
            payload.answers,
            criteria_cache(),
            filters={
                "status": list(payload.status),
                "phase": list(payload.phase),
                "country": payload.country,
                "near": payload.near,
                "radius_km": payload.radius_km,
            },
            limit=payload.limit,
            page=payload.page,
        )
    except InvalidInput as exc:
        if not crisis:
            raise
        # The crisis contacts must reach the person even when there is nothing to search for.
        return _crisis_only(exc.message)
    return match_dict(found, crisis=crisis)


def _crisis_only(problem: str) -> dict[str, Any]:
    from ketnav.safety.crisis import crisis_payload
    from ketnav.trials.eligibility import NOTICE

    return {
        "crisis": crisis_payload(),
        "search": {"query": "", "age": None, "sex": "", "left_out": []},
        "notice": NOTICE,
        "total": 0,
        "prescreened": 0,
        "page": 1,
        "limit": 0,
        "notes": [f"No search was run: {problem}"],
        "results": [],
    }
