"""PostgreSQL: text-index documents computed before the write lock equal those computed while writing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from ketnav.trials.ingest import LoadSummary, StudyWriter, accepted
from ketnav.trials.prepare import prepare_chunk
from ketnav.trials.search.backends.postgresql import PG_TABLE, SIZE_TABLE
from ketnav.trials.sources import SourceItem

pytestmark = pytest.mark.django_db(transaction=True)


def _documents(ids: list[str]) -> dict[str, str]:
    """The batch's documents only: the text index is not a Django model, so rows other tests left stay."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nct_id, document::text FROM {PG_TABLE} WHERE nct_id = ANY(%s)", [ids])
        return dict(cursor.fetchall())


def test_documents_made_ahead_are_the_ones_the_writer_makes(v2_studies: dict[str, dict[str, Any]]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 index tokenizes as it writes; nothing is computed ahead")
    import orjson

    items = [SourceItem(f"t#{i}", "v2", orjson.dumps(raw)) for i, raw in enumerate(list(v2_studies.values())[:200])]
    batch = accepted(prepare_chunk(items, "v2"), LoadSummary())
    writer = StudyWriter()
    ahead = writer.documents(batch)
    assert ahead is not None and len(ahead) == len(batch)
    writer.write(batch, LoadSummary(), documents=ahead)
    ids = [item.nct_id for item in batch]
    from_ahead = _documents(ids)
    assert writer.documents(batch) == {}  # stored already: nothing to compute for a load run again
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PG_TABLE} WHERE nct_id = ANY(%s)", [ids])
        writer.index.write(cursor, [(item.nct_id, item.search_fields) for item in batch])
    assert _documents(ids) == from_ahead
    assert len(from_ahead) == len(batch)


def _totals() -> tuple[tuple[int, int], tuple[int, int]]:
    """(documents, tokens) as the size table holds them, and as counted over the text index now."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT documents, tokens FROM {SIZE_TABLE}")
        held = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(length), 0) FROM {PG_TABLE}")
        counted = cursor.fetchone()
    return (int(held[0]), int(held[1])), (int(counted[0]), int(counted[1]))


def test_document_lengths_and_their_total_follow_every_write(v2_studies: dict[str, dict[str, Any]]) -> None:
    """BM25's average document length comes from the size table: it must stay equal to the sum over the
    text index through inserts, replacements (both write paths), deletes and a truncate."""
    if connection.vendor != "postgresql":
        pytest.skip("FTS5 keeps its own totals on SQLite")
    import orjson

    items = [SourceItem(f"t#{i}", "v2", orjson.dumps(raw)) for i, raw in enumerate(list(v2_studies.values())[:120])]
    batch = accepted(prepare_chunk(items, "v2"), LoadSummary())
    writer = StudyWriter()
    writer.write(batch, LoadSummary(), documents=writer.documents(batch))
    held, counted = _totals()
    assert held == counted and counted[0] >= len(batch)
    ids = [item.nct_id for item in batch]
    with connection.cursor() as cursor:
        # A document's length is its last position: every token, stop words included, as FTS5 counts.
        cursor.execute(
            f"SELECT length, (SELECT MAX(p) FROM unnest(document) u, unnest(u.positions) p) FROM {PG_TABLE} "
            "WHERE nct_id = ANY(%s)",
            [ids],
        )
        lengths = cursor.fetchall()
        assert all(length == last and length > 0 for length, last in lengths)
        # Replaced: the same studies with their title only, through the writer's own upsert.
        short = [(f[0], f[1], *[""] * (len(f) - 2)) for f in (item.search_fields for item in batch)]
        writer.index.write(cursor, [(item.nct_id, fields) for item, fields in zip(batch, short, strict=True)])
    assert _totals()[0] == _totals()[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PG_TABLE} WHERE nct_id = ANY(%s)", [ids[:40]])
        assert _totals()[0] == _totals()[1]
        cursor.execute(f"TRUNCATE {PG_TABLE}")
    assert _totals() == ((0, 0), (0, 0))
