"""Running a search: one interface over both databases.

``search()`` parses the text, widens it with synonyms, matches and ranks it one term at a time (the
backend's text index, SQLite: FTS5 bm25 with per-field weights, PostgreSQL: ts_rank over weighted
tsvectors, times BM25's IDF), applies filters, places and facets over in-memory columns (kernels.py),
and returns one page of hits. Results whose original words matched get twice the score of results
found only through a synonym or a MeSH concept. What is kept in memory between searches, and how stale
it may be, is ``state.SearchIndex``'s business; the SQL is the backends'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from ketnav.text.query import MAX_TERMS, MAX_TERMS_LONG, ParsedQuery, Term, parse_query
from ketnav.text.synonyms import SynonymTable, expand
from ketnav.trials.search import kernels
from ketnav.trials.search.filters import SORTS, SearchFilters
from ketnav.trials.search.kernels import OPEN_SITE_STATUSES, ORIGINAL_BOOST, IntArray, Nearby, StudyColumns
from ketnav.trials.search.state import SearchIndex, Snapshot, search_index

__all__ = ["ORIGINAL_BOOST", "Hit", "NearestSite", "SearchRequest", "SearchResults", "search", "synonym_table"]

MIN_ALL_WORDS_RESULTS = 5  # fewer matches with every word: fall back to any word, ranked
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class NearestSite:
    facility: str
    city: str
    state: str
    country: str
    status: str
    distance_km: float


@dataclass
class Hit:
    nct_id: str
    score: float
    brief_title: str
    overall_status: str
    phases: tuple[str, ...]
    conditions: tuple[str, ...]
    interventions: tuple[tuple[str, str], ...]
    last_update: dt.date | None
    start_date: dt.date | None
    minimum_age_years: float | None
    maximum_age_years: float | None
    sex: str
    nearest_site: NearestSite | None = None
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    why: list[str] = field(default_factory=list)


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    page: int
    page_size: int
    sort: str
    mode: str  # "all words", "any word", "browse"
    facets: dict[str, list[tuple[str, int]]]
    notes: list[str]
    place: str = ""
    groups: list[list[Term]] = field(default_factory=list)


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: bool = True
    snippets: bool = True
    match: str = "auto"  # "auto": every word, else any word ranked; "any": any word ranked (long descriptions)


def synonym_table() -> SynonymTable:
    """The synonyms searches widen queries with (curated and learned), for this process's database."""
    return search_index().synonyms()


# --- the search ---------------------------------------------------------------------------------


def _nearest_sites(index: SearchIndex, near: Nearby, nct_numbers: list[int]) -> dict[int, NearestSite]:
    """The nearest site of each given study, with its details (read only for a page of results): at
    the chosen point, the first open site if an open one was chosen, else the first site."""
    if not nct_numbers:
        return {}
    with index.cursor() as cursor:
        rows = index.backend.site_rows(cursor, [f"NCT{n:08d}" for n in nct_numbers])
    by_study: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_study.setdefault(row[0], []).append(row)
    out = {}
    for number in nct_numbers:
        latitude, longitude, open_chosen, distance = near.where(number)
        here = [r for r in by_study.get(f"NCT{number:08d}", []) if r[1] == latitude and r[2] == longitude]
        chosen = [r for r in here if (r[7] in OPEN_SITE_STATUSES) == open_chosen] or here
        if chosen:
            _study, _lat, _lon, facility, city, state, country, status = chosen[0]
            out[number] = NearestSite(facility, city, state, country, status, round(distance, 1))
    return out


@dataclass
class _Matches:
    """Matching studies as column positions, with their text scores when ranking needs them."""

    rows: IntArray
    scores: Any = None  # numpy float64, aligned with rows

    def restrict(self, allowed: IntArray) -> _Matches:
        return _Matches(*kernels.restrict(self.rows, self.scores, allowed))


def _matches(
    index: SearchIndex, snap: Snapshot, parsed: ParsedQuery, groups: list[list[Term]], mode: str, *, scored: bool
) -> _Matches:
    cols = snap.columns
    if mode == "browse":
        if parsed.nct_ids:
            return _Matches(cols.positions(np.array([int(n[3:]) for n in parsed.nct_ids], dtype=np.int64)))
        return _Matches(np.arange(len(cols), dtype=np.int64))
    rows, term_scores = index.match(snap, groups, "all" if mode == "all words" else "any", scored=scored)
    return _Matches(rows, term_scores if scored else None)


def _site_rows(index: SearchIndex, snap: Snapshot, f: SearchFilters) -> IntArray:
    """Positions of studies with a site in the given state and/or city (case-insensitive)."""
    with index.cursor() as cursor:
        found = index.backend.studies_with_site(cursor, state=f.state, city=f.city)
    return snap.columns.positions(np.array(sorted(found), dtype=np.int64))


def search(request: SearchRequest, *, index: SearchIndex | None = None) -> SearchResults:
    """One page of results for ``request``, from ``index`` (by default this process's index for the
    current database)."""
    from ketnav.errors import InvalidInput
    from ketnav.trials.search import places

    if request.sort not in SORTS:
        raise InvalidInput(f"sort: unknown sort {request.sort!r}; use one of {', '.join(SORTS)}")
    index = index or search_index()
    page = max(1, request.page)
    size = max(1, min(MAX_PAGE_SIZE, request.page_size))
    parsed = parse_query(request.text, max_terms=MAX_TERMS_LONG if request.match == "any" else MAX_TERMS)
    notes = list(parsed.notes)
    f = request.filters
    version = index.registry_version()
    groups = expand(parsed.terms, index.synonyms(version)) if parsed.terms else []
    snap = index.snapshot(version)
    cols = snap.columns

    near: Nearby | None = None
    place_name = ""
    allowed = None  # positions allowed by place filters, or None for all
    if f.near:
        centre, place_name = places.resolve(f.near)
        near = index.nearby(snap, centre, f.radius_km)
        allowed = cols.positions(near.ids)
    if f.state or f.city:
        sites = _site_rows(index, snap, f)
        allowed = sites if allowed is None else np.intersect1d(allowed, sites)
    sort = request.sort
    if sort == "distance" and near is None:
        raise InvalidInput("sort: sorting by distance needs a place (near)")

    modes = ["browse"] if not groups else ["any word"] if request.match == "any" else ["all words", "any word"]
    for mode in modes:
        scored = mode != "browse" and sort in {"relevance", "distance"}
        matches = _matches(index, snap, parsed, groups, mode, scored=scored)
        if allowed is not None:
            matches = matches.restrict(allowed)
        any_status = kernels.filter_rows(cols, matches.rows, f)
        selected = matches.restrict(kernels.status_rows(cols, any_status, f.statuses))
        total = len(selected.rows)
        if mode != "all words" or total >= MIN_ALL_WORDS_RESULTS or len(groups) == 1:
            break
    facets = kernels.facets(cols, any_status, selected.rows) if request.facets else {}
    if mode == "any word" and len(groups) > 1 and request.match != "any":
        notes.append("few studies match every word, so studies matching some of them are shown, best first")

    effective_sort = "last_updated" if (mode == "browse" and sort == "relevance") else sort
    ordered = kernels.display_order(cols, selected.rows, selected.scores, effective_sort, near)
    ordered = ordered[(page - 1) * size : page * size]
    score_of: dict[int, float] = {}
    if selected.scores is not None:
        score_of = dict(zip(selected.rows.tolist(), selected.scores.tolist(), strict=True))
    hits = _page_hits(index, cols, ordered, score_of, near)
    if request.snippets and hits:
        _add_snippets(hits, groups)
    return SearchResults(
        total=total,
        hits=hits,
        page=page,
        page_size=size,
        sort=effective_sort,
        mode=mode,
        facets=facets,
        notes=notes,
        place=place_name,
        groups=groups,
    )


def _page_hits(
    index: SearchIndex, cols: StudyColumns, rows: IntArray, score_of: dict[int, float], near: Nearby | None
) -> list[Hit]:
    numbers = [int(i) for i in cols.ids[rows]]
    ids = [f"NCT{n:08d}" for n in numbers]
    if not ids:
        return []
    with index.cursor() as cursor:
        found = {r[0]: r for r in index.backend.study_rows(cursor, ids)}
    sites = _nearest_sites(index, near, numbers) if near is not None else {}
    return [
        _hit((*found[nct], score_of.get(int(row), 0.0)), sites.get(number))
        for nct, number, row in zip(ids, numbers, rows.tolist(), strict=True)
        if nct in found
    ]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _hit(row: tuple[Any, ...], nearest: NearestSite | None) -> Hit:
    nct, title, status, phases, summary, last, start, min_age, max_age, sex, score = row
    summary = orjson.loads(summary) if isinstance(summary, str | bytes) else (summary or {})
    return Hit(
        nct_id=nct,
        score=round(float(score or 0.0), 4),
        brief_title=title,
        overall_status=status,
        phases=tuple(p for p in (phases or "").split(",") if p),
        conditions=tuple(summary.get("conditions", [])),
        interventions=tuple((t, n) for t, n in summary.get("interventions", [])),
        last_update=_date(last),
        start_date=_date(start),
        minimum_age_years=min_age,
        maximum_age_years=max_age,
        sex=sex,
        nearest_site=nearest,
    )


def _add_snippets(hits: list[Hit], groups: list[list[Term]]) -> None:
    from ketnav.text.snippets import best_snippet, query_stems, why_matched
    from ketnav.trials.models import Study
    from ketnav.trials.selectors import study_record

    stems = query_stems(groups)
    studies = {
        s.nct_id: s
        for s in Study.objects.filter(nct_id__in=[h.nct_id for h in hits]).only("nct_id", "raw", "source_format")
    }
    for hit in hits:
        record = study_record(studies[hit.nct_id])
        if not groups:
            hit.snippet = [(record.brief_summary[:240], False)] if record.brief_summary else []
            continue
        hit.snippet = best_snippet([record.brief_summary, record.detailed_description], stems)
        fields = {
            "title": " ".join([record.brief_title, record.official_title]),
            "conditions": " ".join(record.conditions),
            "interventions": " ".join([i.name + " " + " ".join(i.other_names) for i in record.interventions]),
            "keywords": " ".join(record.keywords),
            "MeSH terms": " ".join(
                m.term for m in (*record.condition_mesh, *record.condition_mesh_ancestors, *record.intervention_mesh)
            ),
            "summary": record.brief_summary,
            "eligibility": record.eligibility.criteria,
        }
        hit.why = why_matched(fields, groups)
