"""Running a search: one interface over both databases.

``search()`` parses the text, widens it with synonyms, matches and ranks it one term at a time
(terms.py; SQLite: FTS5 bm25 with per-field weights, PostgreSQL: ts_rank over weighted tsvectors),
applies filters, places and facets over in-memory columns (columns.py, site_points.py), and returns
one page of hits. Results whose original words matched get twice the score of results found only
through a synonym or a MeSH concept.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from django.db import connection

from ketnav.trials.models import Synonym
from ketnav.trials.search import terms
from ketnav.trials.search.columns import NO_DATE, StudyColumns, filter_rows, status_rows, study_columns
from ketnav.trials.search.columns import facets as column_facets
from ketnav.trials.search.filters import SORTS, SearchFilters
from ketnav.trials.search.geo import Point
from ketnav.trials.search.index import FTS_TABLE, nct_number_sql
from ketnav.trials.search.query import (
    MAX_TERMS,
    MAX_TERMS_LONG,
    ParsedQuery,
    Term,
    fts5_group,
    parse_query,
)
from ketnav.trials.search.site_points import OPEN_SITE_STATUSES, Nearby, nearby, site_points
from ketnav.trials.search.synonyms import build_table, expand

ORIGINAL_BOOST = terms.ORIGINAL_BOOST
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


# --- synonyms: learned table cached per process, refreshed when it grows --------------------------

_synonym_cache: dict[str, Any] = {}
_synonym_lock = threading.Lock()


def synonym_table() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    version = Synonym.objects.count()
    with _synonym_lock:
        if _synonym_cache.get("version") != version:
            pairs = Synonym.objects.filter(studies__gte=2).values_list("name", "other", "studies")
            _synonym_cache["table"] = build_table(pairs)
            _synonym_cache["version"] = version
        table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = _synonym_cache["table"]
        return table


# --- SQL pieces ---------------------------------------------------------------------------------


def compound_match_sql(groups: list[list[Term]], mode: str) -> tuple[str, list[Any]]:
    """The whole query as one FTS5 MATCH, scored as the per-term engine scores it (terms.py): SQL
    yielding (NCT number, score). Searches do not run it; tests hold the two answers equal."""
    joiner = " AND " if mode == "all" else " OR "
    expanded = joiner.join(fts5_group(g) for g in groups)
    original = joiner.join(fts5_group(g[:1]) for g in groups)
    boost = ""
    params: list[Any] = [expanded]
    if expanded != original:
        boost = (
            f" * CASE WHEN rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
            f"THEN {ORIGINAL_BOOST} ELSE 1.0 END"
        )
        params = [original, expanded]
    sql = (
        f"SELECT rowid AS nct_number, -bm25({FTS_TABLE}, {terms.WEIGHTS}){boost} AS score "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    )
    return sql, params


# --- the search ---------------------------------------------------------------------------------


def nearby_studies(cols: StudyColumns, centre: Point, radius_km: float) -> Nearby:
    """Every study with a site within the radius (see site_points: distances per distinct point)."""
    return nearby(site_points(cols), cols, centre, radius_km)


def _nearest_sites(near: Nearby, nct_numbers: list[int]) -> dict[int, NearestSite]:
    """The nearest site of each given study, with its details (read only for a page of results): at
    the chosen point, the first open site if an open one was chosen, else the first site. One query by
    study id (the point's own index entries can number thousands in a city)."""
    if not nct_numbers:
        return {}
    marks = ", ".join(["%s"] * len(nct_numbers))
    rows = _run(
        "SELECT study_id, latitude, longitude, facility, city, state, country, status FROM trials_site "
        f"WHERE study_id IN ({marks}) ORDER BY study_id, position, id",
        [f"NCT{n:08d}" for n in nct_numbers],
    )
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


_COLUMNS = (
    "s.nct_id, s.brief_title, s.overall_status, s.phases, s.summary, s.last_update, s.start_date, "
    "s.minimum_age_years, s.maximum_age_years, s.sex"
)


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@dataclass
class _Matches:
    """Matching studies as column positions, with their text scores when ranking needs them."""

    rows: Any  # numpy int64 positions into the study columns
    scores: Any = None  # numpy float64, aligned with rows


def _matches(cols: StudyColumns, parsed: ParsedQuery, groups: list[list[Term]], mode: str, *, scored: bool) -> _Matches:
    if mode == "browse":
        if parsed.nct_ids:
            return _Matches(cols.positions(np.array([int(n[3:]) for n in parsed.nct_ids], dtype=np.int64)))
        return _Matches(np.arange(len(cols), dtype=np.int64))
    rows, term_scores = terms.match(cols, groups, "all" if mode == "all words" else "any", scored=scored)
    return _Matches(rows, term_scores if scored else None)


def _site_rows(cols: StudyColumns, f: SearchFilters) -> Any:
    """Positions of studies with a site in the given state and/or city (case-insensitive)."""
    clauses, params = [], []
    for value, column in ((f.state, "state"), (f.city, "city")):
        if value:
            clauses.append(f"LOWER({column}) = LOWER(%s)")
            params.append(value)
    number = nct_number_sql("study_id", connection.vendor)
    found = _run(f"SELECT DISTINCT {number} FROM trials_site WHERE {' AND '.join(clauses)}", params)
    return cols.positions(np.array(sorted(r[0] for r in found), dtype=np.int64))


def _restrict(m: _Matches, allowed: Any) -> _Matches:
    keep = np.isin(m.rows, allowed)
    return _Matches(m.rows[keep], m.scores[keep] if m.scores is not None else None)


def _order(cols: StudyColumns, m: _Matches, sort: str, near: Nearby | None) -> Any:
    """Positions of ``m`` in display order (ties broken by NCT id, so paging is stable)."""
    ids = cols.ids[m.rows]
    keys: tuple[Any, ...]
    if sort == "relevance":
        keys = (ids, -m.scores)
    elif sort == "distance":
        assert near is not None
        distance = near.distances(ids)
        scores = m.scores if m.scores is not None else np.zeros(len(ids))
        keys = (ids, -scores, distance)
    else:
        dates = cols.last_update[m.rows] if sort == "last_updated" else cols.start[m.rows]
        keys = (ids, -dates.astype(np.int64), dates == NO_DATE)
    return m.rows[np.lexsort(keys)]


def search(request: SearchRequest) -> SearchResults:
    from ketnav.errors import InvalidInput
    from ketnav.trials.search import places

    if request.sort not in SORTS:
        raise InvalidInput(f"sort: unknown sort {request.sort!r}; use one of {', '.join(SORTS)}")
    page = max(1, request.page)
    size = max(1, min(MAX_PAGE_SIZE, request.page_size))
    parsed = parse_query(request.text, max_terms=MAX_TERMS_LONG if request.match == "any" else MAX_TERMS)
    notes = list(parsed.notes)
    f = request.filters
    groups = expand(parsed.terms, synonym_table()) if parsed.terms else []
    cols = study_columns()

    near: Nearby | None = None
    place_name = ""
    allowed = None  # positions allowed by place filters, or None for all
    if f.near:
        centre, place_name = places.resolve(f.near)
        near = nearby_studies(cols, centre, f.radius_km)
        allowed = cols.positions(near.ids)
    if f.state or f.city:
        sites = _site_rows(cols, f)
        allowed = sites if allowed is None else np.intersect1d(allowed, sites)
    sort = request.sort
    if sort == "distance" and near is None:
        raise InvalidInput("sort: sorting by distance needs a place (near)")

    modes = ["browse"] if not groups else ["any word"] if request.match == "any" else ["all words", "any word"]
    for mode in modes:
        matches = _matches(cols, parsed, groups, mode, scored=mode != "browse" and sort in {"relevance", "distance"})
        if allowed is not None:
            matches = _restrict(matches, allowed)
        any_status = filter_rows(cols, matches.rows, f)
        selected = _restrict(matches, status_rows(cols, any_status, f.statuses))
        total = len(selected.rows)
        if mode != "all words" or total >= MIN_ALL_WORDS_RESULTS or len(groups) == 1:
            break
    facets = column_facets(cols, any_status, selected.rows) if request.facets else {}
    if mode == "any word" and len(groups) > 1 and request.match != "any":
        notes.append("few studies match every word, so studies matching some of them are shown, best first")

    effective_sort = "last_updated" if (mode == "browse" and sort == "relevance") else sort
    ordered = _order(cols, selected, effective_sort, near)[(page - 1) * size : page * size]
    score_of: dict[int, float] = {}
    if selected.scores is not None:
        score_of = dict(zip(selected.rows.tolist(), selected.scores.tolist(), strict=True))
    hits = _page_hits(cols, ordered, score_of, near)
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


def _page_hits(cols: StudyColumns, rows: Any, score_of: dict[int, float], near: Nearby | None) -> list[Hit]:
    numbers = [int(i) for i in cols.ids[rows]]
    ids = [f"NCT{n:08d}" for n in numbers]
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    found = {r[0]: r for r in _run(f"SELECT {_COLUMNS} FROM trials_study s WHERE s.nct_id IN ({marks})", ids)}
    sites = _nearest_sites(near, numbers) if near is not None else {}
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
    from ketnav.trials.models import Study
    from ketnav.trials.search.snippets import best_snippet, query_stems, why_matched
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
