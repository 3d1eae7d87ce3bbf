"""The reference the per-term search engine is checked against: a whole query as one FTS5 MATCH.

Test code only (issue 17: no test-only code in ``src``). Searches never run this; tests hold its ranking
and the engine's (``kernels.combine`` over per-term scores) equal on SQLite.
"""

from __future__ import annotations

from typing import Any

from ketnav.text.query import Term, fts5_group
from ketnav.trials.search.backends.sqlite import FTS_TABLE, WEIGHTS
from ketnav.trials.search.kernels import ORIGINAL_BOOST


def compound_match_sql(groups: list[list[Term]], mode: str) -> tuple[str, list[Any]]:
    """The whole query as one FTS5 MATCH, scored as the per-term engine scores it (kernels.combine): SQL
    yielding (NCT number, score)."""
    joiner = " AND " if mode == "all" else " OR "
    expanded = joiner.join(fts5_group(g) for g in groups)
    original = joiner.join(fts5_group(g[:1]) for g in groups)
    boost = ""
    params: list[Any] = [expanded]
    if expanded != original:
        boost = (
            f" * CASE WHEN rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
            f"THEN {ORIGINAL_BOOST} ELSE 1.0 END"
        )
        params = [original, expanded]
    sql = (
        f"SELECT rowid AS nct_number, -bm25({FTS_TABLE}, {WEIGHTS}){boost} AS score "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    )
    return sql, params
