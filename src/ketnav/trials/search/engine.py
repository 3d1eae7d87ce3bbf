"""Running a search: one interface, a backend per database.

``search()`` parses the text, widens it with synonyms, applies filters and the place/distance
constraint, ranks (SQLite: FTS5 bm25 with per-field weights; PostgreSQL: ts_rank over weighted
tsvectors), and returns one page of hits plus facet counts. Results whose original words matched get
twice the score of results found only through a synonym or a MeSH concept.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection

from ketnav.trials.models import Synonym
from ketnav.trials.search.documents import FIELDS
from ketnav.trials.search.filters import SORTS, SearchFilters
from ketnav.trials.search.geo import Point, bounding_box, haversine_km, lon_in_box
from ketnav.trials.search.index import FTS_TABLE, PG_TABLE
from ketnav.trials.search.query import (
    MAX_TERMS,
    MAX_TERMS_LONG,
    ParsedQuery,
    Term,
    fts5_group,
    parse_query,
    tsquery_group,
)
from ketnav.trials.search.synonyms import build_table, expand

ORIGINAL_BOOST = 2.0
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


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1=1"


def _study_filters(f: SearchFilters, vendor: str, *, with_status: bool = True) -> _Where:
    w = _Where()
    like = "ILIKE" if vendor == "postgresql" else "LIKE"
    if with_status and f.statuses:
        w.add(f"s.overall_status IN ({', '.join(['%s'] * len(f.statuses))})", *f.statuses)
    if f.phases:
        w.add(
            "(" + " OR ".join(["(',' || s.phases || ',') LIKE %s"] * len(f.phases)) + ")",
            *[f"%,{p},%" for p in f.phases],
        )
    if f.study_types:
        w.add(f"s.study_type IN ({', '.join(['%s'] * len(f.study_types))})", *f.study_types)
    if f.intervention_types:
        w.add(
            "(" + " OR ".join(["(',' || s.intervention_types || ',') LIKE %s"] * len(f.intervention_types)) + ")",
            *[f"%,{t},%" for t in f.intervention_types],
        )
    if f.age is not None:
        w.add(
            "(s.minimum_age_years IS NULL OR s.minimum_age_years <= %s) AND "
            "(s.maximum_age_years IS NULL OR s.maximum_age_years >= %s)",
            f.age,
            f.age,
        )
    if f.sex:
        w.add("s.sex IN ('ALL', '', %s)", f.sex)
    if f.healthy_volunteers is not None:
        w.add("s.healthy_volunteers = %s", f.healthy_volunteers)
    if f.country:
        w.add(f"s.countries {like} %s", f"%|{f.country}|%")
    if f.state or f.city:
        sub = ["t.study_id = s.nct_id"]
        params: list[Any] = []
        if f.state:
            sub.append("LOWER(t.state) = LOWER(%s)")
            params.append(f.state)
        if f.city:
            sub.append("LOWER(t.city) = LOWER(%s)")
            params.append(f.city)
        w.add(f"EXISTS (SELECT 1 FROM trials_site t WHERE {' AND '.join(sub)})", *params)
    if f.start_from:
        w.add("s.start_date >= %s", f.start_from)
    if f.start_to:
        w.add("s.start_date <= %s", f.start_to)
    if f.has_results is not None:
        w.add("s.has_results = %s", f.has_results)
    return w


class Backend:
    """Vendor-specific text matching; everything else is shared."""

    vendor = ""

    def match_source(self, groups: list[list[Term]], mode: str, *, scored: bool = True) -> tuple[str, list[Any]]:
        """SQL yielding (nct_id, score) for studies matching the groups, higher score better. Unscored
        (score 0) for counts and facets, where ranking every match would be wasted work."""
        raise NotImplementedError


class SQLiteBackend(Backend):
    vendor = "sqlite"
    weights = ", ".join(str(w) for _n, w, _c in FIELDS)

    def match_source(self, groups: list[list[Term]], mode: str, *, scored: bool = True) -> tuple[str, list[Any]]:
        joiner = " AND " if mode == "all" else " OR "
        expanded = joiner.join(fts5_group(g) for g in groups)
        original = joiner.join(fts5_group(g[:1]) for g in groups)
        if not scored:
            sql = (
                f"SELECT printf('NCT%%08d', rowid) AS nct_id, 0.0 AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            )
            return sql, [expanded]
        boost = ""
        params: list[Any] = [expanded]
        if expanded != original:
            boost = (
                f" * CASE WHEN rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
                f"THEN {ORIGINAL_BOOST} ELSE 1.0 END"
            )
            params = [original, expanded]
        sql = (
            f"SELECT printf('NCT%%08d', rowid) AS nct_id, -bm25({FTS_TABLE}, {self.weights}){boost} AS score "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        )
        return sql, params


class PostgresBackend(Backend):
    vendor = "postgresql"
    # ts_rank weight classes {D, C, B, A}, matching the SQLite field weights' proportions.
    weights = "'{0.1, 0.2, 0.4, 1.0}'"

    def match_source(self, groups: list[list[Term]], mode: str, *, scored: bool = True) -> tuple[str, list[Any]]:
        joiner = " & " if mode == "all" else " | "
        expanded = joiner.join(tsquery_group(g) for g in groups)
        original = joiner.join(tsquery_group(g[:1]) for g in groups)
        if not scored:
            sql = f"SELECT d.nct_id, 0.0 AS score FROM {PG_TABLE} d WHERE d.document @@ to_tsquery('english', %s)"
            return sql, [expanded]
        sql = (
            f"SELECT d.nct_id, ts_rank({self.weights}, d.document, to_tsquery('english', %s), 1) * "
            f"CASE WHEN d.document @@ to_tsquery('english', %s) THEN {ORIGINAL_BOOST} ELSE 1.0 END AS score "
            f"FROM {PG_TABLE} d WHERE d.document @@ to_tsquery('english', %s)"
        )
        return sql, [expanded, original, expanded]


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()


# --- the search ---------------------------------------------------------------------------------


def nearby_studies(centre: Point, radius_km: float) -> dict[str, NearestSite]:
    """Each study with a site within the radius, and its nearest site (a recruiting one if any is near)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(centre, radius_km)
    # Longitude is filtered in SQL too (a band of latitude alone spans the globe); a box that crosses
    # the antimeridian is split in two.
    if min_lon < -180:
        lon_sql, lon_params = "(longitude >= %s OR longitude <= %s)", [min_lon + 360, max_lon]
    elif max_lon > 180:
        lon_sql, lon_params = "(longitude >= %s OR longitude <= %s)", [min_lon, max_lon - 360]
    else:
        lon_sql, lon_params = "longitude BETWEEN %s AND %s", [min_lon, max_lon]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT study_id, latitude, longitude, facility, city, state, country, status FROM trials_site "
            f"WHERE latitude BETWEEN %s AND %s AND {lon_sql}",
            [min_lat, max_lat, *lon_params],
        )
        rows = cursor.fetchall()
    best: dict[str, NearestSite] = {}
    for nct, lat, lon, facility, city, state, country, status in rows:
        if not lon_in_box(lon, min_lon, max_lon):
            continue
        distance = haversine_km(centre, Point(lat, lon))
        if distance > radius_km:
            continue
        site = NearestSite(facility, city, state, country, status, round(distance, 1))
        current = best.get(nct)
        if current is None or _site_rank(site) < _site_rank(current):
            best[nct] = site
    return best


def _site_rank(site: NearestSite) -> tuple[int, float]:
    open_site = site.status in {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", ""}
    return (0 if open_site else 1, site.distance_km)


def _id_filter(ids: list[str], vendor: str) -> tuple[str, list[Any]]:
    if vendor == "postgresql":
        return "s.nct_id = ANY(%s)", [ids]
    return "s.nct_id IN (SELECT value FROM json_each(%s))", [orjson.dumps(ids).decode()]


_ORDER = {
    "relevance": "score DESC, s.nct_id",
    "last_updated": "s.last_update DESC NULLS LAST, s.nct_id",
    "start_date": "s.start_date DESC NULLS LAST, s.nct_id",
}
_COLUMNS = (
    "s.nct_id, s.brief_title, s.overall_status, s.phases, s.summary, s.last_update, s.start_date, "
    "s.minimum_age_years, s.maximum_age_years, s.sex"
)


def _base_query(
    parsed: ParsedQuery, groups: list[list[Term]], mode: str, be: Backend, *, scored: bool = True
) -> tuple[str, list[Any]]:
    """FROM clause (with score) for the matching studies."""
    if mode == "browse":
        if parsed.nct_ids:
            clause, params = _id_filter(list(parsed.nct_ids), be.vendor)
            return f"FROM trials_study s WHERE {clause}", params
        return "FROM trials_study s WHERE 1=1", []
    source, params = be.match_source(groups, "all" if mode == "all words" else "any", scored=scored)
    return f"FROM ({source}) m JOIN trials_study s ON s.nct_id = m.nct_id WHERE 1=1", params


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


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
    be = backend()
    groups = expand(parsed.terms, synonym_table()) if parsed.terms else []

    near: dict[str, NearestSite] | None = None
    place_name = ""
    if f.near:
        centre, place_name = places.resolve(f.near)
        near = nearby_studies(centre, f.radius_km)
    sort = request.sort
    if sort == "distance" and near is None:
        raise InvalidInput("sort: sorting by distance needs a place (near)")

    modes = ["browse"] if not groups else ["any word"] if request.match == "any" else ["all words", "any word"]
    for mode in modes:
        base, base_params = _base_query(parsed, groups, mode, be, scored=False)
        where = _study_filters(f, be.vendor)
        extra = ""
        extra_params: list[Any] = []
        if near is not None:
            clause, extra_params = _id_filter(sorted(near), be.vendor)
            extra = f" AND {clause}"
        condition = f" AND {where.sql()}{extra}"
        params = base_params + where.params + extra_params
        total = _run(f"SELECT COUNT(*) {base}{condition}", params)[0][0]
        if mode != "all words" or total >= MIN_ALL_WORDS_RESULTS or len(groups) == 1:
            break
    facets = _facets(base, base_params, f, be, near) if request.facets else {}
    # Only the page of results needs ranking; counts and facets above used the unscored match.
    base, base_params = _base_query(parsed, groups, mode, be, scored=effective_sort_needs_score(mode, sort))
    params = base_params + where.params + extra_params
    if mode == "any word" and len(groups) > 1 and request.match != "any":
        notes.append("few studies match every word, so studies matching some of them are shown, best first")

    score = "m.score" if mode != "browse" else "0.0"
    effective_sort = "last_updated" if (mode == "browse" and sort == "relevance") else sort
    if effective_sort == "distance":
        assert near is not None
        rows = _run(f"SELECT {_COLUMNS}, {score} AS score {base}{condition}", params)
        rows.sort(key=lambda r: (near[r[0]].distance_km, -r[-1], r[0]))
        rows = rows[(page - 1) * size : page * size]
    else:
        rows = _run(
            f"SELECT {_COLUMNS}, {score} AS score {base}{condition} ORDER BY {_ORDER[effective_sort]} "
            f"LIMIT {size} OFFSET {(page - 1) * size}",
            params,
        )
    hits = [_hit(row, near) for row in rows]
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


def effective_sort_needs_score(mode: str, sort: str) -> bool:
    return mode != "browse" and sort in {"relevance", "distance"}


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _hit(row: tuple[Any, ...], near: dict[str, NearestSite] | None) -> Hit:
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
        nearest_site=near.get(nct) if near else None,
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


def _facets(
    base: str, base_params: list[Any], f: SearchFilters, be: Backend, near: dict[str, NearestSite] | None
) -> dict[str, list[tuple[str, int]]]:
    """Counts for the current query and filters; the status facet ignores the status filter."""
    where = _study_filters(f, be.vendor, with_status=False)
    extra: str = ""
    extra_params: list[Any] = []
    if near is not None:
        clause, extra_params = _id_filter(sorted(near), be.vendor)
        extra = f" AND {clause}"
    rows = _run(
        f"SELECT s.overall_status, s.phases, s.countries, s.condition_terms {base} AND {where.sql()}{extra}",
        base_params + where.params + extra_params,
    )
    status: Counter[str] = Counter()
    phase: Counter[str] = Counter()
    country: Counter[str] = Counter()
    condition: Counter[str] = Counter()
    wanted = set(f.statuses)
    for st, phases, countries, terms in rows:
        status[st or "UNKNOWN"] += 1
        if wanted and st not in wanted:
            continue
        phase.update(p for p in (phases or "").split(",") if p)
        country.update(c for c in (countries or "").split("|") if c)
        condition.update(c for c in (terms or "").split("|") if c)
    return {
        "status": status.most_common(),
        "phase": sorted(phase.items(), key=lambda kv: kv[0]),
        "country": country.most_common(15),
        "condition": condition.most_common(15),
    }
