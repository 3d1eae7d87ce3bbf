"""Keeping the search index, the gazetteer and the learned synonyms in step with the studies table.

Called by the writer inside each batch's transaction, so a study is never stored without being
searchable, or searchable after it was replaced. SQLite keeps an FTS5 table keyed by the NCT number;
PostgreSQL keeps a weighted tsvector per study with a GIN index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ketnav.trials.search.documents import FIELD_NAMES, FIELDS

FTS_TABLE = "trials_fts"
PG_TABLE = "trials_search"
TOKENIZER = "porter unicode61 remove_diacritics 2"


def fts_rowid(nct_id: str) -> int:
    """NCT ids are "NCT" plus 8 digits, so the number is a unique integer key for FTS5."""
    return int(nct_id[3:])


def nct_number_sql(column: str, vendor: str) -> str:
    """SQL for the NCT number of an NCT id column (as fts_rowid), which numpy handles far faster."""
    return f"CAST(substr({column}, 4) AS {'BIGINT' if vendor == 'postgresql' else 'INTEGER'})"


def create_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        cols = ", ".join(FIELD_NAMES)
        return [
            # No prefix indexes: they doubled the cost of indexing a study (0.35 -> 0.18 ms) while a
            # 3-letter prefix query still takes milliseconds by scanning the term list.
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({cols}, tokenize='{TOKENIZER}')"
        ]
    return [
        # No foreign key: Django's flush truncates trials_study alone, and searches join on trials_study,
        # so a row left behind here is never shown.
        f"CREATE TABLE IF NOT EXISTS {PG_TABLE} (nct_id varchar(11) PRIMARY KEY, document tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_gin ON {PG_TABLE} USING gin (document)",
    ]


def drop_sql(vendor: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {FTS_TABLE if vendor == 'sqlite' else PG_TABLE}"]


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _pg_words(text: str) -> str:
    """Split on every non-letter, as FTS5's unicode61 tokenizer does. PostgreSQL's own parser keeps
    "ketamine/esketamine" as one file-path token and "s-ketamine" as a compound, so those words would
    be found on SQLite and missed here."""
    return _NON_WORD.sub(" ", text)


def _pg_document_sql() -> str:
    parts = [f"setweight(to_tsvector('english', f{i}), '{weight}')" for i, (_n, _w, weight) in enumerate(FIELDS)]
    return " || ".join(parts)


class SearchIndexWriter:
    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        if vendor == "sqlite":
            marks = ", ".join(["%s"] * (len(FIELD_NAMES) + 1))
            self.insert_sql = f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FIELD_NAMES)}) VALUES ({marks})"
        else:
            # One statement per batch over unnested arrays: a row at a time cost a round trip each.
            arrays = ", ".join(["%s::text[]"] * (len(FIELD_NAMES) + 1))
            columns = ", ".join(f"f{i}" for i in range(len(FIELD_NAMES)))
            self.insert_sql = (
                f"INSERT INTO {PG_TABLE} (nct_id, document) SELECT nct, {_pg_document_sql()} "
                f"FROM unnest({arrays}) AS t(nct, {columns}) "
                "ON CONFLICT (nct_id) DO UPDATE SET document = excluded.document"
            )

    def write(self, cursor: Any, docs: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        """Index (nct_id, fields) pairs, replacing what the index held for those studies."""
        if self.vendor == "sqlite":
            # Delete every rowid about to be written, not only the replaced ones: a row can outlive its
            # study (Django's flush does not know this virtual table), and FTS5 refuses duplicate rowids.
            ids = [fts_rowid(nct) for nct, _fields in docs]
            if ids:
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})", ids)
            cursor.executemany(self.insert_sql, [(fts_rowid(nct), *fields) for nct, fields in docs])
        elif docs:
            columns = [[nct for nct, _f in docs]]
            columns += [[_pg_words(fields[i]) for _n, fields in docs] for i in range(len(FIELD_NAMES))]
            cursor.execute(self.insert_sql, columns)


PlaceTotal = tuple[str, str, str, str, float, float, int]  # key, city, state, country, sums, sites


def place_totals(site_rows: Sequence[tuple[Any, ...]]) -> tuple[PlaceTotal, ...]:
    """Sites with coordinates summed per (city, state, country). Pure: a load worker sums its whole
    batch before taking the write lock, so the writer adds a few hundred totals to the gazetteer instead
    of walking every site (a study in the generated corpus has 27 sites on average)."""
    totals: dict[str, list[Any]] = {}
    for row in site_rows:
        _nct, _pos, _facility, city, state, _zip, country, _status, lat, lon = row
        if lat is None or lon is None or not city or not country:
            continue
        key = f"{city}|{state}|{country}".casefold()
        entry = totals.setdefault(key, [city, state, country, 0.0, 0.0, 0])
        entry[3] += lat
        entry[4] += lon
        entry[5] += 1
    return tuple((key, *values) for key, values in totals.items())


def update_gazetteer(cursor: Any, places: Sequence[PlaceTotal]) -> None:
    """Add place totals (one per key, as ``place_totals`` makes them) to the running centre of their
    (city, state, country). Written in key order, so concurrent writers lock rows in the same order."""
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


def update_synonyms(cursor: Any, pairs: Sequence[tuple[str, str]]) -> None:
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    if counts:
        cursor.executemany(
            "INSERT INTO trials_synonym (name, other, studies) VALUES (%s, %s, %s) "
            "ON CONFLICT (name, other) DO UPDATE SET studies = trials_synonym.studies + excluded.studies",
            [(name[:255], other[:255], n) for (name, other), n in sorted(counts.items())],
        )
