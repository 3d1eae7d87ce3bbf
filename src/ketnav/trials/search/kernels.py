"""The search engine's arithmetic: numpy over in-memory columns, with no Django and no I/O.

Pure. Everything here takes plain rows or arrays and returns new arrays; nothing is cached and nothing
is shared between threads except immutable values. Which database rows feed these functions is the
backends' business (``backends/``); which results are kept, and for how long, is ``state.SearchIndex``'s.

Three kinds of work, each faster in memory than in SQL at registry scale:

- **Columns** (``StudyColumns``): the filterable and facetable fields of every study. Counting,
  filtering and faceting a broad query ("pain": 10% of 500,000 studies) by joining the text index to
  the study table row by row costs seconds on SQLite; the same work over a few megabytes of arrays
  costs milliseconds. The text index still decides what matches (and scores it); the columns decide
  which matches pass the filters, how many there are, the facet counts and date orders. At 500,000
  studies they take about 20 MB.
- **Per-term scores** (``TermHits``, ``combine``): FTS5's bm25 is a sum over the query's phrases, and
  each phrase's part depends only on that phrase and the row (its IDF comes from the phrase's own row
  count, the length normalisation from the row's size), never on the rest of the query. So a query is
  matched with set operations and scored by adding per-term score arrays, and a broad term's array can
  be kept for the next query that uses it. On SQLite the result equals the single compound MATCH (tests
  hold the two equal on real records). PostgreSQL computes the same per-term BM25 in SQL without
  its IDF, which ``idf`` supplies, so there too a query's score is the sum of its terms' scores.
- **Site points** (``SitePoints``, ``nearby``): registry sites are geocoded to their city, so
  coordinates repeat (13.6 million sites of a generated corpus sit on 3,660 distinct points). Distances
  are computed once per distinct point and the studies at the points in range gathered from flat
  arrays, instead of turning 267,000 index entries into Python objects per query (about 400 ms).
"""

from __future__ import annotations

import array
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ketnav.trials.record import PHASES
from ketnav.trials.search.filters import INTERVENTION_TYPES, SearchFilters
from ketnav.trials.search.geo import EARTH_RADIUS_KM, Point

NO_DATE = np.iinfo(np.int32).min
EPOCH = dt.date(1970, 1, 1)
SEXES = ("", "ALL", "FEMALE", "MALE")
ORIGINAL_BOOST = 2.0  # results whose original words matched score twice those found only through synonyms
# Site statuses that count as open for "nearest open site first"; an empty status is taken as open
# (many records give only the study's overall status).
OPEN_SITE_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# --- the columns ---------------------------------------------------------------------------------


class _Codes:
    """Strings to small integer codes, in order of first appearance."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def code(self, name: str) -> int:
        found = self.index.get(name)
        if found is None:
            found = self.index[name] = len(self.index)
        return found

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.index)


def _days(value: Any) -> int:
    if value is None or value == "":
        return int(NO_DATE)
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return (day - EPOCH).days


def _bits(text: str | None, order: dict[str, int]) -> int:
    mask = 0
    for part in (text or "").split(","):
        if part in order:
            mask |= 1 << order[part]
    return mask


@dataclass(frozen=True)
class StudyColumns:
    """The filterable fields of every study at one registry version; immutable once built."""

    version: int
    ids: IntArray  # NCT numbers, ascending
    status: npt.NDArray[np.int16]
    statuses: tuple[str, ...]
    phases: npt.NDArray[np.int32]  # bit i = PHASES[i]
    study_type: npt.NDArray[np.int16]
    study_types: tuple[str, ...]
    intervention_types: npt.NDArray[np.int32]  # bit i = INTERVENTION_TYPES[i]
    min_age: npt.NDArray[np.float32]  # NaN: no limit
    max_age: npt.NDArray[np.float32]
    sex: npt.NDArray[np.int8]  # index into SEXES (other values: -1)
    healthy: npt.NDArray[np.int8]  # -1 unknown, 0 no, 1 yes
    has_results: BoolArray
    start: npt.NDArray[np.int32]  # days since 1970-01-01, NO_DATE when unknown
    last_update: npt.NDArray[np.int32]
    country_ptr: IntArray  # study i's countries are country_codes[ptr[i]:ptr[i+1]]
    country_codes: npt.NDArray[np.int32]
    countries: tuple[str, ...]  # casefolded, for matching
    country_labels: tuple[str, ...]  # as first written, for facets
    condition_ptr: IntArray
    condition_codes: npt.NDArray[np.int32]
    conditions: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        arrays = [v for v in vars(self).values() if isinstance(v, np.ndarray)]
        return int(sum(a.nbytes for a in arrays))

    def locate(self, nct_numbers: IntArray) -> tuple[IntArray, BoolArray]:
        """(position, known) for each given NCT number; ``known`` is False for numbers not in the
        columns (a study written after they were read), whose position means nothing."""
        if not len(self.ids):
            return np.zeros(len(nct_numbers), dtype=np.int64), np.zeros(len(nct_numbers), dtype=np.bool_)
        pos = np.minimum(np.searchsorted(self.ids, nct_numbers), len(self.ids) - 1).astype(np.int64)
        return pos, self.ids[pos] == nct_numbers

    def positions(self, nct_numbers: IntArray) -> IntArray:
        """Row positions of the given NCT numbers (numbers not in the columns are dropped)."""
        pos, known = self.locate(nct_numbers)
        return pos[known]


# The study fields the columns are built from, in the order ``build_columns`` reads them.
COLUMN_FIELDS = (
    "nct_id",
    "overall_status",
    "phases",
    "study_type",
    "intervention_types",
    "minimum_age_years",
    "maximum_age_years",
    "sex",
    "healthy_volunteers",
    "has_results",
    "start_date",
    "last_update",
    "countries",
    "condition_terms",
)


def build_columns(rows: Iterable[tuple[Any, ...]], version: int) -> StudyColumns:
    """Columns from study rows (``COLUMN_FIELDS``, in NCT id order)."""
    statuses, types = _Codes(), _Codes()
    countries, conditions = _Codes(), _Codes()
    phase_bits = {p: i for i, p in enumerate(PHASES)}
    type_bits = {t: i for i, t in enumerate(INTERVENTION_TYPES)}
    sex_code = {s: i for i, s in enumerate(SEXES)}
    # Typed arrays (array.array), not lists: a list of Python ints and floats is about 36 bytes an entry,
    # so at 500,000 studies (and 3 million condition codes) building took 300 MB where these take 60.
    kinds = {"ids": "q", "lo": "d", "hi": "d", "sd": "q", "lu": "q"}
    cols: dict[str, array.array[Any]] = {
        k: array.array(kinds.get(k, "i"))
        for k in ("ids", "st", "ph", "ty", "it", "lo", "hi", "sx", "hv", "hr", "sd", "lu")
    }
    cptr = array.array("q", [0])
    ccodes = array.array("i")
    kptr = array.array("q", [0])
    kcodes = array.array("i")
    labels: dict[str, str] = {}
    for row in rows:
        nct, status, phases, stype, itypes, lo, hi, sex, healthy, results, start, last, ctry, terms = row
        cols["ids"].append(int(nct[3:]))
        cols["st"].append(statuses.code(status or ""))
        cols["ph"].append(_bits(phases, phase_bits))
        cols["ty"].append(types.code(stype or ""))
        cols["it"].append(_bits(itypes, type_bits))
        cols["lo"].append(np.nan if lo is None else lo)
        cols["hi"].append(np.nan if hi is None else hi)
        cols["sx"].append(sex_code.get(sex or "", -1))
        cols["hv"].append(-1 if healthy is None else int(bool(healthy)))
        cols["hr"].append(1 if results else 0)
        cols["sd"].append(_days(start))
        cols["lu"].append(_days(last))
        for name in (ctry or "").split("|"):
            if name:
                folded = name.casefold()
                labels.setdefault(folded, name)
                ccodes.append(countries.code(folded))
        cptr.append(len(ccodes))
        kcodes.extend(conditions.code(c) for c in (terms or "").split("|") if c)
        kptr.append(len(kcodes))
    return StudyColumns(
        version=version,
        ids=np.asarray(cols["ids"], dtype=np.int64),
        status=np.asarray(cols["st"], dtype=np.int16),
        statuses=statuses.names,
        phases=np.asarray(cols["ph"], dtype=np.int32),
        study_type=np.asarray(cols["ty"], dtype=np.int16),
        study_types=types.names,
        intervention_types=np.asarray(cols["it"], dtype=np.int32),
        min_age=np.asarray(cols["lo"], dtype=np.float32),
        max_age=np.asarray(cols["hi"], dtype=np.float32),
        sex=np.asarray(cols["sx"], dtype=np.int8),
        healthy=np.asarray(cols["hv"], dtype=np.int8),
        has_results=np.asarray(cols["hr"], dtype=np.bool_),
        start=np.asarray(cols["sd"], dtype=np.int32),
        last_update=np.asarray(cols["lu"], dtype=np.int32),
        country_ptr=np.asarray(cptr, dtype=np.int64),
        country_codes=np.asarray(ccodes, dtype=np.int32),
        countries=countries.names,
        country_labels=tuple(labels[c] for c in countries.names),
        condition_ptr=np.asarray(kptr, dtype=np.int64),
        condition_codes=np.asarray(kcodes, dtype=np.int32),
        conditions=conditions.names,
    )


# --- filters and facets --------------------------------------------------------------------------


def _codes_of(names: Iterable[str], table: tuple[str, ...]) -> list[int]:
    wanted = set(names)
    return [i for i, n in enumerate(table) if n in wanted]


def _ragged_any(ptr: IntArray, codes: npt.NDArray[np.int32], rows: IntArray, wanted: list[int]) -> BoolArray:
    """For each row, whether any of its (ragged) codes is in ``wanted``."""
    if not wanted or not len(rows):
        return np.zeros(len(rows), dtype=np.bool_)
    hit = np.isin(codes, wanted)
    cumulative = np.concatenate(([0], np.cumsum(hit, dtype=np.int64)))
    return np.asarray(cumulative[ptr[rows + 1]] - cumulative[ptr[rows]] > 0)


def status_rows(c: StudyColumns, rows: IntArray, statuses: tuple[str, ...]) -> IntArray:
    """The rows whose overall status is one of ``statuses`` (all rows when none is asked for)."""
    if not statuses:
        return rows
    return rows[np.isin(c.status[rows], _codes_of(statuses, c.statuses))]


def filter_rows(c: StudyColumns, rows: IntArray, f: SearchFilters, *, country: bool = True) -> IntArray:
    """The rows (positions) that pass every other filter the columns can decide: not the status (kept
    apart because its facet counts the other statuses too), nor state and city (sites decide those).
    ``country=False`` leaves the country to the caller (with a place: a site in range must be in it)."""
    keep = np.ones(len(rows), dtype=np.bool_)
    if f.phases:
        keep &= (c.phases[rows] & sum(1 << PHASES.index(p) for p in f.phases)) != 0
    if f.study_types:
        keep &= np.isin(c.study_type[rows], _codes_of(f.study_types, c.study_types))
    if f.intervention_types:
        bits = sum(1 << INTERVENTION_TYPES.index(t) for t in f.intervention_types)
        keep &= (c.intervention_types[rows] & bits) != 0
    if f.age is not None:
        lo, hi = c.min_age[rows], c.max_age[rows]
        keep &= (np.isnan(lo) | (lo <= f.age)) & (np.isnan(hi) | (hi >= f.age))
    if f.sex:
        keep &= np.isin(c.sex[rows], [SEXES.index("ALL"), SEXES.index(""), SEXES.index(f.sex)])
    if f.healthy_volunteers is not None:
        keep &= c.healthy[rows] == int(f.healthy_volunteers)
    if f.country and country:
        keep &= _ragged_any(c.country_ptr, c.country_codes, rows, _codes_of([f.country.casefold()], c.countries))
    if f.start_from:
        keep &= c.start[rows] >= (f.start_from - EPOCH).days
    if f.start_to:
        start = c.start[rows]
        keep &= (start != NO_DATE) & (start <= (f.start_to - EPOCH).days)
    if f.has_results is not None:
        keep &= c.has_results[rows] == f.has_results
    return rows[keep]


RAGGED_MASK_FRACTION = 8  # _ragged_counts marks the rows when they are at least an eighth of all


def _ragged_counts(ptr: IntArray, codes: npt.NDArray[np.int32], rows: IntArray, size: int) -> IntArray:
    """How many of ``rows`` carry each code of a ragged column (``codes[ptr[r]:ptr[r + 1]]`` per row)."""
    if not len(rows):
        return np.zeros(size, dtype=np.int64)
    if len(rows) * RAGGED_MASK_FRACTION >= len(ptr) - 1:
        # Many rows (a broad word): mark them and keep the entries of marked rows, in one pass over the
        # column; gathering each row's slice costs several temporary arrays as long as the selection
        # (45 ms against about 10 for "cancer" at 500,000 studies).
        marked = np.zeros(len(ptr) - 1, dtype=np.bool_)
        marked[rows] = True
        kept = codes[np.repeat(marked, np.diff(ptr))]
        return np.bincount(kept, minlength=size).astype(np.int64)
    starts, ends = ptr[rows], ptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(size, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    gathered = codes[np.arange(total) + offsets]
    counts: IntArray = np.bincount(gathered, minlength=size).astype(np.int64)
    return counts


@dataclass(frozen=True)
class SiteScope:
    """The sites a place filter keeps (within a radius, in a state or city): each one's study (column
    position) and country (a code of the columns' countries, -1 unknown). With a place chosen, a study's
    country is that of its sites there, not of every site it has elsewhere."""

    rows: IntArray
    countries: npt.NDArray[np.int32]

    def studies(self) -> IntArray:
        found: IntArray = np.unique(self.rows)
        return found

    def in_country(self, cols: StudyColumns, country: str) -> IntArray:
        """Positions of the studies with a kept site in ``country`` (case-insensitive)."""
        codes = _codes_of([country.casefold()], cols.countries)
        found: IntArray = np.unique(self.rows[np.isin(self.countries, codes)])
        return found

    def within(self, studies: IntArray) -> SiteScope:
        """The kept sites whose studies are also in ``studies`` (another place filter's)."""
        keep = np.isin(self.rows, studies)
        return SiteScope(self.rows[keep], self.countries[keep])


def site_scope(pairs: Iterable[tuple[int, str]], cols: StudyColumns) -> SiteScope:
    """A scope from (NCT number, country) rows; studies missing from the columns are left out."""
    table = list(pairs)
    numbers = np.array([n for n, _c in table], dtype=np.int64)
    codes = {name: i for i, name in enumerate(cols.countries)}
    countries = np.array([codes.get((c or "").casefold(), -1) for _n, c in table], dtype=np.int32)
    pos, known = cols.locate(numbers)
    return SiteScope(pos[known].astype(np.int64), countries[known])


def facets(
    c: StudyColumns, rows_any_status: IntArray, rows: IntArray, *, sites: SiteScope | None = None
) -> dict[str, list[tuple[str, int]]]:
    """Facet counts: status over ``rows_any_status`` (matches passing every other filter); the rest over
    ``rows``, those of them that also pass the status filter. With a place (``sites``) the countries
    are those of the studies' sites there, not of every site they have elsewhere."""
    status_counts = np.bincount(c.status[rows_any_status], minlength=len(c.statuses))
    merged: dict[str, int] = {}
    for i, n in enumerate(status_counts):
        if n:  # an empty status and "UNKNOWN" are one bucket
            label = c.statuses[i] or "UNKNOWN"
            merged[label] = merged.get(label, 0) + int(n)
    status = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    phase = [(p, int(np.count_nonzero(c.phases[rows] & (1 << i)))) for i, p in enumerate(PHASES)]
    if sites is None:
        country = _ragged_counts(c.country_ptr, c.country_codes, rows, len(c.countries))
    else:
        inside = np.isin(sites.rows, rows) & (sites.countries >= 0)
        pairs = np.unique(sites.rows[inside] * len(c.countries) + sites.countries[inside])  # once a study
        country = np.bincount(pairs % len(c.countries), minlength=len(c.countries)).astype(np.int64)
    condition = _ragged_counts(c.condition_ptr, c.condition_codes, rows, len(c.conditions))
    return {
        "status": status,
        "phase": sorted((p, n) for p, n in phase if n),
        "country": _top(country, c.country_labels, 15),
        "condition": _top(condition, c.conditions, 15),
    }


def _top(counts: IntArray, names: tuple[str, ...], n: int) -> list[tuple[str, int]]:
    nonzero = np.flatnonzero(counts)
    order = sorted(nonzero, key=lambda i: (-counts[i], names[i]))[:n]
    return [(names[i], int(counts[i])) for i in order]


def most_studied_conditions(c: StudyColumns, *, min_studies: int) -> list[str]:
    """Condition terms in at least ``min_studies`` studies, most studied first (ties: first seen first)."""
    counts = np.bincount(c.condition_codes, minlength=len(c.conditions))
    out = []
    for code in np.argsort(-counts, kind="stable"):
        if counts[code] < min_studies:
            break
        out.append(c.conditions[code])
    return out


# --- per-term scores -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TermHits:
    """The studies one term (a word, phrase or prefix) matches, as column positions in ascending order,
    with that term's part of the score in each. Immutable: cached hits are shared between threads."""

    rows: npt.NDArray[np.int32]
    scores: npt.NDArray[np.float32]  # float32 halves the memory; rankings agree to 1e-7 relative

    @property
    def nbytes(self) -> int:
        return int(self.rows.nbytes + self.scores.nbytes)


EMPTY_HITS = TermHits(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))


def idf(matches: int, studies: int) -> float:
    """BM25's inverse document frequency, as FTS5 computes it (never below 1e-6). PostgreSQL's per-term
    rows come without it (backends/postgresql.py), so a term's scores there are multiplied by it."""
    ratio = (studies - matches + 0.5) / (matches + 0.5)
    return max(math.log(ratio), 1e-6) if ratio > 0 else 1e-6


def term_hits(found: Sequence[tuple[int, float]], cols: StudyColumns, *, times_idf: bool) -> TermHits:
    """One term's hits from the text index's (NCT number, score) rows. Studies written since the
    columns were read are left out; ``times_idf`` multiplies every score by the term's IDF (for a rank
    that has none, as PostgreSQL's)."""
    if not found or not len(cols):
        return EMPTY_HITS
    table = np.array(found, dtype=np.float64)
    pos, known = cols.locate(table[:, 0].astype(np.int64))
    scores = table[known, 1]
    if times_idf:
        scores = scores * idf(int(known.sum()), len(cols))
    return TermHits(pos[known].astype(np.int32), scores.astype(np.float32))


def combine(
    groups: list[list[TermHits]],
    size: int,
    mode: str,
    *,
    pairs: Sequence[TermHits] = (),
    pair_weight: float = 0.0,
) -> tuple[IntArray, FloatArray]:
    """Rows matching every group ("all") or any group ("any"), a group matching when any of its
    alternatives does, with scores summed over every matching alternative of every group, and doubled
    where the original words (each group's first alternative) match on their own, as the SQL does.
    ``pairs`` (phrases of adjacent query words) only add ``pair_weight`` times their scores to the rows
    that match anyway: they never decide which rows match."""
    if not groups:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    score = np.zeros(size, dtype=np.float64)
    for hits in pairs:
        score[hits.rows] += pair_weight * hits.scores
    matched = np.zeros(size, dtype=np.int16)
    original = np.zeros(size, dtype=np.int16)
    member = np.zeros(size, dtype=np.bool_)
    for alternatives in groups:
        member[:] = False
        for hits in alternatives:
            member[hits.rows] = True
            score[hits.rows] += hits.scores
        matched += member
        original[alternatives[0].rows] += 1
    need = len(groups) if mode == "all" else 1
    rows = np.flatnonzero(matched >= need)
    scores = score[rows]
    if any(len(g) > 1 for g in groups):  # else every match is on the original words
        scores = np.where(original[rows] >= need, scores * ORIGINAL_BOOST, scores)
    return rows.astype(np.int64), scores


def concept_rows(alternatives: list[TermHits], size: int) -> IntArray:
    """Positions of the studies carrying one concept: any of its alternatives (ascending)."""
    member = np.zeros(size, dtype=np.bool_)
    for hits in alternatives:
        member[hits.rows] = True
    found: IntArray = np.flatnonzero(member)
    return found


def carried(hits: TermHits, rows: IntArray, size: int) -> BoolArray:
    """For each of ``rows``, whether ``hits`` holds it."""
    member = np.zeros(size, dtype=np.bool_)
    member[hits.rows] = True
    found: BoolArray = member[rows]
    return found


# --- site points ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitePoints:
    """Sites grouped by distinct coordinates, bound to the columns of one registry version (entries
    are column positions); about 4 bytes a site. Immutable once built."""

    version: int
    latitude: FloatArray  # one per distinct point
    longitude: FloatArray
    ptr: IntArray  # point i's entries are entries[ptr[i]:ptr[i+1]]
    entries: npt.NDArray[np.int32]  # column position * 2, plus 1 when the site is not open
    seconds: float = 0.0
    country: npt.NDArray[np.int32] | None = None  # per point, a code of the columns' countries (-1: none)

    @property
    def nbytes(self) -> int:
        return int(self.latitude.nbytes + self.longitude.nbytes + self.ptr.nbytes + self.entries.nbytes)


def build_site_points(rows: Iterable[tuple[Any, ...]], cols: StudyColumns, *, seconds: float = 0.0) -> SitePoints:
    """Site points from (latitude, longitude, "key,key,..."[, country]) rows, one per distinct point
    (and country), where a key is the site's NCT number * 2 plus 1 when the site is not open. Sites of
    studies missing from the columns (written after they were read) are left out."""
    # Typed arrays grown in place, not a list of one small numpy array per point: at 500,000 studies (a
    # million points) those objects were 150 MB more at the peak, and the heap stayed that size.
    lat = array.array("d")
    lon = array.array("d")
    entries = array.array("i")
    ptr = array.array("q", [0])
    country = array.array("i")
    codes = {name: i for i, name in enumerate(cols.countries)}
    for la, lo, keys, *rest in rows:
        lat.append(float(la))
        lon.append(float(lo))
        # Parsed by numpy straight from the text, one point at a time: a list of Python strings for
        # every site at once was a gigabyte at 500,000 studies (6.5 million sites), and ten times slower.
        found = np.fromstring(str(keys), dtype=np.int64, sep=",")
        pos, known = cols.locate(found // 2)
        entries.frombytes((pos[known] * 2 + found[known] % 2).astype(np.int32).tobytes())
        ptr.append(len(entries))
        country.append(codes.get((rest[0] or "").casefold(), -1) if rest else -1)
    # Views of the typed arrays' memory (no second copy); they stay read-only, as the points are.
    return SitePoints(
        version=cols.version,
        latitude=np.frombuffer(lat, dtype=np.float64),
        longitude=np.frombuffer(lon, dtype=np.float64),
        ptr=np.frombuffer(ptr, dtype=np.int64),
        entries=np.frombuffer(entries, dtype=np.int32),
        seconds=seconds,
        country=np.frombuffer(country, dtype=np.int32),
    )


@dataclass(frozen=True)
class Nearby:
    """Studies with a site within the radius: NCT numbers (ascending), the distance to each study's
    nearest site (an open one first, if any is in range) and that site's coordinates."""

    ids: IntArray
    distance_km: FloatArray
    latitude: FloatArray
    longitude: FloatArray
    open_site: BoolArray
    # Every site within the radius: its study's column position and its country's code (-1: unknown).
    site_rows: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    site_countries: npt.NDArray[np.int32] = field(default_factory=lambda: np.empty(0, dtype=np.int32))

    @property
    def scope(self) -> SiteScope:
        return SiteScope(self.site_rows, self.site_countries)

    def distances(self, nct_numbers: Any) -> Any:
        return self.distance_km[np.searchsorted(self.ids, nct_numbers)]

    def where(self, nct_number: int) -> tuple[float, float, bool, float]:
        """(latitude, longitude, whether an open site was chosen, distance) for one study."""
        p = int(np.searchsorted(self.ids, nct_number))
        return (
            float(self.latitude[p]),
            float(self.longitude[p]),
            bool(self.open_site[p]),
            float(self.distance_km[p]),
        )


def nearby(points: SitePoints, cols: StudyColumns, centre: Point, radius_km: float) -> Nearby:
    """Every study with a site within the radius, great-circle distance to its nearest site (an open
    site if one is in range, else any)."""
    lat1, lon1 = np.radians(centre.latitude), np.radians(centre.longitude)
    lat2, lon2 = np.radians(points.latitude), np.radians(points.longitude)
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    inside = np.flatnonzero(distance <= radius_km)
    inside = inside[np.argsort(distance[inside], kind="stable")]  # nearest points first
    starts, ends = points.ptr[inside], points.ptr[inside + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        empty = np.empty(0)
        return Nearby(np.empty(0, dtype=np.int64), empty, empty, empty, np.empty(0, dtype=np.bool_))
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    gathered = points.entries[np.arange(total) + offsets].astype(np.int64)
    point_of = np.repeat(inside, lengths)
    # Entries are in order of distance; per study keep the first open entry, else the first entry.
    rank = (gathered % 2) * total + np.arange(total)
    best = np.full(len(cols), 2 * total, dtype=np.int64)
    np.minimum.at(best, gathered // 2, rank)
    rows = np.flatnonzero(best < 2 * total)
    chosen = best[rows] % total
    chosen_points = point_of[chosen]
    site_countries = points.country[point_of] if points.country is not None else np.full(total, -1, dtype=np.int32)
    return Nearby(
        ids=cols.ids[rows],
        distance_km=distance[chosen_points],
        latitude=points.latitude[chosen_points],
        longitude=points.longitude[chosen_points],
        open_site=gathered[chosen] % 2 == 0,
        site_rows=gathered // 2,
        site_countries=site_countries.astype(np.int32),
    )


# --- ordering ------------------------------------------------------------------------------------


def restrict(rows: IntArray, scores: FloatArray | None, allowed: IntArray) -> tuple[IntArray, FloatArray | None]:
    """The rows (and their scores) that are also in ``allowed``."""
    keep = np.isin(rows, allowed)
    return rows[keep], scores[keep] if scores is not None else None


def display_order(
    c: StudyColumns,
    rows: IntArray,
    scores: FloatArray | None,
    sort: str,
    near: Nearby | None,
    *,
    tier: BoolArray | None = None,
    limit: int | None = None,
) -> IntArray:
    """``rows`` in display order, ties broken by NCT id so paging is stable: "relevance" (best score
    first; with ``tier``, the rows it marks first), "distance" (nearest first, then best score),
    "last_updated" or "start_date" (newest first, unknown dates last). With ``limit``, only the first
    ``limit`` of that order (the pages up to the one shown).

    A page needs the first few rows, not all of them in order: sorting every match of a broad word
    (250,000 for "cancer" at 500,000 studies) on three keys cost about 30 ms. So one number per row that
    never orders two rows against the display order (``lead``: the leading keys folded together) picks
    the rows up to the ``limit``-th smallest, ties included, with np.partition; only those are sorted on
    every key. A row outside that set has a lead larger than ``limit`` others', so at least ``limit``
    rows come before it: the first ``limit`` rows are exactly those of the full sort."""
    lead: Any
    if sort == "relevance":
        assert scores is not None
        keys: tuple[Any, ...] = (-scores,) if tier is None else (-scores, ~tier)
        lead = -scores.astype(np.float64)
        if tier is not None and len(scores):
            # marked rows first: lift the others above every marked row's value
            lead = lead + np.where(tier, 0.0, float(scores.max() - scores.min()) + 1.0)
    elif sort == "distance":
        assert near is not None
        distance = near.distances(c.ids[rows])
        keys = (-(scores if scores is not None else np.zeros(len(rows))), distance)
        lead = distance
    else:
        dates = (c.last_update[rows] if sort == "last_updated" else c.start[rows]).astype(np.int64)
        keys = (-dates, dates == NO_DATE)
        lead = np.where(dates == NO_DATE, np.iinfo(np.int64).max, -dates)
    if limit is not None and 0 < limit < len(rows):
        cut = np.partition(lead, limit - 1)[limit - 1]
        candidates = np.flatnonzero(lead <= cut)
        rows = rows[candidates]
        keys = tuple(key[candidates] for key in keys)
    ordered: IntArray = rows[np.lexsort((c.ids[rows], *keys))]
    return ordered if limit is None else ordered[:limit]
