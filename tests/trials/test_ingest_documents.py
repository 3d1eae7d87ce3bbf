"""PostgreSQL: text-index documents computed before the write lock equal those computed while writing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from ketnav.trials.ingest import LoadSummary, StudyWriter, accepted
from ketnav.trials.prepare import prepare_chunk
from ketnav.trials.search.backends.postgresql import PG_TABLE
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
