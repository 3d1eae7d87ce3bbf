"""What search keeps in memory between requests: who owns it, when it is rebuilt, how stale it may be.

One ``SearchIndex`` per database in a process owns all of it (``search_index()`` hands out that one;
tests and tools may make their own). It keeps:

=====================  ==========================  ==================================================
kept                   read from                   thread safety
=====================  ==========================  ==================================================
``Snapshot``: columns  trials_study                immutable; a new snapshot replaces the old one in
                                                   one assignment, built by one thread at a time
                                                   (``_build_lock``) while readers keep the one they
                                                   hold, so a search sees one version throughout
site points            trials_site (geo index)     immutable; built once per snapshot, on its first
                                                   geo search, under the snapshot's own lock
term cache             the text index              ``TermCache``: a lock around its LRU dict; the hits
                                                   it holds are immutable
learned synonyms       trials_synonym              immutable table, replaced in one assignment under
                                                   ``_synonym_lock``
pages of results       all of the above            ``VersionedLRU``: a lock around its LRU dict; the
                                                   answers it holds are never changed (``search``
                                                   hands out copies)
studies' snippet text  trials_study.raw            ``VersionedLRU``; the texts it holds are immutable
rendered results       pages of results            ``VersionedLRU``; strings (the trials page's HTML)
                                                   and the API's answers (validated, only ever dumped)
warm-up thread         (not data)                  at most one at a time, started under
                                                   ``_warmer_lock``
=====================  ==========================  ==================================================

What may be stale, for how long, and why
----------------------------------------
Everything is checked against the registry version, a counter a trigger bumps in the same transaction
as every write to trials_study (migration 0003). A search reads it once (one row) and compares.

- **Columns, and the site points and term hits derived from them, lag the registry only while a big
  load or sync is writing.** When the version has moved, the columns are rebuilt before the search runs,
  except that a build which cost more than ``SLOW_BUILD_S`` (0.5 s of CPU: tens of thousands of
  studies) is reused for up to ``STALE_FACTOR`` (10) times that cost after it was built: a build of 4 s
  may serve for 40 s. Why: during a load the version moves with every batch of 500 studies, and
  rebuilding for every search would cost seconds each time. Meanwhile studies written since are not
  found (the text index has them, the columns do not, so they are dropped), changed studies are
  filtered and faceted by their older fields, and removed ones may be counted but are never shown.
  Registries that build in under 0.5 s are always exact. The cost is the building thread's CPU time,
  not the wall clock, so a busy machine does not make a small registry's results lag.
- **Term hits** are column positions, so each snapshot has its own term cache and they are never staler
  than their columns. A new snapshot starts empty; in a server (``start_warming``) the terms that were
  in use are computed again in the background.
- **Learned synonyms are exact.** They are re-read when the version has moved and their fingerprint
  (pairs, summed study counts) changed; the writer changes them only together with studies.
- **Pages of results, studies' snippet texts and rendered results are exact.** Each entry is kept under the registry
  version read before it was computed, and only answers a search that read the same version: the first
  search that reads another version empties the cache. A page is kept only when the columns it was
  computed from are of that version (not a snapshot standing in for it during a load), so it is what
  searching again would answer, and never inside a transaction (its version number may be rolled back
  and reused). Why keep them: the same few searches (a guide's links, the first pages
  people land on) come again and again, and a page's snippets cost more than the search itself
  (re-deriving each record from its compressed raw source).
- **Across processes** (``ketnav search``, gunicorn workers) each process keeps its own copy; all compare
  with the one counter in the database, so none serves an older version than the rules above allow.
- The counter names a committed state (other connections never see uncommitted writes). Only a
  connection that searches inside its own transaction which then rolls back (as tests do) can see a
  number that is later reused for different data.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connections

from ketnav.text.query import Term, parse_query
from ketnav.text.synonyms import MIN_STUDIES, SynonymTable, build_table, expand, expand_fielded
from ketnav.trials.search import kernels
from ketnav.trials.search.backends import Backend, backend_for
from ketnav.trials.search.colstore import ColumnStore
from ketnav.trials.search.geo import Point
from ketnav.trials.search.kernels import FloatArray, IntArray, Nearby, SitePoints, StudyColumns, TermHits

logger = logging.getLogger(__name__)

SLOW_BUILD_S = 0.5  # columns whose build cost more CPU seconds may stand in while a load is writing ...
STALE_FACTOR = 10.0  # ... for at most this many times that cost, in seconds since they were built
# A term's hits are kept when it matched at least this many studies: below it, asking again costs a
# few milliseconds (about 2 microseconds a matching row).
BROAD_MIN_ROWS = 2_000
TERM_CACHE_BYTES = 512 * 2**20  # 8 bytes a matching study: "cancer" at 273,000 studies takes 2 MB
COMMON_CONDITION_WORDS = 300  # keys (words, synonyms, pairs): a broad one costs 0.1-1 s at 500,000 studies

# Pages of results kept per process, in each of three forms (results, the page's HTML, the API's
# answer): a page of 20 hits is a few tens of kB in each, so about 512 x 3 x 30 kB = 45 MB at most.
RESULT_PAGES = 512
# Studies' snippet texts kept (summary sentences, fields' stems): about 40 kB each when the description
# was split too (the criteria's stems are most of it), so 40 MB at most.
SNIPPET_STUDIES = 1_000

# Purely structured queries whose checked studies a snapshot keeps (a few KB each), and the prefix naming
# them in the column store (never a term of the text index's query syntax).
VERIFIED_QUERIES = 256
VERIFIED_PREFIX = "verified\x00"

TermKey = tuple[str, bool]  # (a term in the backend's query syntax, scored)
Queries = Sequence[str] | Callable[[], Sequence[str]]


class TermCache:
    """Broad terms' hits against one snapshot's columns, least recently used dropped first beyond a
    byte budget. Locked: request threads and the warm-up thread read and fill it at the same time.

    Why not precompute every broad term: a 500,000-study corpus has 4,897 terms in 2,000+ studies, with
    128 million postings between them: 1.5 GB and about four minutes of FTS5 scoring per registry
    version. The terms people ask for are far fewer."""

    def __init__(self, budget: int = TERM_CACHE_BYTES, *, hot: Iterable[TermKey] = ()) -> None:
        self.budget = budget
        self.entries: OrderedDict[TermKey, TermHits] = OrderedDict()
        self.nbytes = 0
        self.hot = tuple(hot)  # in use under the previous snapshot, most recent last; never changes
        self.lock = threading.Lock()

    def get(self, key: TermKey) -> TermHits | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None and not key[1]:
                found = self.entries.get((key[0], True))  # scored hits answer an unscored question too
            if found is not None:
                self.entries.move_to_end(key if key in self.entries else (key[0], True))
            return found

    def put(self, key: TermKey, hits: TermHits) -> None:
        with self.lock:
            if key in self.entries or hits.nbytes > self.budget:
                return
            self.entries[key] = hits
            self.nbytes += hits.nbytes
            while self.nbytes > self.budget:
                _key, dropped = self.entries.popitem(last=False)
                self.nbytes -= dropped.nbytes

    def in_use(self) -> list[TermKey]:
        """The keys to hand to the next snapshot's cache: those held, or (none yet) those inherited."""
        with self.lock:
            return list(self.entries) if self.entries else list(self.hot)

    def to_warm(self) -> list[TermKey]:
        """Terms in use under the previous snapshot and not yet computed again, most recent first."""
        with self.lock:
            return [k for k in reversed(self.hot) if k not in self.entries]


class VersionedLRU:
    """Values computed for one registry version, least recently used dropped beyond ``size`` entries.
    A lookup with another version empties it first: its entries can never answer for that version.
    Locked: request threads read and fill it at the same time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.version: int | None = None
        self.entries: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def _at(self, version: int) -> None:
        if self.version != version:
            self.entries.clear()
            self.version = version

    def get(self, version: int, key: Any) -> Any:
        """The value kept for ``key`` under ``version``, or None."""
        with self.lock:
            self._at(version)
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, version: int, key: Any, value: Any) -> None:
        with self.lock:
            self._at(version)
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.version = None


class Snapshot:
    """The columns of one registry version and what is derived from them. Searches take one snapshot
    and use it throughout, so positions, term hits and site points always belong together."""

    def __init__(self, columns: StudyColumns, *, build_cpu_s: float, terms: TermCache) -> None:
        self.columns = columns
        self.build_cpu_s = build_cpu_s
        self.built_at = time.monotonic()
        self.terms = terms
        self.epoch = ""  # the registry epoch when these columns came from or went to the column store
        # Structured queries' checked studies (SearchIndex.verified_rows), by the query's concepts.
        self.verified: OrderedDict[str, IntArray] = OrderedDict()
        self._points: SitePoints | None = None
        self._points_lock = threading.Lock()

    @property
    def version(self) -> int:
        return self.columns.version

    def site_points(self, build: Callable[[StudyColumns], SitePoints]) -> SitePoints:
        """This snapshot's site points, built by the first caller while any others wait for it."""
        with self._points_lock:
            if self._points is None:
                self._points = build(self.columns)
            return self._points

    def may_stand_in(self, *, slow_build_s: float, stale_factor: float) -> bool:
        """Whether these columns may still answer for a newer version (see the module docstring)."""
        age = time.monotonic() - self.built_at
        return self.build_cpu_s > slow_build_s and age < stale_factor * self.build_cpu_s


@dataclass
class WarmUp:
    """What ``SearchIndex.warm_up`` did: seconds per step, terms computed, and the step that failed."""

    seconds: dict[str, float] = field(default_factory=dict)
    terms: int = 0
    failed: str = ""

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        except Exception:
            self.failed = name
            raise
        self.seconds[name] = time.perf_counter() - started


class SearchIndex:
    """Everything search keeps in memory for one database (see the module docstring), and its warming."""

    def __init__(
        self,
        *,
        using: str = DEFAULT_DB_ALIAS,
        backend: Backend | None = None,
        broad_min_rows: int = BROAD_MIN_ROWS,
        term_cache_bytes: int = TERM_CACHE_BYTES,
        slow_build_s: float = SLOW_BUILD_S,
        stale_factor: float = STALE_FACTOR,
        result_pages: int = RESULT_PAGES,
        snippet_studies: int = SNIPPET_STUDIES,
        column_store: ColumnStore | None = None,
    ) -> None:
        self.using = using
        # Columns on disk shared by every process (colstore.py); None: build in memory only (tests).
        self.column_store = column_store
        self.backend = backend or backend_for(connections[using].vendor)
        self.broad_min_rows = broad_min_rows
        self.term_cache_bytes = term_cache_bytes
        self.slow_build_s = slow_build_s
        self.stale_factor = stale_factor
        # Set once by a long-running server before it serves; read by request threads.
        self.background_warming = False
        self._snapshot: Snapshot | None = None  # replaced whole, under _build_lock
        self._build_lock = threading.Lock()
        self._synonyms: tuple[int, tuple[int, int], SynonymTable] | None = None  # version, fingerprint, table
        self._synonym_lock = threading.Lock()
        self._warmer: threading.Thread | None = None
        self._warmer_lock = threading.Lock()
        # Whole pages of results, by (SearchRequest with page and size as served), and studies' snippet
        # texts, by NCT id; both for one registry version at a time (see the module docstring).
        self.pages = VersionedLRU(result_pages)
        self.snippet_texts = VersionedLRU(snippet_studies)
        # The trials page's rendered results, by query string (trials/views.py), and the API's validated
        # answers, by SearchRequest (trials/api.py): the same pages, as HTML and as the API's schema.
        self.rendered = VersionedLRU(result_pages)
        self.serialized = VersionedLRU(result_pages)

    def cursor(self) -> Any:
        """A cursor on this thread's own connection to the database (Django keeps one per thread)."""
        return connections[self.using].cursor()

    def registry_version(self) -> int:
        with self.cursor() as cursor:
            return self.backend.registry_version(cursor)

    def may_keep(self) -> bool:
        """Whether what a search computes now may be kept under the version it read (pages, snippet
        texts): never inside a transaction, whose writes, and the version number they bumped, may still
        roll back and the number be reused for other data (as tests' transactions do)."""
        return not connections[self.using].in_atomic_block

    # --- the snapshot ----------------------------------------------------------------------------

    def snapshot(self, version: int | None = None) -> Snapshot:
        """The snapshot for the registry ``version`` (read now when not given): the current one when it
        is of that version or may stand in for it, else a new one, built now."""
        version = self.registry_version() if version is None else version
        current = self._snapshot
        if current is not None and current.version == version:
            return current
        with self._build_lock:
            current = self._snapshot
            if current is not None and (
                current.version == version
                or current.may_stand_in(slow_build_s=self.slow_build_s, stale_factor=self.stale_factor)
            ):
                return current
            hot = current.terms.in_use() if current is not None else []
            terms = TermCache(self.term_cache_bytes, hot=hot)
            epoch = self._store_epoch(version)
            stored = self.column_store.load(epoch, version) if self.column_store and epoch else None
            if stored is not None:
                columns, build_cpu_s = stored
                fresh = Snapshot(columns, build_cpu_s=build_cpu_s, terms=terms)
            else:
                started = time.thread_time()
                with self.cursor() as cursor:
                    columns = kernels.build_columns(self.backend.column_rows(cursor), version)
                fresh = Snapshot(columns, build_cpu_s=time.thread_time() - started, terms=terms)
                store = self.column_store
                if store and epoch and store.save(epoch, columns, build_cpu_s=fresh.build_cpu_s):
                    mapped = store.load(epoch, version)  # the mapped copy, as for terms and points
                    if mapped is not None:
                        fresh = Snapshot(mapped[0], build_cpu_s=fresh.build_cpu_s, terms=terms)
            fresh.epoch = epoch
            self._snapshot = fresh
            return fresh

    def _store_epoch(self, version: int) -> str:
        """The registry's epoch when columns of ``version`` may be read from or written to the store:
        never for an unset version, nor inside a transaction (its writes, and the version number they
        bumped, may still roll back and the number be reused for other data)."""
        if self.column_store is None or version < 0 or not self.may_keep():
            return ""
        with self.cursor() as cursor:
            return self.backend.registry_epoch(cursor)

    def site_points(self, snap: Snapshot) -> SitePoints:
        return snap.site_points(lambda columns: self._build_site_points(columns, snap.epoch))

    def _build_site_points(self, columns: StudyColumns, epoch: str = "") -> SitePoints:
        if epoch and self.column_store and (stored := self.column_store.load_points(epoch, columns.version)):
            return stored
        started = time.perf_counter()
        with self.cursor() as cursor:
            points = kernels.build_site_points(self.backend.site_point_rows(cursor), columns)
        points = dataclasses.replace(points, seconds=time.perf_counter() - started)
        if epoch and self.column_store:
            self.column_store.save_points(epoch, points)
            # the mapped copy, as for terms (see _fetch): page cache shared by every process, not ours
            return self.column_store.load_points(epoch, columns.version) or points
        return points

    def nearby(self, snap: Snapshot, centre: Point, radius_km: float) -> Nearby:
        """Every study with a site within the radius (see kernels: distances per distinct point)."""
        return kernels.nearby(self.site_points(snap), snap.columns, centre, radius_km)

    # --- synonyms ----------------------------------------------------------------------------------

    def synonyms(self, version: int | None = None) -> SynonymTable:
        """The curated synonyms and those learned from the registry (pairs seen in two or more studies)."""
        version = self.registry_version() if version is None else version
        held = self._synonyms
        if held is not None and held[0] == version:
            return held[2]
        with self._synonym_lock:
            held = self._synonyms
            if held is not None and held[0] == version:
                return held[2]
            with self.cursor() as cursor:
                fingerprint = self.backend.synonym_fingerprint(cursor)
                if held is not None and held[1] == fingerprint:
                    table = held[2]
                else:
                    table = build_table(self.backend.learned_synonyms(cursor, min_studies=MIN_STUDIES))
            self._synonyms = (version, fingerprint, table)
            return table

    # --- terms -------------------------------------------------------------------------------------

    def term_key(self, term: Term, *, scored: bool = True) -> TermKey:
        return (self.backend.term_query(term), scored)

    def term_hits(self, snap: Snapshot, terms: Sequence[Term], *, scored: bool = True) -> list[TermHits]:
        """The hits of each term: kept ones from the snapshot's cache, the rest from the text index."""
        return self.key_hits(snap, [self.term_key(term, scored=scored) for term in terms])

    def key_hits(self, snap: Snapshot, keys: Sequence[TermKey]) -> list[TermHits]:
        out: list[TermHits] = []
        with self.cursor() as cursor:
            for key in keys:
                hits = snap.terms.get(key)
                out.append(hits if hits is not None else self._fetch(cursor, snap, key))
        return out

    def concept_hits(self, snap: Snapshot, groups: list[list[Term]], *, scored: bool = True) -> list[list[TermHits]]:
        """The hits of every alternative of every concept (group), grouped as ``groups``."""
        hits = iter(self.term_hits(snap, [t for g in groups for t in g], scored=scored))
        if self.background_warming and snap.terms.hot:
            self._start_warming_terms(snap)
        return [[next(hits) for _t in g] for g in groups]

    def prominent_hits(self, snap: Snapshot, groups: list[list[Term]]) -> TermHits:
        """The studies whose title, conditions, interventions or MeSH terms carry every concept: one
        query, kept whatever its size (what it costs is the index's time, not the rows'), so the next
        search for the same words costs nothing."""
        key = (self.backend.prominent_query(groups), False)
        hits = snap.terms.get(key) or self._stored_hits(snap, key)
        if hits is None:
            with self.cursor() as cursor:
                rows = self.backend.term_rows(cursor, key[0], scored=False)
            hits = kernels.term_hits(rows, snap.columns, times_idf=False)
            if self._store_hits(snap, key, hits):
                hits = self._stored_hits(snap, key) or hits  # the mapped copy (see _fetch)
        snap.terms.put(key, hits)
        return hits

    def _fetch(self, cursor: Any, snap: Snapshot, key: TermKey) -> TermHits:
        """Ask the text index for a (term, scored) key, keeping the hits when the term is broad (in this
        process, and in the column store for other processes: broad terms are the slow ones to read)."""
        stored = self._stored_hits(snap, key)
        if stored is not None:
            hits = stored
        else:
            rows = self.backend.term_rows(cursor, key[0], scored=key[1])
            hits = kernels.term_hits(rows, snap.columns, times_idf=not self.backend.rank_has_idf)
            if self._store_hits(snap, key, hits):
                # Keep the mapped copy instead: its pages are the page cache's, shared by every process
                # and dropped under memory pressure, where the computed arrays were this process's own
                # (a warm-up holding 300 broad terms at 500,000 studies peaked at 420 MB).
                hits = self._stored_hits(snap, key) or hits
        if len(hits.rows) >= self.broad_min_rows:
            snap.terms.put(key, hits)
        return hits

    def _stored_hits(self, snap: Snapshot, key: TermKey) -> TermHits | None:
        if not (snap.epoch and self.column_store):
            return None
        return self.column_store.load_terms(snap.epoch, snap.version, _store_key(key))

    def _store_hits(self, snap: Snapshot, key: TermKey, hits: TermHits) -> bool:
        """Keep a broad term's hits in the column store for other processes (narrow ones are quick to read);
        whether they were handed to the store."""
        if len(hits.rows) >= self.broad_min_rows and snap.epoch and self.column_store:
            self.column_store.save_terms(snap.epoch, snap.version, _store_key(key), hits)
            return True
        return False

    def verified_rows(self, snap: Snapshot, key: str) -> IntArray | None:
        """The studies (column positions) whose records were found to carry a purely structured query's
        concepts in their fields (``key``: the concepts as query text), kept by ``keep_verified`` in this
        process or in the column store by another; None when not computed yet for this version."""
        found = snap.verified.get(key)
        if found is None and snap.epoch and self.column_store:
            stored = self.column_store.load_terms(snap.epoch, snap.version, VERIFIED_PREFIX + key)
            if stored is not None:
                rows: IntArray = stored.rows.astype(np.int64)
                self._remember_verified(snap, key, rows)
                return rows
        return found

    def keep_verified(self, snap: Snapshot, key: str, rows: IntArray) -> None:
        """Keep a structured query's checked studies for this registry version: checking each candidate's
        record costs up to seconds at 500,000 studies (the guide's live counts, on every new process).
        Only for the current version's own columns outside a transaction, as the page caches."""
        if snap.version != self.registry_version() or not self.may_keep():
            return
        self._remember_verified(snap, key, rows)
        if snap.epoch and self.column_store:
            hits = TermHits(rows.astype(np.int32), np.zeros(len(rows), dtype=np.float32))
            self.column_store.save_terms(snap.epoch, snap.version, VERIFIED_PREFIX + key, hits)

    @staticmethod
    def _remember_verified(snap: Snapshot, key: str, rows: IntArray) -> None:
        snap.verified[key] = rows
        while len(snap.verified) > VERIFIED_QUERIES:
            snap.verified.popitem(last=False)

    def match(
        self, snap: Snapshot, groups: list[list[Term]], mode: str, *, scored: bool = True
    ) -> tuple[IntArray, FloatArray]:
        """Positions and scores of the studies matching ``groups`` (mode "all" or "any")."""
        hits = iter(self.term_hits(snap, [t for g in groups for t in g], scored=scored))
        if self.background_warming and snap.terms.hot:
            self._start_warming_terms(snap)
        return kernels.combine([[next(hits) for _t in g] for g in groups], len(snap.columns), mode)

    def warm_terms(self, snap: Snapshot, keys: Iterable[TermKey]) -> int:
        """Compute and keep the hits of the given keys not yet held; returns how many were computed."""
        done = 0
        with self.cursor() as cursor:
            for key in keys:
                if snap.terms.get(key) is None:
                    self._fetch(cursor, snap, key)
                    done += 1
        return done

    def common_condition_keys(self, snap: Snapshot, limit: int = COMMON_CONDITION_WORDS) -> list[TermKey]:
        """Keys for the registry's most studied conditions searched as a person would type them ("breast
        cancer": its words with their synonyms, the words as the adjacent phrase the engine scores, and
        the query for studies carrying them prominently), most studied first: what people search for,
        known without a query log."""
        keys: dict[TermKey, None] = {}
        synonyms = self.synonyms(snap.version)
        for condition in kernels.most_studied_conditions(snap.columns, min_studies=self.broad_min_rows):
            if len(keys) >= limit:
                break
            keys.update(dict.fromkeys(self.query_keys(condition, synonyms)))
        return list(keys)[:limit]

    def query_keys(self, text: str, synonyms: SynonymTable) -> list[TermKey]:
        """The keys a relevance search for ``text`` asks for (its words, synonyms and MeSH widening)."""
        parsed = parse_query(text)
        groups = expand(parsed.terms, synonyms) + expand_fielded(parsed.fielded, synonyms)
        keys = [self.term_key(t) for group in groups for t in group]
        keys += [self.term_key(pair) for pair in parsed.pairs]  # adjacent words (engine.PAIR_WEIGHT)
        if len(groups) > 1:  # the query for the studies carrying every concept prominently (ranking)
            keys.append((self.backend.prominent_query(groups), False))
        return keys

    # --- warming -----------------------------------------------------------------------------------

    def warm_up(
        self,
        *,
        queries: Queries = (),
        restore_indexes: Callable[[], None] | None = None,
        searches: Callable[[str], object] | None = None,
    ) -> WarmUp:
        """Build now what the first searches would otherwise wait for: the site indexes a killed first
        load may have left missing (``restore_indexes``: the server passes ``trials.ingest.ensure_indexes``,
        so search never imports the loader that writes through it), the columns, the learned synonyms,
        the site points, and the term hits of the most studied conditions' words and of ``queries``
        (texts, or a function returning them: the guide's live counts); then, with ``searches`` (the
        engine's ``warm_search``), each of ``queries`` searched, which keeps what a structured query's
        check of every candidate record found. A failure is logged and ends the warm-up: searches then
        build what they need themselves."""
        report = WarmUp()
        try:
            # never DDL inside a caller's transaction
            if restore_indexes is not None and not connections[self.using].in_atomic_block:
                with report.step("site indexes"):
                    restore_indexes()
            with report.step("columns"):
                snap = self.snapshot()
            with report.step("synonyms"):
                synonyms = self.synonyms()
            with report.step("site points"):
                self.site_points(snap)
            with report.step("terms"):
                keys = self.common_condition_keys(snap)
                texts = queries() if callable(queries) else queries
                keys += [key for text in texts for key in self.query_keys(text, synonyms)]
                report.terms = self.warm_terms(snap, dict.fromkeys(keys))
            if searches is not None:
                with report.step("queries"):
                    for text in texts:
                        searches(text)
        except Exception:  # logged with its traceback; searches still build what they need
            logger.exception("search warm-up failed at %s; the first searches will be slower", report.failed)
            return report
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items())
        logger.info("search warm-up: %s; %d terms cached", steps, report.terms)
        return report

    def start_warming(
        self,
        *,
        queries: Queries = (),
        restore_indexes: Callable[[], None] | None = None,
        searches: Callable[[str], object] | None = None,
    ) -> threading.Thread:
        """For a long-running server: warm up in a background thread now (``warm_up``), and after every
        registry change compute again, in the background, the term hits that were in use."""
        self.background_warming = True
        return self._start_thread(
            lambda: self.warm_up(queries=queries, restore_indexes=restore_indexes, searches=searches),
            "ketnav-search-warm-up",
        )

    def wait_for_warming(self, timeout_s: float | None = None) -> bool:
        """Wait for a warming thread, if one is running; False if it is still running after the timeout."""
        with self._warmer_lock:
            thread = self._warmer
        if thread is not None:
            thread.join(timeout_s)
            return not thread.is_alive()
        return True

    def _start_warming_terms(self, snap: Snapshot) -> None:
        if snap.terms.to_warm():
            self._start_thread(self._warm_changed_terms, "ketnav-term-cache")

    def _warm_changed_terms(self) -> None:
        try:
            snap = self.snapshot()
            self.warm_terms(snap, snap.terms.to_warm())
        except Exception:  # logged; a cold cache only makes the next broad searches slower
            logger.exception("re-computing the search terms in use after a registry change failed")

    def _start_thread(self, target: Callable[[], object], name: str) -> threading.Thread:
        """Run ``target`` in a daemon thread, unless a warming thread is still running (that one is
        returned); the thread closes its own database connection when done."""

        def run() -> None:
            try:
                target()
            finally:
                connections[self.using].close()

        with self._warmer_lock:
            if self._warmer is not None and self._warmer.is_alive():
                return self._warmer
            self._warmer = threading.Thread(target=run, name=name, daemon=True)
            self._warmer.start()
            return self._warmer


# --- one index per database in this process ------------------------------------------------------------

_indexes: dict[str, SearchIndex] = {}  # by database (alias and name); guarded by _indexes_lock
_indexes_lock = threading.Lock()


def search_index(using: str = DEFAULT_DB_ALIAS) -> SearchIndex:
    """This process's search index for a database. Keyed by name too, so tests and tools that switch
    the database behind an alias never see another database's caches."""
    key = f"{using}:{connections[using].settings_dict['NAME']}"
    with _indexes_lock:
        found = _indexes.get(key)
        if found is None:
            found = _indexes[key] = SearchIndex(using=using, column_store=_configured_store())
        return found


def _store_key(key: TermKey) -> str:
    """A term key as the column store names it (the query text in the backend's syntax, and whether
    scored); the store's directory already names the database and its version."""
    return f"{key[0]}\x00{int(key[1])}"


def _configured_store() -> ColumnStore | None:
    """The column store of settings.KETNAV_COLUMN_STORE (a directory; None or unset: keep columns only
    in memory, as the test suite does: its transactions roll back and reuse version numbers)."""
    from django.conf import settings

    directory = getattr(settings, "KETNAV_COLUMN_STORE", None)
    return ColumnStore(Path(directory)) if directory else None
