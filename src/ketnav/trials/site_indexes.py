"""The site indexes a first load builds once at its end instead of row by row, and their restoring.

Kept apart from ``ingest.py`` because the search warm-up (``search/state.py``) restores indexes a killed
load left missing, while ``ingest.py`` writes through the search index: in one module, ``trials.search``
and ``trials.ingest`` imported each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models

from ketnav.trials.models import Site


def _deferred_indexes() -> dict[str, str]:
    """Index name -> its CREATE INDEX IF NOT EXISTS, for the site indexes a first load builds once at
    its end instead of row by row (the model's Meta stays their one definition). The geo index (read
    when the in-memory site points are built) cost 28% of a first load's time at 20,000 studies:
    1,483 studies/s with it maintained per row, 2,062 without."""
    out = {}
    for index in Site._meta.indexes:
        columns = ", ".join(_column(name) for name in index.fields)
        out[str(index.name)] = f"CREATE INDEX IF NOT EXISTS {index.name} ON {Site._meta.db_table} ({columns})"
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
