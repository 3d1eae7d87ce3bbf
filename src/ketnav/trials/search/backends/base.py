"""What search asks of a database, with the statements SQLite and PostgreSQL both accept as written.

A backend is stateless apart from SQL text built once in its constructor, so one instance serves
every thread; each method takes the cursor to run on (the caller's connection, its transaction).
Subclasses add what differs: the text index (create, write, ask one term) and two SQL spellings (the
integer cast of an NCT number, string aggregation).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from ketnav.text.query import Term
from ketnav.trials.search.kernels import COLUMN_FIELDS, OPEN_SITE_STATUSES

Cursor = Any  # a Django cursor (CursorWrapper): "%s" placeholders on both databases
PlaceTotal = tuple[str, str, str, str, float, float, int]  # key, city, state, country, sums, sites

# Per hit on a page of results, in this order (engine._hit reads them).
STUDY_FIELDS = (
    "nct_id, brief_title, overall_status, phases, summary, last_update, start_date, "
    "minimum_age_years, maximum_age_years, sex"
)
SITE_FIELDS = "study_id, latitude, longitude, facility, city, state, country, status"


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


class Backend(ABC):
    vendor: str
    text_table: str  # the table of the text index
    integer_type: str  # what an NCT number is cast to
    rank_has_idf: bool  # False: the text index's rank is multiplied by BM25's IDF (kernels.idf)

    # --- the text index ------------------------------------------------------------------------

    @abstractmethod
    def create_sql(self) -> list[str]:
        """Statements creating the text index (used by migrations 0002 and 0005)."""

    def drop_sql(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {self.text_table}"]

    def clear_sql(self) -> str:
        """Empty the text index (Django's flush does not know it)."""
        return f"DELETE FROM {self.text_table}"

    @abstractmethod
    def write_documents(self, cursor: Cursor, docs: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        """Index (nct_id, fields) pairs, replacing what the index held for those studies."""

    @abstractmethod
    def term_query(self, term: Term) -> str:
        """One term in the database's own query syntax (an FTS5 MATCH or a to_tsquery argument)."""

    @abstractmethod
    def prominent_query(self, groups: list[list[Term]]) -> str:
        """One query for the studies whose fields that say what a study is about (title, conditions,
        interventions, MeSH terms) carry every group (any of its alternatives), for ranking them above
        studies that mention a group only in long text."""

    @abstractmethod
    def term_rows(self, cursor: Cursor, match: str, *, scored: bool) -> list[tuple[int, float]]:
        """(NCT number, score) of every study matching one term (``match`` from term_query); the score
        is 0.0 when not ``scored``."""

    # --- spellings --------------------------------------------------------------------------------

    def nct_number(self, column: str) -> str:
        """SQL for the NCT number of an NCT id column, which numpy handles far faster than the id."""
        return f"CAST(substr({column}, 4) AS {self.integer_type})"

    @abstractmethod
    def join_text(self, expression: str) -> str:
        """An aggregate joining ``expression`` (an integer) over a group with commas."""

    # --- reads ------------------------------------------------------------------------------------

    def registry_version(self, cursor: Cursor) -> int:
        """The number a trigger bumps on every write to trials_study (migration 0003); -1 if unset."""
        cursor.execute("SELECT version FROM trials_registryversion WHERE id = 1")
        row = cursor.fetchone()
        return int(row[0]) if row else -1

    def registry_epoch(self, cursor: Cursor) -> str:
        """The random token the database got when its version counter was made (migration 0007); "" if
        unset. Read only when columns are built or opened, never per search."""
        cursor.execute("SELECT epoch FROM trials_registryversion WHERE id = 1")
        row = cursor.fetchone()
        return str(row[0]) if row else ""

    def column_rows(self, cursor: Cursor) -> Iterator[tuple[Any, ...]]:
        """Every study's ``kernels.COLUMN_FIELDS``, in NCT id order, a few thousand rows at a time: at
        500,000 studies all rows at once were about a gigabyte of Python objects at the peak."""
        cursor.execute(f"SELECT {', '.join(COLUMN_FIELDS)} FROM trials_study ORDER BY nct_id")
        while rows := cursor.fetchmany(5000):
            yield from rows

    def synonym_fingerprint(self, cursor: Cursor) -> tuple[int, int]:
        """(pairs, their summed study counts): changes whenever a learned synonym is added or seen in
        one more study, so a pair crossing the two-study threshold is noticed."""
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(studies), 0) FROM trials_synonym")
        count, total = cursor.fetchone()
        return int(count), int(total)

    def learned_synonyms(self, cursor: Cursor, *, min_studies: int) -> list[tuple[str, str, int]]:
        cursor.execute("SELECT name, other, studies FROM trials_synonym WHERE studies >= %s", [min_studies])
        return list(cursor.fetchall())

    def site_point_rows(self, cursor: Cursor) -> Iterator[tuple[Any, Any, str, str]]:
        """One pass over the geo index, aggregated by point (and country) in the database: (latitude,
        longitude, "key,key,...", country) with key = NCT number * 2, plus 1 when the site is not open."""
        opened = ", ".join(f"'{s}'" for s in OPEN_SITE_STATUSES)
        key = f"{self.nct_number('study_id')} * 2 + (CASE WHEN status IN ({opened}) THEN 0 ELSE 1 END)"
        cursor.execute(
            f"SELECT latitude, longitude, {self.join_text(key)}, country FROM trials_site "
            "WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY latitude, longitude, country"
        )
        while rows := cursor.fetchmany(1000):
            yield from rows

    def site_countries(self, cursor: Cursor, *, state: str, city: str) -> list[tuple[int, str]]:
        """(NCT number, country) of the sites in the given state and/or city (case-insensitive), once each."""
        clauses, params = [], []
        for value, column in ((state, "state"), (city, "city")):
            if value:
                clauses.append(f"LOWER({column}) = LOWER(%s)")
                params.append(value)
        cursor.execute(
            f"SELECT DISTINCT {self.nct_number('study_id')}, country FROM trials_site WHERE {' AND '.join(clauses)}",
            params,
        )
        return [(int(r[0]), r[1] or "") for r in cursor.fetchall()]

    def study_rows(self, cursor: Cursor, nct_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """``STUDY_FIELDS`` of the given studies (those that exist), in no particular order."""
        if not nct_ids:
            return []
        cursor.execute(f"SELECT {STUDY_FIELDS} FROM trials_study WHERE nct_id IN ({_marks(len(nct_ids))})", nct_ids)
        return list(cursor.fetchall())

    def site_rows(self, cursor: Cursor, nct_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """``SITE_FIELDS`` of every site of the given studies, by study then as the record lists them.
        One query by study id: a point's own index entries can number thousands in a city."""
        if not nct_ids:
            return []
        cursor.execute(
            f"SELECT {SITE_FIELDS} FROM trials_site WHERE study_id IN ({_marks(len(nct_ids))}) "
            "ORDER BY study_id, position, id",
            nct_ids,
        )
        return list(cursor.fetchall())

    # --- writes beside the studies ------------------------------------------------------------------

    @staticmethod
    def update_gazetteer(cursor: Cursor, places: Sequence[PlaceTotal]) -> None:
        """Add place totals (one per key, as ``index.place_totals`` makes them) to the running centre of
        their (city, state, country). Written in key order, so concurrent writers lock rows in the same
        order."""
        if not places:
            return
        cursor.executemany(
            "INSERT INTO trials_place (key, city, state, country, latitude_sum, longitude_sum, sites) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET "
            "latitude_sum = trials_place.latitude_sum + excluded.latitude_sum, "
            "longitude_sum = trials_place.longitude_sum + excluded.longitude_sum, "
            "sites = trials_place.sites + excluded.sites",
            sorted(places, key=lambda place: place[0]),
        )

    @staticmethod
    def update_synonyms(cursor: Cursor, pairs: Sequence[tuple[str, str]]) -> None:
        """Count each (intervention name, other name) pair once more per study that declares it."""
        counts: dict[tuple[str, str], int] = {}
        for pair in pairs:
            counts[pair] = counts.get(pair, 0) + 1
        if counts:
            cursor.executemany(
                "INSERT INTO trials_synonym (name, other, studies) VALUES (%s, %s, %s) "
                "ON CONFLICT (name, other) DO UPDATE SET studies = trials_synonym.studies + excluded.studies",
                [(name[:255], other[:255], n) for (name, other), n in sorted(counts.items())],
            )
