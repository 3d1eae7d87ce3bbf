"""Keeping the search index, the gazetteer and the learned synonyms in step with the studies table.

Called by the writer inside each batch's transaction, so a study is never stored without being
searchable, or searchable after it was replaced. The SQL is the backends' (SQLite: an FTS5 table keyed
by the NCT number; PostgreSQL: a weighted tsvector per study with a GIN index); this module keeps the
names the writer and the migrations use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ketnav.trials.search.backends import backend_for
from ketnav.trials.search.backends.base import Backend, PlaceTotal
from ketnav.trials.search.backends.postgresql import PG_TABLE
from ketnav.trials.search.backends.sqlite import FTS_TABLE, TOKENIZER, fts_rowid

__all__ = [
    "FTS_TABLE",
    "PG_TABLE",
    "TOKENIZER",
    "PlaceTotal",
    "SearchIndexWriter",
    "create_sql",
    "drop_sql",
    "fts_rowid",
    "place_totals",
    "update_gazetteer",
    "update_synonyms",
]


def create_sql(vendor: str) -> list[str]:
    return backend_for(vendor).create_sql()


def drop_sql(vendor: str) -> list[str]:
    return backend_for(vendor).drop_sql()


class SearchIndexWriter:
    """Writes studies' documents to the text index of one database."""

    def __init__(self, vendor: str) -> None:
        self.backend = backend_for(vendor)

    def write(self, cursor: Any, docs: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        """Index (nct_id, fields) pairs, replacing what the index held for those studies."""
        self.backend.write_documents(cursor, docs)


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


update_gazetteer = Backend.update_gazetteer
update_synonyms = Backend.update_synonyms
