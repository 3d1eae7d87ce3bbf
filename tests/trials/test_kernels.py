"""The search kernels are pure numpy: tested here without Django or a database, on synthetic studies,
each against a plain row-by-row Python reference."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from collections import Counter
from typing import Any

import numpy as np
import pytest

from ketnav.trials.record import PHASES
from ketnav.trials.search import kernels
from ketnav.trials.search.filters import INTERVENTION_TYPES, STUDY_TYPES, SearchFilters
from ketnav.trials.search.geo import Point, haversine_km

STATUSES = ("RECRUITING", "COMPLETED", "TERMINATED", "UNKNOWN", "")
COUNTRIES = ("United States", "Denmark", "Sweden", "France", "Japan")
CONDITIONS = ("Anxiety", "Depression", "Pain", "Asthma", "Migraine", "Insomnia")


def synthetic_rows(n: int = 400, seed: int = 7) -> list[tuple[Any, ...]]:
    """Study rows as the backends read them (kernels.COLUMN_FIELDS), in NCT id order; every field
    drawn at random, with gaps (no ages, no dates, unknown sex and healthy-volunteer answers)."""
    rng = np.random.default_rng(seed)
    numbers = sorted(rng.choice(99_999_999, size=n, replace=False).tolist())
    rows = []
    for number in numbers:
        lo = None if rng.random() < 0.3 else float(rng.integers(0, 60))
        hi = None if rng.random() < 0.4 else float(rng.integers(18, 100))
        start = None if rng.random() < 0.2 else dt.date(2000, 1, 1) + dt.timedelta(days=int(rng.integers(0, 9000)))
        last = None if rng.random() < 0.1 else dt.date(2010, 1, 1) + dt.timedelta(days=int(rng.integers(0, 5000)))
        countries = [c for c in COUNTRIES if rng.random() < 0.25]
        conditions = [c for c in CONDITIONS if rng.random() < 0.3]
        rows.append(
            (
                f"NCT{number:08d}",
                str(rng.choice(STATUSES)),
                ",".join(p for p in PHASES if rng.random() < 0.25),
                str(rng.choice(STUDY_TYPES)),
                ",".join(t for t in INTERVENTION_TYPES if rng.random() < 0.2),
                lo,
                hi,
                str(rng.choice(["ALL", "FEMALE", "MALE", ""])),
                None if rng.random() < 0.2 else bool(rng.random() < 0.3),
                bool(rng.random() < 0.3),
                start,
                last.isoformat() if last else None,  # SQLite gives text, PostgreSQL dates: both are read
                "|" + "|".join(countries) + "|" if countries else "",
                "|" + "|".join(conditions) + "|" if conditions else "",
            )
        )
    return rows


ROWS = synthetic_rows()
COLUMNS = kernels.build_columns(ROWS, version=3)
ALL = np.arange(len(COLUMNS), dtype=np.int64)


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def passes(row: tuple[Any, ...], f: SearchFilters) -> bool:
    """The filters, written row by row."""
    _nct, _status, phases, stype, itypes, lo, hi, sex, healthy, results, start, _last, countries, _terms = row
    checks = [
        not f.phases or bool(set(f.phases) & set(phases.split(","))),
        not f.study_types or stype in f.study_types,
        not f.intervention_types or bool(set(f.intervention_types) & set(itypes.split(","))),
        f.age is None or ((lo is None or lo <= f.age) and (hi is None or hi >= f.age)),
        not f.sex or sex in {"ALL", "", f.sex},
        f.healthy_volunteers is None or (healthy is not None and healthy == f.healthy_volunteers),
        not f.country or f.country.casefold() in {c.casefold() for c in countries.split("|") if c},
        not f.start_from or (start is not None and _date(start) >= f.start_from),
        not f.start_to or (start is not None and _date(start) <= f.start_to),
        f.has_results is None or bool(results) == f.has_results,
    ]
    return all(checks)


def test_kernels_do_not_import_django() -> None:
    code = "import sys, ketnav.trials.search.kernels; print(sorted(m for m in sys.modules if m.startswith('django')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_columns_code_every_field() -> None:
    row = ROWS[0]
    assert COLUMNS.version == 3 and len(COLUMNS) == len(ROWS)
    assert COLUMNS.ids.tolist() == [int(r[0][3:]) for r in ROWS]
    assert COLUMNS.statuses[COLUMNS.status[0]] == row[1]
    assert [p for i, p in enumerate(PHASES) if COLUMNS.phases[0] & (1 << i)] == [p for p in row[2].split(",") if p]
    assert COLUMNS.study_types[COLUMNS.study_type[0]] == row[3]
    for i, (lo, hi) in enumerate((r[5], r[6]) for r in ROWS):
        assert math.isnan(COLUMNS.min_age[i]) if lo is None else COLUMNS.min_age[i] == lo, i
        assert math.isnan(COLUMNS.max_age[i]) if hi is None else COLUMNS.max_age[i] == hi, i
    starts = [kernels.NO_DATE if r[10] is None else (r[10] - kernels.EPOCH).days for r in ROWS]
    assert COLUMNS.start.tolist() == starts
    lasts = [kernels.NO_DATE if r[11] is None else (dt.date.fromisoformat(r[11]) - kernels.EPOCH).days for r in ROWS]
    assert COLUMNS.last_update.tolist() == lasts
    assert COLUMNS.healthy.tolist() == [-1 if r[8] is None else int(r[8]) for r in ROWS]
    for i, r in enumerate(ROWS):
        held = COLUMNS.country_codes[COLUMNS.country_ptr[i] : COLUMNS.country_ptr[i + 1]]
        assert [COLUMNS.country_labels[c] for c in held] == [c for c in r[12].split("|") if c]
    assert COLUMNS.nbytes > 0


def test_countries_are_matched_casefolded_and_labelled_as_first_written() -> None:
    cols = kernels.build_columns(
        [
            ("NCT00000001", "", "", "", "", None, None, "", None, False, None, None, "|Türkiye|", ""),
            ("NCT00000002", "", "", "", "", None, None, "", None, False, None, None, "|TÜRKIYE|", ""),
        ],
        version=1,
    )
    assert cols.countries == ("türkiye",) and cols.country_labels == ("Türkiye",)
    assert kernels.filter_rows(cols, np.arange(2), SearchFilters(country="türkiye")).tolist() == [0, 1]


def test_locate_marks_numbers_the_columns_do_not_hold() -> None:
    known = COLUMNS.ids[[0, 5, len(COLUMNS) - 1]]
    asked = np.array([known[0], 0, known[1], 99_999_999_999, known[2]], dtype=np.int64)
    pos, found = COLUMNS.locate(asked)
    assert found.tolist() == [True, False, True, False, True]
    assert pos[found].tolist() == [0, 5, len(COLUMNS) - 1]
    assert COLUMNS.positions(asked).tolist() == [0, 5, len(COLUMNS) - 1]
    empty = kernels.build_columns([], version=0)
    assert empty.positions(asked).tolist() == []
    assert empty.locate(asked)[1].tolist() == [False] * 5


FILTERS = [
    SearchFilters(),
    SearchFilters(phases=("PHASE2", "PHASE3")),
    SearchFilters(study_types=("OBSERVATIONAL",)),
    SearchFilters(intervention_types=("BEHAVIORAL", "DEVICE")),
    SearchFilters(age=40),
    SearchFilters(age=8, sex="FEMALE"),
    SearchFilters(sex="MALE", healthy_volunteers=True),
    SearchFilters(healthy_volunteers=False),
    SearchFilters(country="denmark"),
    SearchFilters(country="Atlantis"),
    SearchFilters(start_from=dt.date(2010, 1, 1)),
    SearchFilters(start_from=dt.date(2005, 6, 1), start_to=dt.date(2015, 6, 1)),
    SearchFilters(has_results=True, phases=("PHASE1",), age=30),
]


@pytest.mark.parametrize("f", FILTERS)
def test_filters_agree_with_a_row_by_row_reference(f: SearchFilters) -> None:
    expected = [i for i, row in enumerate(ROWS) if passes(row, f)]
    assert kernels.filter_rows(COLUMNS, ALL, f).tolist() == expected
    some = ALL[::3]
    assert kernels.filter_rows(COLUMNS, some, f).tolist() == [i for i in some.tolist() if i in set(expected)]


def test_limits_are_inclusive() -> None:
    """A study for ages 18-65 starting on 1 March 2020 passes age 18 and 65 and a window ending or
    beginning that day; a study with no start date passes no start-date window."""
    day = dt.date(2020, 3, 1)
    cols = kernels.build_columns(
        [
            ("NCT00000001", "", "", "", "", 18.0, 65.0, "ALL", None, False, day, None, "", ""),
            ("NCT00000002", "", "", "", "", None, None, "ALL", None, False, None, None, "", ""),
        ],
        version=1,
    )
    both = np.arange(2, dtype=np.int64)
    for f, expected in [
        (SearchFilters(age=18), [0, 1]),
        (SearchFilters(age=65), [0, 1]),
        (SearchFilters(age=17.5), [1]),
        (SearchFilters(age=65.5), [1]),
        (SearchFilters(start_from=day), [0]),
        (SearchFilters(start_to=day), [0]),
        (SearchFilters(start_from=day + dt.timedelta(days=1)), []),
        (SearchFilters(start_to=day - dt.timedelta(days=1)), []),
    ]:
        assert kernels.filter_rows(cols, both, f).tolist() == expected, f


@pytest.mark.parametrize("statuses", [(), ("RECRUITING",), ("COMPLETED", "TERMINATED"), ("WITHDRAWN",)])
def test_status_rows_keep_the_statuses_asked_for(statuses: tuple[str, ...]) -> None:
    expected = [i for i, row in enumerate(ROWS) if not statuses or row[1] in statuses]
    assert kernels.status_rows(COLUMNS, ALL, statuses).tolist() == expected


@pytest.mark.parametrize("f", FILTERS[:6])
def test_facets_agree_with_counting_rows(f: SearchFilters) -> None:
    any_status = kernels.filter_rows(COLUMNS, ALL, f)
    rows = kernels.status_rows(COLUMNS, any_status, ("RECRUITING", "COMPLETED"))
    got = kernels.facets(COLUMNS, any_status, rows)
    statuses = Counter(ROWS[i][1] or "UNKNOWN" for i in any_status.tolist())
    assert got["status"] == sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))
    phases = Counter(p for i in rows.tolist() for p in ROWS[i][2].split(",") if p)
    assert got["phase"] == sorted(phases.items())
    countries = Counter(c for i in rows.tolist() for c in ROWS[i][12].split("|") if c)
    assert got["country"] == sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    conditions = Counter(c for i in rows.tolist() for c in ROWS[i][13].split("|") if c)
    assert got["condition"] == sorted(conditions.items(), key=lambda kv: (-kv[1], kv[0]))[:15]


def test_facets_of_nothing_are_empty() -> None:
    none = np.empty(0, dtype=np.int64)
    assert kernels.facets(COLUMNS, none, none) == {"status": [], "phase": [], "country": [], "condition": []}


def test_facets_keep_the_fifteen_most_common_values() -> None:
    rows = [
        (f"NCT{i:08d}", "", "", "", "", None, None, "", None, False, None, None, "", f"|c{i % 20:02d}|c{i % 3}|")
        for i in range(1, 201)
    ]
    cols = kernels.build_columns(rows, version=1)
    everything = np.arange(len(cols), dtype=np.int64)
    conditions = kernels.facets(cols, everything, everything)["condition"]
    assert len(conditions) == 15
    assert conditions[:3] == [("c1", 67), ("c2", 67), ("c0", 66)]  # ties by name
    assert all(n == 10 for _name, n in conditions[3:])


def test_most_studied_conditions_come_first() -> None:
    counts = Counter(c for row in ROWS for c in row[13].split("|") if c)
    expected = [name for name, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= 100]
    assert sorted(kernels.most_studied_conditions(COLUMNS, min_studies=100)) == sorted(expected)
    found = kernels.most_studied_conditions(COLUMNS, min_studies=1)
    assert [counts[c] for c in found] == sorted(counts.values(), reverse=True)


def test_term_hits_leave_out_studies_the_columns_do_not_hold() -> None:
    found = [(int(COLUMNS.ids[4]), 2.5), (12345, 9.0), (int(COLUMNS.ids[9]), 1.25)]
    hits = kernels.term_hits(found, COLUMNS, times_idf=False)
    assert hits.rows.tolist() == [4, 9] and hits.scores.tolist() == [2.5, 1.25]
    assert hits.rows.dtype == np.int32 and hits.scores.dtype == np.float32
    scaled = kernels.term_hits(found, COLUMNS, times_idf=True)
    weight = kernels.idf(2, len(COLUMNS))  # two known matches among the columns' studies
    assert scaled.scores.tolist() == pytest.approx([2.5 * weight, 1.25 * weight], rel=1e-6)
    assert kernels.term_hits([], COLUMNS, times_idf=True) is kernels.EMPTY_HITS
    assert kernels.term_hits(found, kernels.build_columns([], version=0), times_idf=False).nbytes == 0


def test_idf_is_bm25s() -> None:
    """PostgreSQL's per-term ranks are weighted by BM25's IDF, the formula FTS5's bm25 uses."""
    assert kernels.idf(10, 1000) == pytest.approx(math.log((1000 - 10 + 0.5) / (10 + 0.5)))
    assert kernels.idf(1, 1000) > kernels.idf(10, 1000) > kernels.idf(400, 1000) > 0
    assert kernels.idf(900, 1000) == 1e-6  # in most studies: next to no weight, never negative
    assert kernels.idf(0, 0) == 1e-6
    assert kernels.idf(7, 3) == 1e-6  # more matches than studies (index rows a flush left behind)


def hits(rows: list[int], score: float) -> kernels.TermHits:
    return kernels.TermHits(np.array(rows, dtype=np.int32), np.full(len(rows), score, dtype=np.float32))


def test_combine_boosts_original_words_only() -> None:
    """Rows 0-3; group 1 has an original (rows 0, 1) and a synonym (rows 1, 2)."""
    groups = [[hits([0, 1], 1.0), hits([1, 2], 0.5)], [hits([0, 1, 2, 3], 0.25)]]
    rows, scores = kernels.combine(groups, 4, "all")
    assert rows.tolist() == [0, 1, 2]
    # row 0: original words in both groups -> (1 + 0.25) * 2; row 1: also the synonym -> (1.5 + 0.25) * 2
    # row 2: only through the synonym -> 0.5 + 0.25, not boosted
    assert scores.tolist() == [2.5, 3.5, 0.75]
    rows, scores = kernels.combine(groups, 4, "any")
    assert rows.tolist() == [0, 1, 2, 3]
    assert scores.tolist() == [2.5, 3.5, 1.5, 0.5]  # any original word boosts in "any" mode


def test_combine_without_synonyms_never_boosts() -> None:
    rows, scores = kernels.combine([[hits([0, 2], 1.0)], [hits([2, 3], 0.5)]], 4, "all")
    assert rows.tolist() == [2] and scores.tolist() == [1.5]
    rows, scores = kernels.combine([], 4, "any")
    assert rows.tolist() == [] and scores.tolist() == []


def three_studies() -> kernels.StudyColumns:
    row = ("OPEN", "", "", "", None, None, "ALL", None, False, None, None, "", "")
    return kernels.build_columns([(f"NCT0000000{i}", *row) for i in (1, 2, 3)], version=1)


def test_site_points_group_sites_by_point_and_drop_unknown_studies() -> None:
    cols = three_studies()
    # keys: NCT number * 2, plus 1 when the site is not open; study 9 is not in the columns
    rows = [(51.5, -0.1, "2,7"), (48.9, 2.35, "19,4,5"), (40.7, -74.0, "18")]
    points = kernels.build_site_points(rows, cols, seconds=0.5)
    assert points.version == 1 and points.seconds == 0.5
    assert points.latitude.tolist() == [51.5, 48.9, 40.7]
    assert points.ptr.tolist() == [0, 2, 4, 4]  # New York's only site belongs to the unknown study
    # entries: column position * 2 (+1 not open): study 1 open, study 3 closed; study 2 open and closed
    assert points.entries.tolist() == [0, 5, 2, 3]
    assert points.nbytes > 0
    empty = kernels.build_site_points([], cols)
    assert empty.ptr.tolist() == [0] and empty.entries.tolist() == []


def test_nearby_crosses_the_antimeridian_and_prefers_open_sites() -> None:
    """Studies 1-3: sites either side of the 180th meridian near Fiji, and one in London."""
    cols = three_studies()
    # points: 0 at 179.9 E, 1 at 179.9 W, 2 in London; entries are position * 2 (+1 when not open)
    points = kernels.SitePoints(
        version=1,
        latitude=np.array([-17.7, -17.7, 51.5]),
        longitude=np.array([179.9, -179.9, -0.1]),
        ptr=np.array([0, 2, 4, 5]),
        entries=np.array([0 * 2 + 1, 1 * 2, 0 * 2, 1 * 2, 2 * 2], dtype=np.int32),
    )
    centre = Point(-17.7, 179.99)
    near = kernels.nearby(points, cols, centre, 50)
    assert near.ids.tolist() == [1, 2]  # London's study 3 is out of range
    # study 1: its closed site at 179.9 E is nearer, but the open one across the meridian is chosen
    assert near.where(1)[1:3] == (-179.9, True)
    assert near.where(2)[1:3] == (179.9, True)  # both open: the nearer, 179.9 E
    east, west = haversine_km(centre, Point(-17.7, 179.9)), haversine_km(centre, Point(-17.7, -179.9))
    assert east < west < 50
    assert near.distance_km.tolist() == pytest.approx([west, east])
    assert near.distances(np.array([2, 1])).tolist() == pytest.approx([east, west])
    nowhere = kernels.nearby(points, cols, Point(0.0, 0.0), 10)
    assert nowhere.ids.tolist() == [] and nowhere.distance_km.tolist() == []


def test_a_closed_site_is_chosen_when_no_open_one_is_in_range() -> None:
    cols = three_studies()
    points = kernels.build_site_points([(10.0, 10.0, "3"), (10.5, 10.0, "2")], cols)  # study 1: closed, open
    near = kernels.nearby(points, cols, Point(10.0, 10.0), 20)
    assert near.where(1)[2:] == (False, 0.0)  # the open site 55 km away is out of range
    assert kernels.nearby(points, cols, Point(10.0, 10.0), 100).where(1)[:3] == (10.5, 10.0, True)


def test_display_order_breaks_ties_by_nct_id() -> None:
    rows = np.array([5, 1, 9, 3], dtype=np.int64)
    scores = np.array([1.0, 2.0, 1.0, 2.0])
    ordered = kernels.display_order(COLUMNS, rows, scores, "relevance", None)
    assert ordered.tolist() == [1, 3, 5, 9]  # 2.0 before 1.0; equal scores by NCT id (= position order)


@pytest.mark.parametrize("sort", ["last_updated", "start_date"])
def test_date_orders_put_the_newest_first_and_unknown_dates_last(sort: str) -> None:
    dates = COLUMNS.last_update if sort == "last_updated" else COLUMNS.start
    ordered = kernels.display_order(COLUMNS, ALL, None, sort, None)
    shown = dates[ordered].tolist()
    known = [d for d in shown if d != kernels.NO_DATE]
    assert known == sorted(known, reverse=True)
    assert shown[len(known) :] == [kernels.NO_DATE] * (len(shown) - len(known))
    unknown = ordered[len(known) :]
    assert unknown.tolist() == sorted(unknown.tolist())


def test_distance_order_is_nearest_first_then_best_score() -> None:
    cols = three_studies()
    near = kernels.Nearby(
        ids=np.array([1, 2, 3]),
        distance_km=np.array([5.0, 1.0, 5.0]),
        latitude=np.zeros(3),
        longitude=np.zeros(3),
        open_site=np.ones(3, dtype=np.bool_),
    )
    rows = np.array([0, 1, 2], dtype=np.int64)
    ordered = kernels.display_order(cols, rows, np.array([1.0, 0.5, 3.0]), "distance", near)
    assert ordered.tolist() == [1, 2, 0]
    assert kernels.display_order(cols, rows, None, "distance", near).tolist() == [1, 0, 2]


def test_restrict_keeps_scores_aligned() -> None:
    rows, scores = kernels.restrict(np.array([4, 2, 7]), np.array([0.4, 0.2, 0.7]), np.array([7, 4]))
    assert rows.tolist() == [4, 7] and scores is not None and scores.tolist() == [0.4, 0.7]
    rows, scores = kernels.restrict(np.array([4, 2, 7]), None, np.array([2]))
    assert rows.tolist() == [2] and scores is None


def _reference_order(rows: list[int], key: Any) -> list[int]:
    """Display order written row by row: each sort's keys, then the NCT id."""
    return sorted(rows, key=lambda r: (*key(r), int(COLUMNS.ids[r])))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("sort", ["relevance", "relevance with tier", "distance", "last_updated", "start_date"])
def test_display_order_up_to_a_limit_is_the_start_of_the_whole_order(sort: str, seed: int) -> None:
    """The first ``limit`` rows (what a page needs) are exactly those of the full order, ties at the cut
    included: scores are rounded so many rows share one, and some limits fall inside a run of ties."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(COLUMNS), size=int(rng.integers(50, len(COLUMNS))), replace=False))
    scores = np.round(rng.random(len(rows)) * 4) / 2  # values 0, 0.5, ... 2: long runs of equal scores
    score_of = dict(zip(rows.tolist(), scores.tolist(), strict=True))
    tier = rng.random(len(rows)) < 0.3 if sort == "relevance with tier" else None
    tier_of = dict(zip(rows.tolist(), tier.tolist(), strict=True)) if tier is not None else {}
    near = None
    if sort == "distance":
        near = kernels.Nearby(
            ids=COLUMNS.ids.copy(),
            distance_km=np.round(rng.random(len(COLUMNS)) * 5),  # 0-5 km in whole km: ties again
            latitude=np.zeros(len(COLUMNS)),
            longitude=np.zeros(len(COLUMNS)),
            open_site=np.ones(len(COLUMNS), dtype=np.bool_),
        )
        key: Any = lambda r: (float(near.distance_km[r]), -score_of[r])  # noqa: E731
    elif sort.startswith("relevance"):
        key = lambda r: (not tier_of.get(r, True), -score_of[r])  # noqa: E731
    else:
        dates = COLUMNS.last_update if sort == "last_updated" else COLUMNS.start
        key = lambda r: (int(dates[r]) == kernels.NO_DATE, -int(dates[r]))  # noqa: E731
    expected = _reference_order(rows.tolist(), key)
    uses_scores = sort.startswith("relevance") or sort == "distance"
    name = "relevance" if sort.startswith("relevance") else sort
    for limit in (None, 1, 3, 10, 17, len(rows) - 1, len(rows), len(rows) + 5):
        got = kernels.display_order(
            COLUMNS, rows, scores if uses_scores else None, name, near, tier=tier, limit=limit
        ).tolist()
        assert got == (expected if limit is None else expected[:limit]), limit


@pytest.mark.parametrize("size", [0, 1, 5, 40, 49, 50, 51, 120, 399, 400])
def test_condition_and_country_counts_agree_with_counting_rows_whatever_the_selection_size(size: int) -> None:
    """Small selections gather each row's codes, large ones (an eighth of all rows or more) mark the rows:
    both count the same."""
    rows = np.sort(np.random.default_rng(size).choice(len(COLUMNS), size=size, replace=False)).astype(np.int64)
    got = kernels.facets(COLUMNS, rows, rows)
    countries = Counter(c for i in rows.tolist() for c in ROWS[i][12].split("|") if c)
    conditions = Counter(c for i in rows.tolist() for c in ROWS[i][13].split("|") if c)
    assert got["country"] == sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    assert got["condition"] == sorted(conditions.items(), key=lambda kv: (-kv[1], kv[0]))[:15]


def test_pairs_add_to_the_score_and_never_to_the_matches() -> None:
    groups = [[hits([0, 1], 1.0)], [hits([1, 2], 0.5)]]
    pair = hits([1, 3], 2.0)  # row 3 holds the phrase only in a test: it still must not match
    for mode in ("all", "any"):
        plain_rows, plain = kernels.combine(groups, 4, mode)
        rows, scores = kernels.combine(groups, 4, mode, pairs=[pair], pair_weight=0.25)
        assert rows.tolist() == plain_rows.tolist()
        assert (scores - plain).tolist() == [0.5 if r == 1 else 0.0 for r in rows.tolist()]
