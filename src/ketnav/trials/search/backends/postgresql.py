"""Search on PostgreSQL: a weighted tsvector per study with a GIN index, ranked per term by BM25.

Each term is scored as SQLite's FTS5 bm25 scores it, so a server install ranks as a laptop does:
``tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))`` times the term's IDF (kernels.idf), summed over
the query's terms. ``tf`` is the term's weighted frequency: every occurrence counts its field's weight, as
FTS5's per-column weights do. ``ts_rank_cd`` with normalization 0 computes exactly that sum for one word,
prefix or phrase (each occurrence is a cover of its own, worth its weight class; checked on examples, a
phrase with a stop word inside, "quality of life", was counted once where it occurred twice). It reads the
rows ts_rank read, at up to twice its CPU for a broad word ("year", 13,388 of 31,825 studies: 124 ms
against 66). What still differs from SQLite: PostgreSQL's four weight classes round the nine field weights
(conditions and interventions 10 instead of 8, keywords 4 instead of 5, summary 4 instead of 3), Snowball's
english stemmer is not Porter's, and a phrase may run across two fields. ``length`` is the document's
number of tokens (its last position: stop words keep their positions; within 2% of a count of unicode61 tokens on 400
shared records, 510.3 against 510.4 on average), stored with it; ``avgdl`` comes from a one-row table that
triggers keep up to date, as FTS5 keeps its own totals.

Before, each term's score was ts_rank (normalization 1) times the IDF: its term frequency saturated after
two or three occurrences whatever the field, and a long document was barely penalized (1 + log of its
number of distinct words), so long records that mention a word often ranked above short ones about it.
On TREC 2021 patient topics that cost a fifth of SQLite's NDCG@10 (0.315 against 0.367).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ketnav.text.query import Term, tsquery_group, tsquery_term
from ketnav.trials.search.backends.base import Backend, Cursor
from ketnav.trials.search.documents import FIELD_NAMES, FIELDS

PG_TABLE = "trials_search"
SIZE_TABLE = "trials_search_size"  # one row: documents and their summed lengths, for BM25's avgdl
# ts_rank_cd weight classes {D, C, B, A}, matching the SQLite field weights' proportions; PostgreSQL
# takes weights up to 1, so a rank is multiplied by WEIGHT_SCALE to be in FTS5's units (title: 10).
PG_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"
WEIGHT_SCALE = 10.0
# BM25's constants, as FTS5's bm25() fixes them.
BM25_K1 = 1.2
BM25_B = 0.75

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
    rank_has_idf = False  # term_rows leaves it out: kernels.term_hits multiplies it in

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
            *self.length_sql(),
            f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_gin ON {PG_TABLE} USING gin (document)",
        ]

    def length_sql(self) -> list[str]:
        """The length column, the size table and the triggers keeping it (run again by migration 0008 on a
        table made before them: adding the column computes it for every stored document)."""
        size = SIZE_TABLE
        changes = {
            "insert": ("INSERT", "REFERENCING NEW TABLE AS added", "SELECT nct_id, length FROM added", ""),
            "update": (
                "UPDATE",
                "REFERENCING OLD TABLE AS removed NEW TABLE AS added",
                "SELECT nct_id, length FROM added",
                "SELECT nct_id, length FROM removed",
            ),
            "delete": ("DELETE", "REFERENCING OLD TABLE AS removed", "", "SELECT nct_id, length FROM removed"),
        }
        out = [
            self.tokens_function_sql(),
            f"ALTER TABLE {PG_TABLE} ADD COLUMN IF NOT EXISTS length integer "
            f"GENERATED ALWAYS AS ({PG_TABLE}_tokens(document)) STORED",
            f"CREATE TABLE IF NOT EXISTS {size} (id integer PRIMARY KEY CHECK (id = 1), "
            "documents bigint NOT NULL, tokens bigint NOT NULL)",
            f"INSERT INTO {size} (id, documents, tokens) SELECT 1, COUNT(*), COALESCE(SUM(length), 0) "
            f"FROM {PG_TABLE} ON CONFLICT (id) DO UPDATE SET documents = excluded.documents, tokens = excluded.tokens",
        ]
        for name, (event, referencing, added, removed) in changes.items():
            plus = f"(SELECT COUNT(*), COALESCE(SUM(length), 0) FROM ({added}) AS a)" if added else "(SELECT 0, 0)"
            minus = f"(SELECT COUNT(*), COALESCE(SUM(length), 0) FROM ({removed}) AS r)" if removed else "(SELECT 0, 0)"
            out += [
                f"CREATE OR REPLACE FUNCTION {size}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN UPDATE {size} SET (documents, tokens) = (SELECT documents + p.n - m.n, tokens + p.t - m.t "
                f"FROM {plus} AS p(n, t), {minus} AS m(n, t)) WHERE id = 1; RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {size}_{name} ON {PG_TABLE}",
                f"CREATE TRIGGER {size}_{name} AFTER {event} ON {PG_TABLE} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {size}_{name}()",
            ]
        out += [
            f"CREATE OR REPLACE FUNCTION {size}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE {size} SET documents = 0, tokens = 0 WHERE id = 1; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {size}_truncate ON {PG_TABLE}",
            f"CREATE TRIGGER {size}_truncate AFTER TRUNCATE ON {PG_TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {size}_truncate()",
        ]
        return out

    def tokens_function_sql(self) -> str:
        """A document's length in tokens: its last position (stop words keep theirs, as FTS5 counts every
        token). Immutable, so a generated column fills it on every path that writes a document. A
        lexeme's positions are stored in order, so its last is its largest: reading that one instead
        of unnesting them all took the function from 0.18 to 0.06 ms a study (half the cost of
        inserting a loaded study's document before), with the same result on every stored document."""
        return (
            f"CREATE OR REPLACE FUNCTION {PG_TABLE}_tokens(doc tsvector) RETURNS integer "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE "
            "AS $$ SELECT COALESCE(MAX(u.positions[cardinality(u.positions)]), 0)::integer FROM unnest(doc) AS u $$"
        )

    def drop_sql(self) -> list[str]:
        return [
            f"DROP TABLE IF EXISTS {PG_TABLE}",
            f"DROP TABLE IF EXISTS {SIZE_TABLE}",
            *(f"DROP FUNCTION IF EXISTS {SIZE_TABLE}_{n}()" for n in ("insert", "update", "delete", "truncate")),
            f"DROP FUNCTION IF EXISTS {PG_TABLE}_tokens(tsvector)",
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
        """Without the IDF, which kernels.term_hits multiplies in (``rank_has_idf`` is False)."""
        if not scored:
            cursor.execute(
                f"SELECT {self.nct_number('d.nct_id')}, 0.0 FROM {PG_TABLE} d "
                "WHERE d.document @@ to_tsquery('english', %s) ORDER BY 1",
                [match],
            )
            return list(cursor.fetchall())
        tf = f"{WEIGHT_SCALE} * ts_rank_cd({PG_WEIGHTS}, d.document, to_tsquery('english', %s), 0)"
        # One row by its key, so the planner knows it is one: estimated as a join with a table of unknown
        # size, a broad term's statement looked costly enough to be JIT-compiled, 7x slower than running it.
        avgdl = f"(SELECT GREATEST(tokens, 1)::float8 / GREATEST(documents, 1) FROM {SIZE_TABLE} WHERE id = 1)"
        # A document stored before its length was (NULL) counts as one of average length.
        norm = f"1 - {BM25_B} + {BM25_B} * COALESCE(length / {avgdl}, 1.0)"
        cursor.execute(
            f"SELECT nct, tf * {BM25_K1 + 1} / (tf + {BM25_K1} * ({norm})) FROM ("
            f"SELECT {self.nct_number('d.nct_id')} AS nct, d.length, {tf} AS tf FROM {PG_TABLE} d "
            "WHERE d.document @@ to_tsquery('english', %s)) AS d ORDER BY 1",
            [match, match],
        )
        return list(cursor.fetchall())

    def join_text(self, expression: str) -> str:
        return f"string_agg(CAST({expression} AS TEXT), ',')"
