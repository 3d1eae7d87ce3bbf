"""The filterable and facetable fields of every study as in-memory numpy columns.

Why: counting, filtering and faceting a broad query ("pain": 10% of 500,000 studies) by joining the
text index to the study table row by row costs seconds on SQLite; the same work over a few megabytes
of arrays costs milliseconds. The text index still decides what matches (and scores it); these columns
decide which matches pass the filters, how many there are, the facet counts and date orders.

The columns are built once per process and rebuilt when the registry's version number changes (a
trigger bumps it on every write to trials_study, see migration 0003), so results never lag the data.
At 500,000 studies they take about 20 MB.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from ketnav.trials.record import PHASES
from ketnav.trials.search.filters import INTERVENTION_TYPES, SearchFilters

NO_DATE = np.iinfo(np.int32).min
EPOCH = dt.date(1970, 1, 1)
SEXES = ("", "ALL", "FEMALE", "MALE")
_FIELDS = (
    "nct_id, overall_status, phases, study_type, intervention_types, minimum_age_years, maximum_age_years, "
    "sex, healthy_volunteers, has_results, start_date, last_update, countries, condition_terms"
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


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


def build(rows: Iterable[tuple[Any, ...]], version: int) -> StudyColumns:
    statuses, types = _Codes(), _Codes()
    countries, conditions = _Codes(), _Codes()
    phase_bits = {p: i for i, p in enumerate(PHASES)}
    type_bits = {t: i for i, t in enumerate(INTERVENTION_TYPES)}
    sex_code = {s: i for i, s in enumerate(SEXES)}
    cols: dict[str, list[Any]] = {
        k: [] for k in ("ids", "st", "ph", "ty", "it", "lo", "hi", "sx", "hv", "hr", "sd", "lu")
    }
    cptr: list[int] = [0]
    ccodes: list[int] = []
    kptr: list[int] = [0]
    kcodes: list[int] = []
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
        cols["hr"].append(bool(results))
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


# --- filters -------------------------------------------------------------------------------------


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


def filter_rows(c: StudyColumns, rows: IntArray, f: SearchFilters) -> IntArray:
    """The rows (positions) that pass every other filter the columns can decide: not the status (kept
    apart because its facet counts the other statuses too), nor state and city (sites decide those)."""
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
    if f.country:
        keep &= _ragged_any(c.country_ptr, c.country_codes, rows, _codes_of([f.country.casefold()], c.countries))
    if f.start_from:
        keep &= c.start[rows] >= (f.start_from - EPOCH).days
    if f.start_to:
        start = c.start[rows]
        keep &= (start != NO_DATE) & (start <= (f.start_to - EPOCH).days)
    if f.has_results is not None:
        keep &= c.has_results[rows] == f.has_results
    return rows[keep]


def _ragged_counts(ptr: IntArray, codes: npt.NDArray[np.int32], rows: IntArray, size: int) -> IntArray:
    if not len(rows):
        return np.zeros(size, dtype=np.int64)
    starts, ends = ptr[rows], ptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(size, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    gathered = codes[np.arange(total) + offsets]
    counts: IntArray = np.bincount(gathered, minlength=size).astype(np.int64)
    return counts


def facets(c: StudyColumns, rows_any_status: IntArray, rows: IntArray) -> dict[str, list[tuple[str, int]]]:
    """Facet counts: status over ``rows_any_status`` (matches passing every other filter); the rest over
    ``rows``, those of them that also pass the status filter."""
    status_counts = np.bincount(c.status[rows_any_status], minlength=len(c.statuses))
    merged: dict[str, int] = {}
    for i, n in enumerate(status_counts):
        if n:  # an empty status and "UNKNOWN" are one bucket
            label = c.statuses[i] or "UNKNOWN"
            merged[label] = merged.get(label, 0) + int(n)
    status = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    phase = [(p, int(np.count_nonzero(c.phases[rows] & (1 << i)))) for i, p in enumerate(PHASES)]
    country = _ragged_counts(c.country_ptr, c.country_codes, rows, len(c.countries))
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


# --- the cache -----------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def db_key() -> str:
    """Which database this connection reads: per-process caches (columns, site points, term hits)
    are kept per database, so tests and tools that switch databases never see another's."""
    return f"{connection.alias}:{connection.settings_dict['NAME']}"


def registry_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM trials_registryversion WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else -1


SLOW_BUILD_S = 0.5  # builds slower than this may be reused while a load is writing
STALE_FACTOR = 10  # ... for at most this many times the build's own duration


def study_columns() -> StudyColumns:
    """This process's columns for the current registry version (rebuilt when the version moves).

    While a big load or sync is writing (the version moves every batch), rebuilding for every search
    would cost seconds each time at 500,000 studies; so a build that took more than SLOW_BUILD_S is
    reused for up to STALE_FACTOR times its duration. Small registries are always exact.
    """
    version = registry_version()
    key = db_key()
    with _lock:
        cached: tuple[StudyColumns, float, float] | None = _cache.get(key)
        now = time.monotonic()
        if cached is not None:
            columns, built_at, took = cached
            if columns.version == version:
                return columns
            if took > SLOW_BUILD_S and now - built_at < STALE_FACTOR * took:
                return columns
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_FIELDS} FROM trials_study ORDER BY nct_id")
            rows = cursor.fetchall()
        columns = build(rows, version)
        _cache[key] = (columns, time.monotonic(), time.monotonic() - now)
        return columns
