"""Matching and scoring a query one term at a time, with broad terms' hits kept in memory.

Why: FTS5 answers a MATCH by walking every matching row and calling bm25() on it. For a broad word at
500,000 studies ("cancer" is in more than half of a generated corpus) that alone costs about half a
second, before any filter is applied. But FTS5's bm25 is a sum over the query's phrases, and each
phrase's part depends only on that phrase and the row (its IDF comes from the phrase's own row count,
the length normalisation from the row's size), never on the rest of the query. So a query can be
matched with set operations and scored by adding per-term score arrays; and a broad term's array,
once asked for, can be kept for the next query that uses it (``TermCache``: bounded in bytes, dropped
when the registry changes, and re-computed in the background for the terms that were in use).
Narrow terms, which the index answers in a few milliseconds, are asked each time. On SQLite the
result equals the single compound MATCH (tests hold the two equal on real records).

PostgreSQL works the same way, with each term's ts_rank over the weighted tsvector times the term's
BM25 IDF in place of its bm25 part: a query's score is the sum of its terms' scores, as BM25's is.
(Ranking a whole tsquery at once, as before, read every matching row's tsvector from the table for
every query, weighed a common word as much as a rare one, and its AND rank weighs how close the words
are, which the SQLite ranking does not.)

Why not precompute every broad term: a 500,000-study corpus has 4,897 terms in 2,000+ studies, with
128 million postings between them: 1.5 GB and about four minutes of FTS5 scoring per registry version.
The terms people ask for are far fewer.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from ketnav.trials.search.columns import StudyColumns, db_key
from ketnav.trials.search.documents import FIELDS
from ketnav.trials.search.index import FTS_TABLE, PG_TABLE, nct_number_sql
from ketnav.trials.search.query import Term, fts5_term, parse_query, tsquery_term

WEIGHTS = ", ".join(str(w) for _n, w, _c in FIELDS)
# ts_rank weight classes {D, C, B, A}, matching the SQLite field weights' proportions.
PG_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"
ORIGINAL_BOOST = 2.0

# A term's hits are kept when it matched at least this many studies: below it, asking again costs
# a few milliseconds (about 2 microseconds a matching row).
BROAD_MIN_ROWS = 2_000
CACHE_BYTES = 512 * 2**20  # 8 bytes a matching study: "cancer" at 273,000 studies takes 2 MB

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TermHits:
    """The studies one term (a word, phrase or prefix) matches, as column positions in ascending order,
    with that term's part of the bm25 score in each."""

    rows: npt.NDArray[np.int32]
    scores: npt.NDArray[np.float32]  # float32 halves the memory; rankings agree to 1e-7 relative

    @property
    def nbytes(self) -> int:
        return int(self.rows.nbytes + self.scores.nbytes)


EMPTY = TermHits(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))


def fts_hits(cursor: Any, cols: StudyColumns, match: str, *, scored: bool = True) -> TermHits:
    """Ask the text index for one term's matches (``match`` from term_query)."""
    if connection.vendor == "postgresql":
        rank = f"ts_rank({PG_WEIGHTS}, d.document, to_tsquery('english', %s), 1)" if scored else "0.0"
        params = [match, match] if scored else [match]
        cursor.execute(
            f"SELECT {nct_number_sql('d.nct_id', 'postgresql')}, {rank} FROM {PG_TABLE} d "
            "WHERE d.document @@ to_tsquery('english', %s) ORDER BY 1",
            params,
        )
    else:
        score = f"-bm25({FTS_TABLE}, {WEIGHTS})" if scored else "0.0"
        cursor.execute(f"SELECT rowid, {score} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
    found = cursor.fetchall()
    if not found or not len(cols):
        return EMPTY
    table = np.array(found, dtype=np.float64)
    pos, known = cols.locate(table[:, 0].astype(np.int64))  # studies written since are left out
    scores = table[known, 1]
    if connection.vendor == "postgresql":
        scores = scores * idf(int(known.sum()), len(cols))
    return TermHits(pos[known].astype(np.int32), scores.astype(np.float32))


def idf(matches: int, studies: int) -> float:
    """BM25's inverse document frequency, as FTS5 computes it (never below 1e-6). ts_rank has none, so
    on PostgreSQL a common word weighed as much as a rare one; a term's rank is multiplied by it."""
    ratio = (studies - matches + 0.5) / (matches + 0.5)
    return max(math.log(ratio), 1e-6) if ratio > 0 else 1e-6


def term_query(term: Term) -> str:
    """One term in the database's own query syntax (FTS5 MATCH or to_tsquery)."""
    return tsquery_term(term) if connection.vendor == "postgresql" else fts5_term(term)


def combine(groups: list[list[TermHits]], size: int, mode: str) -> tuple[IntArray, FloatArray]:
    """Rows matching every group ("all") or any group ("any"), a group matching when any of its
    alternatives does, with scores summed over every matching alternative of every group, and doubled
    where the original words (each group's first alternative) match on their own, as the SQL does."""
    if not groups:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    score = np.zeros(size, dtype=np.float64)
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


# --- the cache of broad terms -------------------------------------------------------------------------


class TermCache:
    """Broad terms' hits for one registry version, least recently used dropped first beyond a byte
    budget. When the registry changes, the cache starts empty for the new version and remembers which
    terms were in use, so a background warm-up can compute them again."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget = budget
        self.version = -1
        self.entries: OrderedDict[tuple[str, bool], TermHits] = OrderedDict()
        self.nbytes = 0
        self.hot: list[tuple[str, bool]] = []  # in use under the previous version, most recent last
        self.lock = threading.Lock()

    def _for(self, version: int) -> bool:
        """Switch to ``version`` if it is newer; False for an older one (a lagging reader), which the
        cache then neither answers nor stores."""
        if version < self.version:
            return False
        if version > self.version:
            if self.entries:
                self.hot = list(self.entries)
            self.entries.clear()
            self.nbytes = 0
            self.version = version
        return True

    def get(self, version: int, key: tuple[str, bool]) -> TermHits | None:
        with self.lock:
            if not self._for(version):
                return None
            found = self.entries.get(key)
            if found is None and not key[1]:
                found = self.entries.get((key[0], True))  # scored hits answer an unscored question too
            if found is not None:
                self.entries.move_to_end(key if key in self.entries else (key[0], True))
            return found

    def put(self, version: int, key: tuple[str, bool], hits: TermHits) -> None:
        with self.lock:
            if not self._for(version) or key in self.entries or hits.nbytes > self.budget:
                return
            self.entries[key] = hits
            self.nbytes += hits.nbytes
            while self.nbytes > self.budget:
                _key, dropped = self.entries.popitem(last=False)
                self.nbytes -= dropped.nbytes

    def to_warm(self, version: int) -> list[tuple[str, bool]]:
        """Terms in use before the registry changed, not yet computed again, most recent first."""
        with self.lock:
            if not self._for(version):
                return []
            return [k for k in reversed(self.hot) if k not in self.entries]


_lock = threading.Lock()
_caches: dict[str, TermCache] = {}
_warmers: dict[str, threading.Thread] = {}
_background = False


def cache() -> TermCache:
    """This process's cache for the current database."""
    with _lock:
        return _caches.setdefault(db_key(), TermCache())


def enable_background_warming() -> None:
    """Let searches start a background warm-up after the registry changes (the web server does; tests
    and one-shot commands do not, so a search never starts work nobody would wait for)."""
    global _background
    _background = True


def warm(cols: StudyColumns, keys: list[tuple[str, bool]]) -> int:
    """Compute and keep the hits of the given (term, scored) keys; returns how many were computed."""
    store = cache()
    done = 0
    with connection.cursor() as cursor:
        for key in keys:
            if store.get(cols.version, key) is None:
                _fetch(cursor, store, cols, key)
                done += 1
    return done


def _fetch(cursor: Any, store: TermCache, cols: StudyColumns, key: tuple[str, bool]) -> TermHits:
    """Ask the index for a (term, scored) key, keeping the hits when the term is broad."""
    hits = fts_hits(cursor, cols, key[0], scored=key[1])
    if len(hits.rows) >= BROAD_MIN_ROWS:
        store.put(cols.version, key, hits)
    return hits


def common_condition_words(cols: StudyColumns, limit: int = 200) -> list[tuple[str, bool]]:
    """Cache keys for the words of the registry's most studied conditions ("breast", "cancer",
    "diabetes", ...), most studied first: what people search for, known without a query log."""
    counts = np.bincount(cols.condition_codes, minlength=len(cols.conditions))
    keys: dict[tuple[str, bool], None] = {}
    for code in np.argsort(-counts, kind="stable"):
        if counts[code] < BROAD_MIN_ROWS or len(keys) >= limit:
            break
        for word in parse_query(cols.conditions[code]).terms:
            if not word.phrase and not word.prefix:
                keys[(term_query(word), True)] = None
    return list(keys)[:limit]


def _request_warm_up(cols: StudyColumns) -> None:
    if not _background or not cache().to_warm(cols.version):
        return
    key = db_key()
    with _lock:
        running = _warmers.get(key)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=_warm_in_background, name="ketnav-term-cache", daemon=True)
        _warmers[key] = thread
    thread.start()


def _warm_in_background() -> None:
    from ketnav.trials.search.columns import study_columns

    try:
        cols = study_columns()
        warm(cols, cache().to_warm(cols.version))
    except Exception:  # a cold cache only makes the next broad search slower; it fills itself then
        pass
    finally:
        connection.close()


# --- answering a query --------------------------------------------------------------------------------


def term_hits(cursor: Any, cols: StudyColumns, terms: list[Term], *, scored: bool = True) -> list[TermHits]:
    """The hits of each term: kept ones from the cache, the rest from the index (kept when broad)."""
    store = cache()
    out: list[TermHits] = []
    for term in terms:
        key = (term_query(term), scored)
        hits = store.get(cols.version, key)
        out.append(hits if hits is not None else _fetch(cursor, store, cols, key))
    return out


def match(
    cols: StudyColumns, groups: list[list[Term]], mode: str, *, scored: bool = True
) -> tuple[IntArray, FloatArray]:
    """Positions and scores of the studies matching ``groups`` (mode "all" or "any")."""
    flat = [t for g in groups for t in g]
    with connection.cursor() as cursor:
        hits = term_hits(cursor, cols, flat, scored=scored)
    _request_warm_up(cols)
    it = iter(hits)
    return combine([[next(it) for _t in g] for g in groups], len(cols), mode)
