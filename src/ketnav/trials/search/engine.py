"""Running a search: one interface over both databases.

``search()`` parses the text, widens it with synonyms, matches and ranks it one term at a time (the
backend's text index, SQLite: FTS5 bm25 with per-field weights, PostgreSQL: the same bm25 over
weighted tsvectors), applies filters, places and facets over in-memory columns (kernels.py),
and returns one page of hits. Results whose original words matched get twice the score of results
found only through a synonym or a MeSH concept.

Honest results: by default a result carries every concept of the query (a word or phrase with its
synonyms and MeSH widening; a structured ``intervention:``/``condition:`` term in that part of the
record). Studies carrying only some concepts are never shown as results; ``SearchResults.partial``
counts them per concept, so a page can offer "12 other studies mention ketamine" as a separate search.
``total`` and the facets describe exactly the studies that can be listed. Studies whose title,
conditions, interventions or MeSH terms carry every concept rank above those that mention some only in
long text (summary, description, criteria). Long patient descriptions ask for ``match="any"``: any
word, ranked. What is kept in memory between searches, and how stale
it may be, is ``state.SearchIndex``'s business; the SQL is the backends'.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from ketnav.text.query import MAX_TERMS, MAX_TERMS_LONG, Term, parse_query
from ketnav.text.snippets import Sentences
from ketnav.text.synonyms import SynonymTable, expand, expand_fielded
from ketnav.trials.record import StudyRecord
from ketnav.trials.search import kernels
from ketnav.trials.search.filters import SORTS, SearchFilters
from ketnav.trials.search.kernels import OPEN_SITE_STATUSES, ORIGINAL_BOOST, IntArray, Nearby, StudyColumns
from ketnav.trials.search.state import SearchIndex, Snapshot, search_index

__all__ = [
    "ORIGINAL_BOOST",
    "Hit",
    "NearestSite",
    "PartialMatch",
    "SearchRequest",
    "SearchResults",
    "search",
    "synonym_table",
]

MAX_PAGE_SIZE = 100
# Adjacent query words also count as a phrase ("chronic pain", "cluster headache"; text.query's pairs), added
# to the score, never to what matches: a study holding the words side by side ranks above one holding them
# apart. The weight is the sequential dependence model's, fixed a priori (Metzler & Croft, "A Markov random
# field model for term dependencies", SIGIR 2005: 0.85 for single words, 0.10 for ordered pairs, 0.05 for
# unordered windows), relative to the words' weight; the unordered windows are left out (PostgreSQL's
# tsquery has no unordered proximity operator, and both databases must rank alike). Not tuned on any judgments.
PAIR_WEIGHT = 0.10 / 0.85
VERIFY_BATCH = 500  # records read at a time when checking structured terms


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
    # Whether its title, conditions, interventions or MeSH terms carry every concept of the query (None:
    # not asked, as when sorting by date); those that do are listed first.
    about_all: bool | None = None


@dataclass(frozen=True)
class PartialMatch:
    """Studies carrying one concept of the query but not every one: not results, offered apart."""

    concept: str  # as a query: 'ketamine', '"social anxiety"'
    missing: tuple[str, ...]  # the query's other concepts, which these studies lack
    count: int  # passing every filter, carrying this concept, and not listed as results


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
    concepts: list[str] = field(default_factory=list)  # each concept of the query, as a query
    partial: list[PartialMatch] = field(default_factory=list)
    # The registry version these results are exactly those of, so what is derived from them may be kept
    # under it (the page cache, the trials page's rendered results); None when they were computed from
    # columns standing in for a newer version while a load writes (see state.py).
    version: int | None = None


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: bool = True
    snippets: bool = True
    match: str = "all"  # "all": every concept ("auto" is the same); "any": any word ranked (long descriptions)


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


def _site_scope(index: SearchIndex, snap: Snapshot, f: SearchFilters) -> kernels.SiteScope:
    """The sites in the given state and/or city (case-insensitive), with their studies and countries."""
    with index.cursor() as cursor:
        found = index.backend.site_countries(cursor, state=f.state, city=f.city)
    return kernels.site_scope(found, snap.columns)


def concept_query(group: list[Term]) -> str:
    """A concept as query text: the words as typed ('"social anxiety"'), or 'intervention:a,b'."""

    def one(term: Term) -> str:
        return f'"{term.text}"' if term.phrase else term.text

    if group[0].field:
        return f"{group[0].field}:" + ",".join(dict.fromkeys(one(t) for t in group))
    return one(group[0])


def _structured_texts(study: Any) -> dict[str, list[str]]:
    """The texts a structured term is checked against (fields.field_texts), from a stored study's raw
    source: an API v2 record reads only those parts; a legacy XML record is normalized whole."""
    from ketnav.trials.normalize_v2 import structured_texts_v2
    from ketnav.trials.rawcodec import unpack
    from ketnav.trials.search.fields import record_texts
    from ketnav.trials.selectors import study_record

    if study.source_format == "xml":
        return record_texts(study_record(study))
    return structured_texts_v2(orjson.loads(unpack(study.raw)))


def _verify_fields(index: SearchIndex, cols: StudyColumns, rows: IntArray, concepts: list[list[Term]]) -> IntArray:
    """The rows whose records carry every structured concept in its field (fields.texts_match)."""
    from ketnav.trials.models import Study
    from ketnav.trials.search.fields import texts_match

    if not concepts or not len(rows):
        return rows
    keep = np.zeros(len(rows), dtype=np.bool_)
    numbers = cols.ids[rows].tolist()
    where = {f"NCT{n:08d}": i for i, n in enumerate(numbers)}
    ids = list(where)
    memo: dict[str, list[str]] = {}  # stems of the texts seen, for this search's candidates
    for start in range(0, len(ids), VERIFY_BATCH):
        batch = ids[start : start + VERIFY_BATCH]
        studies = Study.objects.using(index.using).filter(nct_id__in=batch).only("nct_id", "raw", "source_format")
        for study in studies:
            if texts_match(_structured_texts(study), concepts, memo):
                keep[where[study.nct_id]] = True
    kept: IntArray = rows[keep]
    return kept


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
    any_word = request.match == "any"
    parsed = parse_query(request.text, max_terms=MAX_TERMS_LONG if any_word else MAX_TERMS, structured=not any_word)
    notes = list(parsed.notes)
    f = request.filters
    version = index.registry_version()
    key = dataclasses.replace(request, page=page, page_size=size)
    kept = index.pages.get(version, key) if index.may_keep() else None
    if kept is not None:
        return _copied(kept)
    synonyms = index.synonyms(version)
    text_groups = expand(parsed.terms, synonyms) if parsed.terms else []
    field_groups = expand_fielded(parsed.fielded, synonyms)
    groups = text_groups + field_groups
    snap = index.snapshot(version)
    cols = snap.columns

    near: Nearby | None = None
    place_name = ""
    allowed = None  # positions allowed by place filters, or None for all
    scope = None  # the sites those filters keep: with a place, a study's country is that of its sites there
    if f.near:
        centre, place_name = places.resolve(f.near)
        near = index.nearby(snap, centre, f.radius_km)
        scope = near.scope
    if f.state or f.city:
        in_place = _site_scope(index, snap, f)
        scope = in_place if scope is None else in_place.within(scope.studies())
    if scope is not None:
        if f.country:
            allowed = scope.in_country(cols, f.country)
        elif near is not None and not (f.state or f.city):
            allowed = cols.positions(near.ids)  # the same studies, already one each
        else:
            allowed = scope.studies()
    sort = request.sort
    if sort == "distance" and near is None:
        raise InvalidInput("sort: sorting by distance needs a place (near)")

    mode = "browse" if not groups else "any word" if any_word else "all words"
    scored = mode != "browse" and sort in {"relevance", "distance"}
    concept_hits: list[list[kernels.TermHits]] = []
    if mode == "browse":
        if parsed.nct_ids:
            matches = _Matches(cols.positions(np.array([int(n[3:]) for n in parsed.nct_ids], dtype=np.int64)))
        else:
            matches = _Matches(np.arange(len(cols), dtype=np.int64))
    else:
        concept_hits = index.concept_hits(snap, groups, scored=scored)
        pair_hits = index.term_hits(snap, list(parsed.pairs)) if scored and parsed.pairs else []
        rows, scores = kernels.combine(
            concept_hits, len(cols), "any" if any_word else "all", pairs=pair_hits, pair_weight=PAIR_WEIGHT
        )
        matches = _Matches(rows, scores if scored else None)
    candidates = matches.rows
    if allowed is not None:
        matches = matches.restrict(allowed)
    columns_decide_country = scope is None  # else the kept sites decided the country
    any_status = kernels.filter_rows(cols, matches.rows, f, country=columns_decide_country)
    if field_groups and not text_groups:
        # Purely structured (the guide's live counts): check every candidate once per registry version,
        # whatever the filters, and keep the answer for every later search and process.
        structured = " ".join(concept_query(list(c)) for c in parsed.fielded)
        verified = index.verified_rows(snap, structured)
        if verified is None:
            verified = _verify_fields(index, cols, candidates, field_groups)
            index.keep_verified(snap, structured, verified)
        any_status = any_status[np.isin(any_status, verified)]
    elif field_groups:
        any_status = _verify_fields(index, cols, any_status, field_groups)
    selected = matches.restrict(kernels.status_rows(cols, any_status, f.statuses))
    total = len(selected.rows)
    facets = kernels.facets(cols, any_status, selected.rows, sites=scope) if request.facets else {}

    partial: list[PartialMatch] = []
    concepts = [concept_query(g) for g in text_groups] + [concept_query(list(c)) for c in parsed.fielded]
    if mode == "all words" and len(groups) > 1:
        listed = np.zeros(len(cols), dtype=np.bool_)
        listed[selected.rows] = True
        for i in range(len(text_groups)):
            some = kernels.concept_rows(concept_hits[i], len(cols))
            if allowed is not None:
                some = np.intersect1d(some, allowed)
            some = kernels.status_rows(
                cols, kernels.filter_rows(cols, some, f, country=columns_decide_country), f.statuses
            )
            count = int(np.count_nonzero(~listed[some]))
            if count:
                missing = tuple(c for j, c in enumerate(concepts) if j != i)
                partial.append(PartialMatch(concepts[i], missing, count))
        if not total and partial:
            notes.append(
                "no study matches every part of your search; studies that match only part of it are counted apart"
            )

    tier = None
    if mode == "all words" and sort == "relevance" and total > 1:
        tier = kernels.carried(index.prominent_hits(snap, groups), selected.rows, len(cols))
    effective_sort = "last_updated" if (mode == "browse" and sort == "relevance") else sort
    ordered = kernels.display_order(
        cols, selected.rows, selected.scores, effective_sort, near, tier=tier, limit=page * size
    )
    ordered = ordered[(page - 1) * size : page * size]
    # Scores and tiers of the page's rows only: a dict of every match cost a broad word ("cancer",
    # 250,000 matches at 500,000 studies) some 60 ms of Python objects for ten rows.
    on_page = np.zeros(len(cols), dtype=np.bool_)
    on_page[ordered] = True
    here = on_page[selected.rows]
    score_of: dict[int, float] = {}
    if selected.scores is not None:
        score_of = dict(zip(selected.rows[here].tolist(), selected.scores[here].tolist(), strict=True))
    hits = _page_hits(index, cols, ordered, score_of, near)
    if tier is not None:
        ids = [f"NCT{n:08d}" for n in cols.ids[selected.rows[here]].tolist()]
        about = dict(zip(ids, tier[here].tolist(), strict=True))
        for hit in hits:
            hit.about_all = about.get(hit.nct_id)
    if request.snippets and hits:
        _add_snippets(index, version, hits, groups)
    results = SearchResults(
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
        concepts=concepts,
        partial=partial,
    )
    # not columns standing in for a newer version, nor a transaction's: searching again answers this
    if snap.version == version and index.may_keep():
        results.version = version
        index.pages.put(version, key, _copied(results))
    return results


def _copied(results: SearchResults) -> SearchResults:
    """A copy whose lists and hits are its own: callers may change what ``search`` hands them, never
    what the page cache keeps (the rest, tuples and frozen dataclasses, cannot change)."""
    return dataclasses.replace(
        results,
        hits=[dataclasses.replace(h, snippet=list(h.snippet), why=list(h.why)) for h in results.hits],
        facets={name: list(values) for name, values in results.facets.items()},
        notes=list(results.notes),
        groups=[list(g) for g in results.groups],
        concepts=list(results.concepts),
        partial=list(results.partial),
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


class SnippetText:
    """What a study's snippet and "why it matched" are computed from, whatever the query: its summary and
    description split into sentences, and the stems of the fields the reasons name. Kept per study for
    one registry version (``SearchIndex.snippet_texts``), so a page of results does not re-derive each
    record from its compressed raw source. The description is split only when a snippet first needs it
    (most come from the summary); threads that split it at the same time compute the same value."""

    def __init__(self, summary: str, description: str, field_stems: tuple[tuple[str, frozenset[str]], ...]) -> None:
        from ketnav.text.snippets import sentences

        self.summary_start = summary[:240]  # the snippet of a search without words
        self.summary = sentences(summary)
        self.description = description
        self.field_stems = field_stems  # (field as the reasons name it, its stems)
        self._description: Sentences | None = None

    def texts(self) -> Iterator[Sentences]:
        """The summary's sentences, then (only if asked for) the description's."""
        from ketnav.text.snippets import sentences

        yield self.summary
        if self._description is None:
            self._description = sentences(self.description)
        yield self._description

    @classmethod
    def of(cls, record: StudyRecord) -> SnippetText:
        from ketnav.text.snippets import field_stems

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
        stems = tuple((name, field_stems(text)) for name, text in fields.items())
        return cls(record.brief_summary, record.detailed_description, stems)


def _snippet_texts(index: SearchIndex, version: int, nct_ids: list[str]) -> dict[str, SnippetText]:
    """The snippet texts of these studies: kept ones, the rest derived from their records and kept."""
    from ketnav.trials.models import Study
    from ketnav.trials.selectors import study_record

    keep = index.may_keep()
    out: dict[str, SnippetText] = {}
    for nct in nct_ids if keep else ():
        found = index.snippet_texts.get(version, nct)
        if found is not None:
            out[nct] = found
    missing = [nct for nct in nct_ids if nct not in out]
    if missing:
        studies = Study.objects.using(index.using).filter(nct_id__in=missing).only("nct_id", "raw", "source_format")
        for study in studies:
            text = out[study.nct_id] = SnippetText.of(study_record(study))
            if keep:
                index.snippet_texts.put(version, study.nct_id, text)
    return out


def _add_snippets(index: SearchIndex, version: int, hits: list[Hit], groups: list[list[Term]]) -> None:
    from ketnav.text.snippets import best_snippet_of, query_stems, why_matched_stems

    stems = query_stems(groups)
    texts = _snippet_texts(index, version, [h.nct_id for h in hits])
    for hit in hits:
        text = texts[hit.nct_id]
        if not groups:
            hit.snippet = [(text.summary_start, False)] if text.summary_start else []
            continue
        hit.snippet = best_snippet_of(text.texts(), stems)
        hit.why = why_matched_stems(dict(text.field_stems), groups)


def warm_search(text: str) -> None:
    """Search ``text`` once so that what it computes is kept (its page, and for a purely structured
    query the studies whose records carry it): for ``SearchIndex.warm_up``'s ``searches``."""
    search(SearchRequest(text=text, snippets=False))
