"""Writing prepared studies to the database: batched, transactional, idempotent.

Each batch is one transaction, so an interrupted load (even ``kill -9``) leaves only whole batches
behind, and running the same load again finishes the job: a record already stored in the same version
counts as unchanged. A stored study is never replaced by an older version (by last-update date); two
copies of the same version are settled by completeness, then by format (API v2 over legacy XML), then
by content hash, so loading the same files twice, in any order, ends in the same state.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from ketnav.trials.models import Site
from ketnav.trials.prepare import NORMALIZER_VERSION, SITE_COLUMNS, STUDY_COLUMNS, Prepared, Rejected
from ketnav.trials.search.backends import backend_for
from ketnav.trials.search.backends.postgresql import PG_TABLE, pg_words
from ketnav.trials.search.backends.postgresql import _document_sql as pg_document_sql
from ketnav.trials.search.documents import FIELD_NAMES, FIELDS
from ketnav.trials.search.index import PlaceTotal, SearchIndexWriter, place_totals, update_gazetteer, update_synonyms
from ketnav.trials.search.tsvector import PROBE
from ketnav.trials.search.tsvector import document as python_document
from ketnav.trials.sources import SourceProblem

BATCH_SIZE = 500  # 2,000 was slower (1,888 vs 2,096 studies/s at 20,000): longer stalls per commit
MAX_MESSAGES = 10_000
SITES_PER_STATEMENT = 50
_FORMAT_RANK = {"v2": 2, "xml": 1}


@dataclass
class LoadSummary:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0  # nothing written: the same version, or not newer than the one stored
    older: int = 0  # of the unchanged, those older than the stored version (never written over it)
    rejected: int = 0
    warnings: int = 0
    problems: list[str] = field(default_factory=list)  # rejections, "location: message"
    notes: list[str] = field(default_factory=list)  # warnings and duplicates, "location: message"
    rejection_reasons: Counter[str] = field(default_factory=Counter)
    # Per source file: records read (main process) and records rejected (wherever), to tell a file
    # from which nothing could be stored.
    read_by_file: Counter[str] = field(default_factory=Counter)
    rejected_by_file: Counter[str] = field(default_factory=Counter)

    @property
    def seen(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected

    def reject(self, location: str, message: str, file: str = "") -> None:
        self.rejected += 1
        if file:
            self.rejected_by_file[file] += 1
        self.rejection_reasons[_reason_kind(message)] += 1
        if len(self.problems) < MAX_MESSAGES:
            self.problems.append(f"{location}: {message}")

    def note(self, location: str, message: str) -> None:
        self.warnings += 1
        if len(self.notes) < MAX_MESSAGES:
            self.notes.append(f"{location}: {message}")

    def add(self, other: LoadSummary) -> None:
        """Add a batch's summary (from a writing worker) to this one, keeping the message caps."""
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.older += other.older
        self.rejected += other.rejected
        self.warnings += other.warnings
        self.rejection_reasons.update(other.rejection_reasons)
        self.read_by_file.update(other.read_by_file)
        self.rejected_by_file.update(other.rejected_by_file)
        self.problems.extend(other.problems[: max(0, MAX_MESSAGES - len(self.problems))])
        self.notes.extend(other.notes[: max(0, MAX_MESSAGES - len(self.notes))])

    def wholly_rejected(self) -> list[str]:
        """Files from which no record could be stored (every one rejected, or the file unreadable)."""
        return [f for f, n in self.read_by_file.items() if n and self.rejected_by_file[f] >= n]

    def as_dict(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
            "older": self.older, "rejected": self.rejected, "warnings": self.warnings,
            "rejected_files": self.wholly_rejected(),
            "rejection_reasons": dict(self.rejection_reasons.most_common()),
            "problems": self.problems, "notes": self.notes,
        }  # fmt: skip


def _reason_kind(message: str) -> str:
    """Group messages by their wording before the specifics, for the summary's reason counts."""
    return message.split(" (")[0].split("'")[0].strip().rstrip(":")


@dataclass(frozen=True)
class _Stored:
    last_update: str | None
    sha256: str
    completeness: int
    source_format: str
    normalizer_version: int
    run_id: int | None


def decide(new: Prepared, old: _Stored | None) -> str:
    """insert | update | unchanged | stale, by last-update date, then content, then completeness."""
    if old is None:
        return "insert"
    new_date, old_date = new.last_update or "", old.last_update or ""
    if new_date > old_date:
        return "update"
    if new_date < old_date:
        return "stale"
    if new.sha256 == old.sha256:
        return "update" if old.normalizer_version < NORMALIZER_VERSION else "unchanged"
    # Last, the content hash: an arbitrary but fixed choice between two equally good copies, so the
    # stored one does not depend on which was written first (load workers write in either order).
    new_rank = (new.completeness, _FORMAT_RANK.get(new.source_format, 0), new.sha256)
    old_rank = (old.completeness, _FORMAT_RANK.get(old.source_format, 0), old.sha256)
    return "update" if new_rank > old_rank else "unchanged"


# PostgreSQL: a batch's studies and place totals are copied (COPY) into session-local staging tables
# and merged with one INSERT ... SELECT ... ON CONFLICT each. psycopg's executemany ran one statement per
# row: at 2,000 studies, 1.16 s for the studies (the registry-version trigger, FOR EACH STATEMENT, fired
# once a row) and 1.96 s for the gazetteer's few thousand place upserts a batch.
_STAGE_STUDY = "ketnav_stage_study"
_STAGE_PLACE = "ketnav_stage_place"
_PLACE_COLUMNS = ("key", "city", "state", "country", "latitude_sum", "longitude_sum", "sites")

# A text-index document computed ahead of writing (``StudyWriter.documents``): PostgreSQL's tsvector
# in its text form, by the id() of the Prepared it belongs to.
Documents = dict[int, str]
_WEIGHTS = tuple(weight for _name, _weight, weight in FIELDS)  # each field's tsvector weight class


WRITER_CACHE_KIB = 65536  # SQLite page cache of a connection that writes studies


class StudyWriter:
    """Writes batches with plain SQL (COPY on PostgreSQL, executemany on SQLite): the ORM's per-object
    cost is too high for bulk loads."""

    def __init__(self, run_id: int | None = None) -> None:
        self.run_id = run_id
        self.vendor = connection.vendor
        self.index = SearchIndexWriter(self.vendor)
        if self.vendor == "sqlite":
            # A writer's page cache: 64 MB, so index updates during bulk loads stop re-reading pages.
            # Connections that only read keep the smaller default (config: the operating system caches the
            # file for them, and a server keeps one connection per thread).
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        q = connection.ops.quote_name
        cols = [*STUDY_COLUMNS, "loaded_at", "load_run_id"]
        placeholders = ", ".join(["%s"] * len(cols))
        updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in cols if c != "nct_id")
        self.upsert_sql = (
            f"INSERT INTO trials_study ({', '.join(q(c) for c in cols)}) VALUES ({placeholders}) "
            f"ON CONFLICT (nct_id) DO UPDATE SET {updates}"
        )
        self.site_sql = (
            f"INSERT INTO trials_site ({', '.join(q(c) for c in SITE_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(SITE_COLUMNS))})"
        )
        one_site = f"({', '.join(['%s'] * len(SITE_COLUMNS))})"
        self.sites_sql = self.site_sql.replace(one_site, ", ".join([one_site] * SITES_PER_STATEMENT))
        self.study_columns = ", ".join(q(c) for c in cols)
        self.merge_sql = (
            f"INSERT INTO trials_study ({self.study_columns}) SELECT {self.study_columns} FROM {_STAGE_STUDY} "
            f"ON CONFLICT (nct_id) DO UPDATE SET {updates}"
        )
        arrays = ", ".join(["%s::text[]"] * (len(FIELD_NAMES) + 1))
        fields = ", ".join(f"f{i}" for i in range(len(FIELD_NAMES)))
        self.documents_sql = (
            f"SELECT ({pg_document_sql()})::text FROM unnest({arrays}) WITH ORDINALITY AS t(nct, {fields}, n) "
            "ORDER BY n"
        )
        self.probe_sql = (
            f"SELECT bool_and(doc::tsvector = ({pg_document_sql()})) "
            f"FROM unnest(%s::text[], {arrays}) AS t(doc, nct, {fields})"
        )
        self._python_documents: bool | None = None  # whether the server agrees with tsvector.document
        self.stored_documents_sql = (
            f"INSERT INTO {PG_TABLE} (nct_id, document) SELECT nct, doc::tsvector "
            "FROM unnest(%s::text[], %s::text[]) AS t(nct, doc) "
            "ON CONFLICT (nct_id) DO UPDATE SET document = excluded.document"
        )

    def documents(self, batch: Sequence[Prepared]) -> Documents | None:
        """The batch's text-index documents, computed now, before the caller takes the load's write lock:
        PostgreSQL's to_tsvector was most of the cost of writing a study (1.7 ms of its 4 at 2,000
        studies), so the load workers build them in Python (search.tsvector, equal to the server's),
        leaving to their database sessions only those with text the server may read otherwise (0.3%
        of the shared records), side by side while the lock serializes only the writes. None on
        SQLite, whose FTS5 index tokenizes as it writes."""
        if self.vendor != "postgresql" or not batch:
            return None
        with connection.cursor() as cursor:
            stored = self._existing(cursor, [item.nct_id for item in batch])
        # Only for the studies this batch will write as things stand: a load run again (or resumed after
        # kill -9) finds most of its studies unchanged. Should another writer change one meanwhile, the
        # write computes what is missing itself.
        batch = [item for item in batch if decide(item, stored.get(item.nct_id)) in {"insert", "update"}]
        if not batch:
            return {}
        out: Documents = {}
        if self.python_documents():
            # Built here (tsvector.document), equal to the server's; the server computes only those
            # it leaves to it (letters outside ASCII), as it did every one before: 1.6 ms a study.
            rest = []
            for item in batch:
                text = python_document([pg_words(field) for field in item.search_fields], _WEIGHTS)
                if text is None:
                    rest.append(item)
                else:
                    out[id(item)] = text
            batch = rest
        if batch:
            columns = [[item.nct_id for item in batch]]
            columns += [[pg_words(item.search_fields[i]) for item in batch] for i in range(len(FIELD_NAMES))]
            with connection.cursor() as cursor:
                cursor.execute(self.documents_sql, columns)
                texts = [row[0] for row in cursor.fetchall()]
            out.update((id(item), text) for item, text in zip(batch, texts, strict=True))
        return out

    def python_documents(self) -> bool:
        """Whether this server's to_tsvector('english', ...) gives what tsvector.document builds, on its
        probe (asked once per writer): another stop list or Snowball release, and the server builds all."""
        if self._python_documents is None:
            words = [pg_words(field) for field in PROBE]
            text = python_document(words, _WEIGHTS)
            with connection.cursor() as cursor:
                cursor.execute(self.probe_sql, [[text], ["probe"], *[[w] for w in words]])
                self._python_documents = text is not None and bool(cursor.fetchone()[0])
        return self._python_documents

    def _stage(self, cursor: Any) -> None:
        """This session's staging tables (temporary: gone with the session, even after kill -9), empty."""
        # The columns and types only: no keys, constraints or identity (trials_place.id) to fill in.
        for stage, table, columns in (
            (_STAGE_STUDY, "trials_study", self.study_columns),
            (_STAGE_PLACE, "trials_place", ", ".join(_PLACE_COLUMNS)),
        ):
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
        cursor.execute(f"TRUNCATE {_STAGE_STUDY}, {_STAGE_PLACE}")

    def _upsert_studies(self, cursor: Any, rows: list[Any]) -> None:
        if self.vendor != "postgresql":
            cursor.executemany(self.upsert_sql, rows)
            return
        with cursor.cursor.copy(f"COPY {_STAGE_STUDY} ({self.study_columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(self.merge_sql)

    def _update_gazetteer(self, cursor: Any, places: Sequence[PlaceTotal]) -> None:
        if self.vendor != "postgresql" or not places:
            update_gazetteer(cursor, places)
            return
        columns = ", ".join(_PLACE_COLUMNS)
        with cursor.cursor.copy(f"COPY {_STAGE_PLACE} ({columns}) FROM STDIN") as copy:
            for place in places:
                copy.write_row(place)
        # In key order, so concurrent writers lock the rows in the same order (as update_gazetteer does).
        cursor.execute(
            f"INSERT INTO trials_place ({columns}) SELECT {columns} FROM {_STAGE_PLACE} ORDER BY key "
            "ON CONFLICT (key) DO UPDATE SET "
            "latitude_sum = trials_place.latitude_sum + excluded.latitude_sum, "
            "longitude_sum = trials_place.longitude_sum + excluded.longitude_sum, "
            "sites = trials_place.sites + excluded.sites"
        )

    def _index(self, cursor: Any, written: list[Prepared], documents: Documents | None) -> None:
        ready = documents or {}
        missing = [item for item in written if id(item) not in ready]
        if missing:
            self.index.write(cursor, [(item.nct_id, item.search_fields) for item in missing])
        done = [item for item in written if id(item) in ready]
        if done:
            cursor.execute(self.stored_documents_sql, [[i.nct_id for i in done], [ready[id(i)] for i in done]])

    def _insert_sites(self, cursor: Any, rows: list[Any]) -> None:
        if self.vendor == "postgresql":
            # COPY: psycopg's executemany cost 80 microseconds a row here, COPY a few.
            columns = ", ".join(SITE_COLUMNS)
            with cursor.cursor.copy(f"COPY trials_site ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Fifty rows a statement: 1.9 instead of 2.8 microseconds a row (the writer's lock is held),
            # as SQLite steps once per statement and Python binds in one call. 500 parameters stays
            # under the 999-parameter limit of older SQLite builds.
            size = SITES_PER_STATEMENT
            full = len(rows) - len(rows) % size
            if full:
                chain = itertools.chain.from_iterable
                cursor.executemany(self.sites_sql, [tuple(chain(rows[i : i + size])) for i in range(0, full, size)])
            if full < len(rows):
                cursor.executemany(self.site_sql, rows[full:])

    def _existing(self, cursor: Any, ids: list[str]) -> dict[str, _Stored]:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            "SELECT nct_id, last_update, raw_sha256, completeness, source_format, normalizer_version, load_run_id "
            f"FROM trials_study WHERE nct_id IN ({marks})",
            ids,
        )
        out = {}
        for nct, last, sha, comp, fmt, ver, run in cursor.fetchall():
            last_text = last.isoformat() if isinstance(last, dt.date) else last
            out[nct] = _Stored(last_text, sha, comp, fmt, ver, run)
        return out

    def write(
        self,
        batch: Sequence[Prepared],
        summary: LoadSummary,
        batch_places: Sequence[PlaceTotal] | None = None,
        documents: Documents | None = None,
    ) -> None:
        """Store a batch in one transaction. ``batch_places``, the place totals of every site in the
        batch, lets a caller sum them before taking the write lock; they are used when every study in
        the batch turns out to be new (the gazetteer counts a study's sites once, when it is inserted).
        ``documents`` (from ``documents``) are the batch's text-index documents, likewise computed
        before the lock."""
        # Within one batch keep only the winning copy of each study, as the database would.
        winners: dict[str, Prepared] = {}
        for item in batch:
            for warning in item.warnings:
                summary.note(item.location, warning)
            current = winners.get(item.nct_id)
            if current is None:
                winners[item.nct_id] = item
                continue
            summary.note(item.location, f"duplicate {item.nct_id} in this load (also at {current.location})")
            winner = item if decide(item, _stored_from(current)) == "update" else current
            loser = current if winner is item else item
            summary.unchanged += 1
            if (loser.last_update or "") < (winner.last_update or ""):
                summary.older += 1
            winners[item.nct_id] = winner
        if not winners:
            return
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(), connection.cursor() as cursor:
            if self.vendor == "postgresql":
                self._stage(cursor)
            existing = self._existing(cursor, list(winners))
            rows: list[Any] = []
            replaced: list[str] = []
            written: list[Prepared] = []
            for nct, item in winners.items():
                old = existing.get(nct)
                verdict = decide(item, old)
                if old is not None and self.run_id is not None and old.run_id == self.run_id:
                    summary.note(item.location, f"duplicate {nct} in this load (an earlier copy was stored)")
                if verdict in {"unchanged", "stale"}:
                    summary.unchanged += 1
                    summary.older += verdict == "stale"
                    continue
                if verdict == "insert":
                    summary.inserted += 1
                else:
                    summary.updated += 1
                    replaced.append(nct)
                rows.append((*item.study_row, now, self.run_id))
                written.append(item)
            if not rows:
                return
            self._upsert_studies(cursor, rows)
            if replaced:
                marks = ", ".join(["%s"] * len(replaced))
                cursor.execute(f"DELETE FROM trials_site WHERE study_id IN ({marks})", replaced)
            site_rows: list[Any] = [site for item in written for site in item.site_rows]
            if site_rows:
                self._insert_sites(cursor, site_rows)
            # Search index, gazetteer and learned synonyms change in the same transaction as the studies.
            self._index(cursor, written, documents)
            new = [item for item in written if item.nct_id not in existing]
            if batch_places is None or len(new) != len(batch):
                batch_places = place_totals([site for item in new for site in item.site_rows])
            self._update_gazetteer(cursor, batch_places)
            update_synonyms(cursor, [pair for item in new for pair in item.synonym_pairs])


def _deferred_indexes() -> dict[str, str]:
    """Index name -> its CREATE INDEX IF NOT EXISTS, for the site indexes a first load builds once at
    its end instead of row by row (the model's Meta stays their one definition). The geo index (read
    when the in-memory site points are built) cost 28% of a first load's time at 20,000 studies:
    1,483 studies/s with it maintained per row, 2,062 without."""
    out = {}
    for index in Site._meta.indexes:
        columns = ", ".join(_column(name) for name in index.fields)
        out[str(index.name)] = f"CREATE INDEX IF NOT EXISTS {index.name} ON {Site._meta.db_table} ({columns})"
    if connection.vendor == "postgresql":
        # The text index's GIN index, built once at the end of a first load: maintained per batch it
        # cost 0.35 ms a study (4.18 s with it, 3.47 s without, for the text index of 2,000 studies).
        # Its one definition stays with the search backend.
        for sql in backend_for("postgresql").create_sql():
            if " USING gin " in sql:
                out[sql.split(" IF NOT EXISTS ", 1)[1].split()[0]] = sql
    return out


def _column(field_name: str) -> str:
    field = Site._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    return str(field.column)


def ensure_indexes() -> None:
    """Create any deferred index that is missing (after a first load, or one killed before its end)."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA cache_size")
            cache_size = int(cursor.fetchone()[0])
            # Sort on disk: in memory (our default temp_store) building the index took the loader's
            # peak RSS from 221 to 426 MiB at 100,000 studies. A 16 MB cache and one helper thread
            # for the sort: 3.9 -> 2.8 s for 2.7 million sites, at a peak RSS of 27 MiB instead of 146.
            for pragma in ("temp_store=FILE", "cache_size=-16000", "threads=1"):
                cursor.execute(f"PRAGMA {pragma}")
        try:
            for sql in _deferred_indexes().values():
                cursor.execute(sql)
        finally:
            if sqlite:
                for pragma in ("temp_store=MEMORY", f"cache_size={cache_size}", "threads=0"):
                    cursor.execute(f"PRAGMA {pragma}")


def refresh_statistics(*, vacuum: bool = False) -> None:
    """Let the query planner see the registry's new size after a load or sync. Without it PostgreSQL
    planned by the empty tables it saw before a first load: reading 20 studies' sites by study id took
    780 ms at 500,000 studies (a sequential scan) instead of 25 ms, until autovacuum came round.
    ``vacuum`` (after a first load) also marks the new pages all-visible, so the site points are read
    from the geo index alone: 36.8 -> 3.6 s for 13 million sites, for a 15 s VACUUM once."""
    # Statistics only speed queries up: failing to refresh them must not hide why a load stopped, nor
    # (on PostgreSQL) leave a caller's transaction aborted, hence the savepoint.
    tables = "trials_study, trials_site, trials_place, trials_search"
    if connection.vendor == "postgresql" and vacuum and not connection.in_atomic_block:
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {tables}")  # not allowed inside a transaction
        return
    with suppress(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}" if connection.vendor == "postgresql" else "PRAGMA optimize")


@contextmanager
def first_load_indexes() -> Iterator[bool]:
    """Defer the indexes while loading into a registry with no sites yet; always restore them at the
    end, error or not. A load killed in between leaves them missing until the next load or server
    start restores them (searches stay correct meanwhile, only building site points is slower)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM trials_site)")
        first = not cursor.fetchone()[0]
    if not first:
        ensure_indexes()
        yield first
        return
    with connection.cursor() as cursor:
        for name in _deferred_indexes():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    try:
        yield first
    finally:
        ensure_indexes()


def accepted(items: Iterable[Prepared | Rejected], summary: LoadSummary) -> list[Prepared]:
    """The prepared studies among ``items``; each rejection is recorded in ``summary``."""
    good: list[Prepared] = []
    for item in items:
        if isinstance(item, Rejected):
            summary.reject(item.location, item.message, item.file)
        else:
            good.append(item)
    return good


def _stored_from(item: Prepared) -> _Stored:
    return _Stored(item.last_update, item.sha256, item.completeness, item.source_format, NORMALIZER_VERSION, None)


Good = TypeVar("Good")


def batched(
    items: Iterable[Good | Rejected | SourceProblem], summary: LoadSummary, size: int = BATCH_SIZE
) -> Iterator[list[Good]]:
    """Group a stream into lists of ``size``, recording rejections and unreadable input on the way."""
    batch: list[Good] = []
    for item in items:
        if isinstance(item, Rejected | SourceProblem):
            summary.reject(item.location, item.message, item.file)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
