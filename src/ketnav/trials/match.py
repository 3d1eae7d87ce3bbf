"""A described person becomes a search and a pre-screen of every result, ranked by fit (issue 18 s. 3, 5).

One path for the API (``POST /api/match``), the CLI (``ketnav match``), the trials page's "Describe your
situation" box and the benchmarks, so that they cannot drift apart. The description is read twice: by
``patient_query`` (key terms, negations dropped: the search) and by the eligibility package (the
pre-screen); structured answers win over the words for age and sex. Nothing here stores or logs the
person's words: they live in this call's arguments only.

Ranking by fit: a pool of the most relevant studies (at least ``POOL`` or the pages asked for) is
pre-screened; studies whose pre-screen says ``likely_excluded`` go last, and within the rest the search
score is multiplied by a fit factor (x1.25 when every criterion is met, x1 when some are unknown), so a
slightly less relevant study the person likely qualifies for can pass a more relevant one with open
questions, but never a much more relevant one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ketnav.trials.eligibility import Answers, Prescreen, build_profile, check_description, prescreen
from ketnav.trials.patient_query import PatientQuery, patient_query

if TYPE_CHECKING:
    from ketnav.trials.eligibility import CriteriaCache
    from ketnav.trials.search.engine import Hit
    from ketnav.trials.search.filters import SearchFilters

POOL = 50  # results pre-screened and re-ranked together (the benchmark's "top 50")
MAX_LIMIT = 50
FIT_FACTOR = {"likely_eligible": 1.25, "possible": 1.0, "likely_excluded": 1.0}
VERDICT_TIER = {"likely_eligible": 2, "possible": 1, "likely_excluded": 0}


@dataclass(frozen=True)
class MatchedHit:
    hit: Hit
    prescreen: Prescreen | None  # None when the study's record could not be read
    fit: float  # the score the ranking used (search score x fit factor)


@dataclass(frozen=True)
class MatchResults:
    query: PatientQuery  # the search derived from the words
    age: float | None  # the filters used (answers win over words)
    sex: str
    total: int  # studies the search found
    pool: int  # how many of them were pre-screened and ranked by fit
    page: int
    limit: int
    hits: list[MatchedHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prescreen_score(result: Prescreen) -> float:
    """One number for a pre-screen, higher = more likely eligible: the verdict's tier (0, 1, 2) plus the
    share of decided criteria that speak for the person. Fixed from the verdict rules, never fitted."""
    decided = [c for c in result.criteria if not c.procedural]
    good = sum(
        1
        for c in decided
        if (c.kind == "inclusion" and c.status == "met") or (c.kind == "exclusion" and c.status == "not_met")
    )
    bad = len(result.reasons)
    unknown = sum(1 for c in decided if c.status == "unknown")
    tier = VERDICT_TIER[result.verdict]
    if result.verdict == "likely_excluded":
        return 1.0 / (1 + bad) * good / (good + unknown + 1)  # in [0, 1): fewer exclusions rank higher
    return tier + good / (good + unknown + 1)


def rank_by_fit(items: list[tuple[Hit, Prescreen | None]]) -> list[MatchedHit]:
    """Likely excluded last; otherwise search score x fit factor (stable for ties: relevance order)."""
    out = []
    for hit, result in items:
        verdict = result.verdict if result is not None else "possible"
        out.append(MatchedHit(hit, result, hit.score * FIT_FACTOR[verdict]))
    return sorted(
        out,
        key=lambda m: (m.prescreen is not None and m.prescreen.verdict == "likely_excluded", -m.fit),
    )


def match_text(text: str, answers: Answers | None) -> str:
    """The person's words, checked (empty allowed when answers are given)."""
    if not text.strip():
        if answers is None:
            check_description(text)  # raises the one-line error
        return ""
    return check_description(text)


def match(
    text: str,
    answers: Answers | None,
    cache: CriteriaCache,
    *,
    filters: dict[str, Any] | None = None,
    limit: int = 20,
    page: int = 1,
    diagnosis: str = "",
) -> MatchResults:
    """Search for the described person and pre-screen the results; ``filters`` are build_filters' keywords
    (status, phase, country, near, ...) other than age and sex, which come from the person.

    ``diagnosis`` (the questionnaire's condition) leads the search words when given."""
    from ketnav.errors import InvalidInput
    from ketnav.trials.search.engine import SearchRequest, search
    from ketnav.trials.search.filters import build_filters
    from ketnav.trials.selectors import parsed_criteria

    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}")
    if page < 1:
        raise InvalidInput("page: 1 or more")
    words = match_text(text, answers)
    profile = build_profile(" ".join(p for p in (diagnosis, words) if p), answers)
    query = patient_query(" ".join(p for p in (diagnosis, words) if p))
    if not query.text:
        raise InvalidInput("text: name at least one condition or treatment to search for")
    sex = profile.sex or ""
    search_filters: SearchFilters = build_filters(**(filters or {}), age=profile.age, sex=sex or None)
    pool = max(POOL, page * limit)
    results = search(
        SearchRequest(text=query.text, filters=search_filters, page_size=pool, facets=False, snippets=True, match="any")
    )
    parsed = parsed_criteria([h.nct_id for h in results.hits], cache)
    ranked = rank_by_fit(
        [(h, prescreen(parsed[h.nct_id], profile) if h.nct_id in parsed else None) for h in results.hits]
    )
    start = (page - 1) * limit
    notes = list(results.notes)
    if query.dropped:
        notes.append("Left out of the search (said not to apply): " + "; ".join(query.dropped))
    if results.total > len(results.hits):
        notes.append(
            f"The {len(results.hits)} most relevant of {results.total:,} studies were pre-screened and ranked by fit."
        )
    return MatchResults(
        query, profile.age, sex, results.total, len(results.hits), page, limit, ranked[start : start + limit], notes
    )
