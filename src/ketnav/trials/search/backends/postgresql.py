"""Search on PostgreSQL: a weighted tsvector per study with a GIN index, ranked per term by ts_rank.

Each term's ts_rank over the weighted tsvector is multiplied by the term's BM25 IDF (kernels.idf), so a
query's score is the sum of its terms' scores, as on SQLite. (Ranking a whole tsquery at once read every
matching row's tsvector for every query, weighed a common word as much as a rare one, and its AND rank
weighs how close the words are, which the SQLite ranking does not.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ketnav.text.query import Term, tsquery_group, tsquery_term
from ketnav.trials.search.backends.base import Backend, Cursor
from ketnav.trials.search.documents import FIELD_NAMES, FIELDS

PG_TABLE = "trials_search"
# ts_rank weight classes {D, C, B, A}, matching the SQLite field weights' proportions.
PG_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"

PROMINENT_WEIGHTS = "AC"  # title, conditions, interventions (A) and MeSH terms (C); see documents.FIELDS
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def pg_words(text: str) -> str:
    """Split on every non-letter, as FTS5's unicode61 tokenizer does. PostgreSQL's own parser keeps
    "ketamine/esketamine" as one file-path token and "s-ketamine" as a compound, so those words would
    be found on SQLite and missed here."""
    return _NON_WORD.sub(" ", text)


def _document_sql() -> str:
    parts = [f"setweight(to_tsvector('english', f{i}), '{weight}')" for i, (_n, _w, weight) in enumerate(FIELDS)]
    return " || ".join(parts)


class PostgreSQLBackend(Backend):
    vendor = "postgresql"
    text_table = PG_TABLE
    integer_type = "BIGINT"
    rank_has_idf = False  # ts_rank has none: term scores are multiplied by BM25's IDF

    def __init__(self) -> None:
        # One statement per batch over unnested arrays: a row at a time cost a round trip each.
        arrays = ", ".join(["%s::text[]"] * (len(FIELD_NAMES) + 1))
        columns = ", ".join(f"f{i}" for i in range(len(FIELD_NAMES)))
        self.insert_sql = (
            f"INSERT INTO {PG_TABLE} (nct_id, document) SELECT nct, {_document_sql()} "
            f"FROM unnest({arrays}) AS t(nct, {columns}) "
            "ON CONFLICT (nct_id) DO UPDATE SET document = excluded.document"
        )

    def create_sql(self) -> list[str]:
        return [
            # No foreign key: Django's flush truncates trials_study alone, and searches join on trials_study,
            # so a row left behind here is never shown.
            f"CREATE TABLE IF NOT EXISTS {PG_TABLE} (nct_id varchar(11) PRIMARY KEY, document tsvector NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_gin ON {PG_TABLE} USING gin (document)",
        ]

    def write_documents(self, cursor: Cursor, docs: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        if docs:
            columns = [[nct for nct, _f in docs]]
            columns += [[pg_words(fields[i]) for _n, fields in docs] for i in range(len(FIELD_NAMES))]
            cursor.execute(self.insert_sql, columns)

    def term_query(self, term: Term) -> str:
        return tsquery_term(term)

    def prominent_query(self, groups: list[list[Term]]) -> str:
        return " & ".join(tsquery_group(g, weights=PROMINENT_WEIGHTS) for g in groups)

    def term_rows(self, cursor: Cursor, match: str, *, scored: bool) -> list[tuple[int, float]]:
        rank = f"ts_rank({PG_WEIGHTS}, d.document, to_tsquery('english', %s), 1)" if scored else "0.0"
        cursor.execute(
            f"SELECT {self.nct_number('d.nct_id')}, {rank} FROM {PG_TABLE} d "
            "WHERE d.document @@ to_tsquery('english', %s) ORDER BY 1",
            [match, match] if scored else [match],
        )
        return list(cursor.fetchall())

    def join_text(self, expression: str) -> str:
        return f"string_agg(CAST({expression} AS TEXT), ',')"
