"""The SQL of search, one module per database, behind one interface (``base.Backend``).

``sqlite.py`` speaks FTS5 (bm25 with per-field weights), ``postgresql.py`` weighted tsvectors with a GIN
index (the same bm25, computed in SQL); ``base.py`` holds the statements both databases accept as written.
Nothing else in ``ketnav.trials.search`` writes SQL or asks which database it is talking to.
"""

from __future__ import annotations

from functools import cache

from ketnav.trials.search.backends.base import Backend


@cache
def backend_for(vendor: str) -> Backend:
    """The backend for a Django database vendor ("sqlite" or "postgresql"). Backends hold no state
    beyond SQL text built once, so one instance per vendor is shared by every thread."""
    if vendor == "sqlite":
        from ketnav.trials.search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    if vendor == "postgresql":
        from ketnav.trials.search.backends.postgresql import PostgreSQLBackend

        return PostgreSQLBackend()
    raise ValueError(f"no search backend for the {vendor!r} database; ketnav supports sqlite and postgresql")


__all__ = ["Backend", "backend_for"]
